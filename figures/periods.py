"""Periods of the figures: whole calendar months, Paris time, already over.

Only whole months, and only months that are over: two readings that differ by a day
(a range ending on the 14th and one ending on the 15th, or this month read today and
tomorrow) would tell what happened on that one day, which could be one person.
"""

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

MAX_MONTHS = 60
# Nothing is counted before: an earlier period would only cost queries (and year 1
# would not even compute ages).
FIRST_MONTH = date(2020, 1, 1)


class PeriodError(ValueError):
    """A period that cannot be read; the message says why, in the user's language."""


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def months_before(month: date, count: int) -> date:
    """The first day of the month ``count`` months before ``month``'s."""
    year, index = divmod(month.year * 12 + month.month - 1 - count, 12)
    return date(year, index + 1, 1)


def last_of_month(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def paris_midnight(day: date) -> datetime:
    """The moment a day starts in Paris (aware)."""
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


@dataclass(frozen=True)
class Period:
    """From the first day of ``first`` month to the last day of ``last`` month, included."""

    first: date
    last: date

    @classmethod
    def month(cls, year: int, month: int) -> "Period":
        start = date(year, month, 1)
        return cls(start, last_of_month(start))

    @classmethod
    def last_closed_quarter(cls, today: date | None = None) -> "Period":
        """The last calendar quarter that is over."""
        last = cls.last_closed_month(today).first
        end = months_before(last, last.month % 3)  # the quarter's third month
        return cls(months_before(end, 2), last_of_month(end))

    @property
    def quarter(self) -> int:
        """The calendar quarter the period starts in (1 to 4)."""
        return (self.first.month - 1) // 3 + 1

    @classmethod
    def year(cls, year: int) -> "Period":
        return cls(date(year, 1, 1), date(year, 12, 31))

    @classmethod
    def last_closed_month(cls, today: date | None = None) -> "Period":
        today = today or timezone.localdate()
        previous = first_of_month(first_of_month(today) - timedelta(days=1))
        return cls(previous, last_of_month(previous))

    @classmethod
    def from_dates(cls, first: date, last: date, today: date | None = None) -> "Period":
        """A period from the API's ``from`` and ``to``; ``PeriodError`` says what is wrong."""
        today = today or timezone.localdate()
        if first.day != 1:
            raise PeriodError(_("A period starts on the first day of a month."))
        if last != last_of_month(last):
            raise PeriodError(_("A period ends on the last day of a month."))
        if last < first:
            raise PeriodError(_("The end of the period is before its start."))
        if last >= first_of_month(today):
            raise PeriodError(_("Figures are given for months that are over."))
        if first < FIRST_MONTH:
            raise PeriodError(_("Figures start in %(month)s.") % {"month": f"{FIRST_MONTH:%Y-%m}"})
        period = cls(first, last)
        if len(period.months()) > MAX_MONTHS:
            raise PeriodError(_("A period covers %(n)d months at most.") % {"n": MAX_MONTHS})
        return period

    @classmethod
    def from_months(cls, first: str, last: str, today: date | None = None) -> "Period":
        """A period from two ``YYYY-MM`` months (the admin's period picker), both included."""
        try:
            start = datetime.strptime(first, "%Y-%m").date()
            finish = datetime.strptime(last, "%Y-%m").date()
        except ValueError as error:
            raise PeriodError(_("Give months as YYYY-MM.")) from error
        return cls.from_dates(start, last_of_month(finish), today)

    def months(self) -> list[date]:
        """The first day of each month of the period."""
        months, month = [], self.first
        while month <= self.last:
            months.append(month)
            month = next_month(month)
        return months

    def bounds(self) -> tuple[datetime, datetime]:
        """[start, end) as aware datetimes: Paris midnight to Paris midnight."""
        return paris_midnight(self.first), paris_midnight(self.last + timedelta(days=1))

    def __str__(self) -> str:
        if self.first == first_of_month(self.last):
            return f"{self.first:%Y-%m}"
        return _("%(first)s to %(last)s") % {
            "first": f"{self.first:%Y-%m}",
            "last": f"{self.last:%Y-%m}",
        }
