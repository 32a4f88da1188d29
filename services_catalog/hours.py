"""Opening hours as a place really keeps them: its OpenStreetMap ``opening_hours``, the
public holidays of its département, and its closures (``EntryClosure``).

opening-hours-py knows France's national public holidays (``country="FR"``) but no
region's: Alsace-Moselle's Good Friday and 26 December, and the day each overseas
département commemorates the abolition of slavery, are computed here. On such a day the
hours are read as on a public holiday: every ``PH`` of the expression stands for that
day's weekday, so ``Mo-Fr 09:00-17:00; PH off`` closes and ``PH 10:00-12:00`` opens
10:00-12:00. (``PH`` with an offset, ``PH +1 day``, is left to the national calendar.)
"""

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from opening_hours import OpeningHours, State

# Public holidays of some départements on top of the national ones.
ALSACE_MOSELLE = frozenset({"57", "67", "68"})
# The abolition of slavery, commemorated on a different day in each (day, month).
ABOLITION_OF_SLAVERY = {
    "971": (27, 5),  # Guadeloupe
    "972": (22, 5),  # Martinique
    "973": (10, 6),  # Guyane
    "974": (20, 12),  # La Réunion
    "976": (27, 4),  # Mayotte
}
WEEKDAY_CODES = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
# How far ahead ``Schedule.next_change`` looks.
HORIZON = timedelta(days=400)


def easter_sunday(year: int) -> date:
    """Easter Sunday of ``year`` (Gregorian calendar; the anonymous algorithm, Meeus)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l = (32 + 2 * e + 2 * i - h - k) % 7  # noqa: E741 - the algorithm's own name
    m = (a + 11 * h + 22 * l) // 451
    month, day = divmod(h + l - 7 * m + 114, 31)
    return date(year, month, day + 1)


@lru_cache(maxsize=512)
def local_holidays(departement: str | None, year: int) -> frozenset[date]:
    """The public holidays of ``departement`` in ``year`` that France's calendar lacks."""
    days = set()
    if departement in ALSACE_MOSELLE:
        days |= {easter_sunday(year) - timedelta(days=2), date(year, 12, 26)}
    if departement in ABOLITION_OF_SLAVERY:
        day, month = ABOLITION_OF_SLAVERY[departement]
        days.add(date(year, month, day))
    return frozenset(days)


@lru_cache(maxsize=4096)
def parse(hours: str) -> OpeningHours:
    """``hours`` with France's public holidays (raises on a syntax error); cached: the
    same few expressions come back for many entries."""
    return OpeningHours(hours, country="FR")


# ``PH`` as a selector, not in a comment and not followed by an offset.
_PH = re.compile(r"\bPH\b(?!\s*[+-])")


@lru_cache(maxsize=2048)
def _as_public_holiday(hours: str, weekday: int) -> OpeningHours:
    """``hours`` read on a ``weekday`` that is a public holiday (see the module)."""
    # Odd pieces are the comments ("..."), left as they are.
    pieces = hours.split('"')
    for index in range(0, len(pieces), 2):
        pieces[index] = _PH.sub(WEEKDAY_CODES[weekday], pieces[index])
    rewritten = '"'.join(pieces)
    if rewritten == hours:
        return parse(hours)
    try:
        return parse(rewritten)
    except Exception:  # a PH the rewrite cannot stand for ("PH Su"): the usual hours
        return parse(hours)


_CLOSED = "off"


@dataclass(frozen=True)
class Period:
    """Exceptional ``hours`` (empty: closed) from ``starts_on`` to ``ends_on``, included."""

    starts_on: date
    ends_on: date
    hours: str = ""


