"""Accounts' part of the départements' figures (found by the figures app by its name):
who uses the app, by age band; sign-ups; situations."""

from datetime import datetime, timedelta

from django.db.models import Case, CharField, Count, Q, Value, When
from django.utils.translation import gettext_lazy as _

from accounts.dates import AGE_BANDS, latest_birth_date
from accounts.models import SITUATION_FLAGS, ActivityDay, User, YoungPersonProfile
from accounts.roles import Role
from backend.aggregates import (
    ALL,
    NATIONAL,
    RANGE,
    SUM,
    Cell,
    TableInfo,
    count_cells,
    in_departements,
    merge,
    tables,
)

SECTION = _("Young people")
OTHER_AGE = "other"
DEPARTEMENT = "user__profile__departement"


AGE_CELLS = {
    **{band: f"{band} ans" for _low, _high, band in AGE_BANDS},
    OTHER_AGE: _("age unknown or outside 16-25"),
}
FLAG_CELLS = {
    flag: YoungPersonProfile._meta.get_field(flag).verbose_name for flag in SITUATION_FLAGS
}


TABLES = {
    "young_people.active_by_age": TableInfo(
        title=_("Active accounts by age band"),
        unit=_("people"),
        section=SECTION,
        combine=RANGE,
        has_total=True,
        partition=True,
        people_add_up=True,
        cells=AGE_CELLS,
    ),
    "young_people.signups": TableInfo(
        title=_("New sign-ups"),
        unit=_("people"),
        section=SECTION,
        combine=SUM,
        cells={ALL: _("new accounts")},
    ),
    # Among the young people active in the period, not every account opened: the
    # accounts at the end of a month minus those at the end of the month before would
    # give that month's sign-ups back, even when they are hidden.
    "young_people.situations": TableInfo(
        title=_("Situations of the young people active in the period"),
        unit=_("people"),
        section=SECTION,
        combine=RANGE,
        has_total=True,
        complement=True,
        cells=FLAG_CELLS,
    ),
}


def _age_band_on(day) -> Case:
    """The profile's age band on ``day``, in SQL (birth dates compared, no rows read)."""
    whens = [
        When(
            Q(user__profile__birth_date__gt=latest_birth_date(high + 1, day))
            & Q(user__profile__birth_date__lte=latest_birth_date(low, day)),
            then=Value(band),
        )
        for low, high, band in AGE_BANDS
    ]
    return Case(*whens, default=Value(OTHER_AGE), output_field=CharField())


def provider(codes: list[str] | None, start: datetime, end: datetime) -> dict:
    """Active young people by age band, sign-ups and situations (see ``backend.aggregates``)."""
    last_day = (end - timedelta(microseconds=1)).date()
    active = ActivityDay.objects.filter(day__gte=start.date(), day__lt=end.date()).annotate(
        band=_age_band_on(last_day)
    )
    by_age = count_cells(  # the figure is people, not days of use
        active,
        departement=DEPARTEMENT,
        codes=codes,
        people="user",
        cell="band",
        value=Count("user", distinct=True),
    )
    # Each person is in one band (their age on the last day): the total adds them up.
    everyone_active = {}
    for code, cells in by_age.items():
        people = sum(cell.people for cell in cells.values())
        everyone_active[code] = Cell(people, people)

    young = User.objects.filter(role=Role.YOUNG_PERSON)
    signups = count_cells(
        young.filter(date_joined__gte=start, date_joined__lt=end),
        departement="profile__departement",
        codes=codes,
        people="pk",
    )
    active_people = young.filter(pk__in=active.values("user"))
    flags = _flag_counts(active_people, codes)
    return merge(
        tables("young_people.active_by_age", by_age, everyone_active),
        tables("young_people.signups", signups),
        flags,
    )


def _flag_counts(accounts, codes: list[str] | None) -> dict:
    """Each situation flag, and the accounts it is a share of: one query."""
    figures = {
        flag: Count("pk", filter=Q(**{f"profile__{flag}": True})) for flag in SITUATION_FLAGS
    }
    figures["everyone"] = Count("pk")
    accounts = in_departements(accounts, "profile__departement", codes)
    if codes is not None:
        rows = accounts.order_by().values("profile__departement").annotate(**figures)
        per_code = {row["profile__departement"]: row for row in rows}
    else:
        per_code = {NATIONAL: accounts.aggregate(**figures)}
    cells = {
        code: {flag: Cell(row[flag], row[flag]) for flag in SITUATION_FLAGS}
        for code, row in per_code.items()
    }
    total = {code: Cell(row["everyone"], row["everyone"]) for code, row in per_code.items()}
    return tables("young_people.situations", cells, total)