class Schedule:
    """The opening of a place over time: its ``hours``, the public holidays of its
    ``departement`` (None: the national ones only) and its ``closures`` (objects with
    ``starts_on``, ``ends_on`` and ``hours``, which must not overlap).

    Times are naive, in the place's (the project's) time zone. ``known`` is False when
    the usual hours are not given or cannot be read: nothing is then known to be open.
    """

    def __init__(self, hours: str, *, departement: str | None = None, closures: Iterable = ()):
        self.hours = hours or ""
        self.departement = departement
        self.closures = sorted(
            (Period(c.starts_on, c.ends_on, c.hours or "") for c in closures),
            key=lambda period: period.starts_on,
        )
        self.known = bool(self.hours)
        if self.known:
            try:
                parse(self.hours)
            except Exception:  # hours saved before validation existed
                self.known = False

    def closure_on(self, day: date) -> Period | None:
        """The closure that covers ``day``, if any."""
        for period in self.closures:
            if period.starts_on <= day <= period.ends_on:
                return period
        return None

    def _rules_of(self, day: date) -> str:
        """The expression that holds on ``day``: the closure's, else the usual one."""
        period = self.closure_on(day)
        if period is None:
            return self.hours
        return period.hours or _CLOSED

    def _parsed_for(self, day: date) -> OpeningHours:
        rules = self._rules_of(day)
        try:
            if day in local_holidays(self.departement, day.year):
                return _as_public_holiday(rules, day.weekday())
            return parse(rules)
        except Exception:  # a closure's hours that cannot be read: closed, as announced
            return parse(_CLOSED)

    def is_open(self, moment: datetime) -> bool:
        """Whether it is open at ``moment`` (naive, local); unknown hours are not open."""
        if not self.known:
            return False
        return self._parsed_for(moment.date()).is_open(moment)

    def spans(self, start: datetime, end: datetime) -> Iterator[tuple[datetime, datetime, State]]:
        """Successive ``(start, end, state)`` from ``start`` to ``end``, each as long as the
        state holds (consecutive days under the same rules are asked at once)."""
        if not self.known or start >= end:
            return
        current: list = []
        for run_start, run_end, parsed in self._runs(start, end):
            for span_start, span_end, state, _comment in parsed.intervals(run_start, run_end):
                if span_start >= span_end:
                    continue
                if current and current[2] == state and current[1] == span_start:
                    current[1] = span_end
                    continue
                if current:
                    yield tuple(current)
                current = [span_start, span_end, state]
        if current:
            yield tuple(current)

    def _runs(self, start: datetime, end: datetime):
        """``(start, end, parsed)`` over the days from ``start`` to ``end``, one per run of
        days under the same rules."""
        day = start.date()
        run_start, run_parsed = start, None
        while True:
            day_start = max(datetime.combine(day, time.min), start)
            if day_start >= end:
                break
            parsed = self._parsed_for(day)
            if run_parsed is not None and parsed is not run_parsed:
                yield run_start, day_start, run_parsed
                run_start = day_start
            run_parsed = parsed
            day = self._next_different_day(day, end)
        if run_parsed is not None:
            yield run_start, end, run_parsed

    def _next_different_day(self, day: date, end: datetime) -> date:
        """The next day whose rules may differ from ``day``'s: skips over ordinary weeks
        so that a year ahead costs a few steps, not 366."""
        following = day + timedelta(days=1)
        if day in local_holidays(self.departement, day.year):
            return following  # the day after a local holiday is ordinary again
        boundaries = [end.date() + timedelta(days=1)]
        for period in self.closures:
            boundaries += [
                boundary
                for boundary in (period.starts_on, period.ends_on + timedelta(days=1))
                if boundary >= following
            ]
        for year in (following.year, following.year + 1):
            boundaries += [
                holiday
                for holiday in local_holidays(self.departement, year)
                if holiday >= following
            ]
        return min(boundaries)

    def next_change(self, moment: datetime) -> datetime | None:
        """When the state at ``moment`` changes next (None: not within ``HORIZON``)."""
        end = moment + HORIZON
        first = next(self.spans(moment, end), None)
        if first is None or first[1] >= end:
            return None
        return first[1]
