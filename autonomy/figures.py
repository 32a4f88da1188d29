"""The path to autonomy's part of the départements' figures (found by the figures app by
its name): projets written, the legal interviews held, what the monthly check-ins say at
the ages that matter, calls for help, and how the self-assessments progress.

Interviews, projets and assessments are counted in the young person's département
(their profile's); the check-ins in the one they were in that month (``CheckIn``
keeps it, with their age and the months since care ended).
"""

from collections import defaultdict
from datetime import date, datetime, timedelta

from django.db.models import Avg, Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from accounts.models import User, YoungPersonProfile
from backend.aggregates import (
    ALL,
    END,
    NATIONAL,
    SUM,
    Cell,
    TableInfo,
    count_cells,
    in_departements,
    merge,
    tables,
)

from .models import (
    Actor,
    Assessment,
    AssessmentAnswer,
    CheckIn,
    Domain,
    DomainWishes,
    Goal,
    Interview,
    Projet,
)
from .selectors import interview_17_due_on, steps_of

SECTION = _("Path to autonomy")
PROFILE_DEPARTEMENT = "young_person__profile__departement"

INTERVIEW_17_CELLS = {
    "on_time": _("on time (by the 17th birthday, or on entering care after 17)"),
    "late": _("late (after that date)"),
}

# What a check-in says, each answer on its own: a question left blank is in no cell. No
# total: "answered" minus "stable" would give back a hidden "temporary or none"; the two
# sides of each question are shown (or hidden) each for itself, and add up to how many
# answered it.
ACTIVITIES = [
    CheckIn.Activity.SCHOOL,
    CheckIn.Activity.TRAINING,
    CheckIn.Activity.APPRENTICESHIP,
    CheckIn.Activity.JOB,
]
CHECK_IN_ANSWERS = {
    "housing_stable": Q(housing=CheckIn.Housing.STABLE),
    "housing_other": Q(housing__in=[CheckIn.Housing.TEMPORARY, CheckIn.Housing.NONE]),
    "in_activity": Q(activity__in=ACTIVITIES),
    "no_activity": Q(activity=CheckIn.Activity.NONE),
    "resources_enough": Q(resources=CheckIn.Resources.ENOUGH),
    "resources_short": Q(resources=CheckIn.Resources.NOT_ENOUGH),
}
CHECK_IN_CELLS = {
    "housing_stable": _("housing: stable"),
    "housing_other": _("housing: temporary or none"),
    "in_activity": _("activity: school, training, apprenticeship or a job"),
    "no_activity": _("activity: none"),
    "resources_enough": _("resources: enough to live on"),
    "resources_short": _("resources: not enough"),
}
# The moments of a life the check-ins are read at: the age that month, or six months
# after care ended (whatever the age).
MOMENTS = {
    "autonomy.check_ins_at_18": (_("What the monthly check-ins say at 18"), Q(age=18)),
    "autonomy.check_ins_at_19": (_("What the monthly check-ins say at 19"), Q(age=19)),
    "autonomy.check_ins_at_21": (_("What the monthly check-ins say at 21"), Q(age=21)),
    "autonomy.check_ins_six_months_after_care": (
        _("What the monthly check-ins say six months after leaving care"),
        Q(months_after_care=6),
    ),
}


def _check_ins_table(title) -> TableInfo:
    return TableInfo(
        title=title, unit=_("check-ins"), section=SECTION, combine=SUM, cells=CHECK_IN_CELLS
    )


TABLES = {
    "autonomy.projets": TableInfo(
        title=_("Young people with a projet at the end of the period"),
        unit=_("young people"),
        section=SECTION,
        combine=END,
        cells={ALL: _("with a goal or their wishes written")},
    ),
    "autonomy.interviews_17": TableInfo(
        title=_("Interviews at 17 held in the period"),
        unit=_("interviews"),
        section=SECTION,
        combine=SUM,
        cells=INTERVIEW_17_CELLS,
    ),
    # What the référents have to organise, as the département's staff see it: counts
    # only (each référent sees their own young people on "Mes jeunes").
    "autonomy.interviews_17_to_organise": TableInfo(
        title=_("Interviews at 17 to organise at the end of the period"),
        unit=_("young people"),
        section=SECTION,
        combine=END,
        cells={
            "due": _("due within 90 days, no date set"),
            "scheduled": _("scheduled"),
            "late": _("late (the date passed, not held)"),
        },
    ),
    "autonomy.six_months_interviews": TableInfo(
        title=_("Interviews six months after leaving care held in the period"),
        unit=_("interviews"),
        section=SECTION,
        combine=SUM,
        cells={ALL: _("interviews held")},
    ),
    **{key: _check_ins_table(title) for key, (title, _moment) in MOMENTS.items()},
    "autonomy.help_requests": TableInfo(
        title=_('Calls for help ("I need help" in the monthly check-in)'),
        unit=_("calls for help"),
        section=SECTION,
        combine=SUM,
        cells={ALL: _("calls for help")},
    ),
    # Among the young people with two self-assessments or more by the end of the period:
    # each domain a yes/no share of them, so "all but 2 progressed" is hidden too.
    "autonomy.assessment_progress": TableInfo(
        title=_("Young people whose self-assessment progressed, by domain"),
        unit=_("young people"),
        section=SECTION,
        combine=END,
        has_total=True,
        complement=True,
        cells=dict(Domain.choices),
    ),
}


def provider(codes: list[str] | None, start: datetime, end: datetime) -> dict:
    """Projets, interviews, check-ins, calls for help, assessments (``backend.aggregates``)."""
    first_day, after = start.date(), end.date()  # Paris dates: [first_day, after)
    interviews = Interview.objects.filter(held_on__gte=first_day, held_on__lt=after)
    six_months = interviews.filter(kind=Interview.Kind.SIX_MONTHS)
    check_ins = CheckIn.objects.filter(month__gte=first_day, month__lt=after)
    help_requests = CheckIn.objects.filter(help_asked_at__gte=start, help_asked_at__lt=end)
    return merge(
        tables(
            "autonomy.projets",
            count_cells(
                _projets(end), departement=PROFILE_DEPARTEMENT, codes=codes, people="young_person"
            ),
        ),
        tables(
            "autonomy.interviews_17",
            _interviews_17(interviews.filter(kind=Interview.Kind.AT_17), codes),
        ),
        tables("autonomy.interviews_17_to_organise", _to_organise(codes, end)),
        tables(
            "autonomy.six_months_interviews",
            count_cells(
                six_months, departement=PROFILE_DEPARTEMENT, codes=codes, people="young_person"
            ),
        ),
        *(
            tables(key, _answers(check_ins.filter(moment), codes))
            for key, (_title, moment) in MOMENTS.items()
        ),
        tables(
            "autonomy.help_requests",
            count_cells(
                help_requests, departement="departement", codes=codes, people="young_person"
            ),
        ),
        _progress(codes, end),
    )


def _projets(end: datetime) -> QuerySet:
    """The projets with something in them at the end of the window: a goal set by then,
    or the young person's wishes in a domain (as last written before the end)."""
    goals = Goal.objects.filter(projet=OuterRef("pk"), created_at__lt=end)
    wishes = DomainWishes.objects.filter(projet=OuterRef("pk"), updated_at__lt=end).exclude(text="")
    return Projet.objects.filter(created_at__lt=end).filter(Exists(goals) | Exists(wishes))


def _interviews_17(held: QuerySet, codes: list[str] | None) -> dict[str, dict[str, Cell]]:
    """On time or late: the due date is worked out in Python over one row per interview
    (one query). One interview at 17 per young person: interviews are people. Without a
    birth date (one cleared since it was recorded) there is no due date: left out."""
    rows = (
        in_departements(held, PROFILE_DEPARTEMENT, codes)
        .filter(young_person__profile__birth_date__isnull=False)
        .values_list(
            PROFILE_DEPARTEMENT,
            "young_person__profile__birth_date",
            "young_person__profile__care_started_on",
            "held_on",
        )
    )
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for code, born, care_started_on, held_on in rows:
        cell = "on_time" if held_on <= interview_17_due_on(born, care_started_on) else "late"
        counts[code if codes is not None else NATIONAL][cell] += 1
    return {code: {cell: Cell(n, n) for cell, n in cells.items()} for code, cells in counts.items()}


def _to_organise(codes: list[str] | None, end: datetime) -> dict[str, dict[str, Cell]]:
    """The young people whose interview at 17 is due, scheduled or late on the window's
    last day, by the rule of ``selectors.steps_of`` (over one query of the profiles of
    those aged 16 to 18 then, and one of their interviews)."""
    day = (end - timedelta(microseconds=1)).date()
    profiles = list(
        in_departements(
            YoungPersonProfile.objects.filter(
                birth_date__gt=date(day.year - 19, 1, 1),
                birth_date__lte=date(day.year - 15, 12, 31),
            ),
            "departement",
            codes,
        ).select_related("user")
    )
    interviews = {
        interview.young_person_id: interview
        for interview in Interview.objects.filter(
            kind=Interview.Kind.AT_17, young_person_id__in=[p.user_id for p in profiles]
        )
    }
    wanted = {"due": "due", "requested": "due", "scheduled": "scheduled", "late": "late"}
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for profile in profiles:
        held = interviews.get(profile.user_id)
        if held is not None and held.held_on is not None and held.held_on > day:
            held.held_on = None  # held after that day: on that day, still to organise
        mine = {Interview.Kind.AT_17.value: held} if held is not None else {}
        for step in steps_of(profile, mine, day):
            if step.kind == Interview.Kind.AT_17 and step.status in wanted:
                code = profile.departement_id if codes is not None else NATIONAL
                counts[code][wanted[step.status]] += 1
    return {code: {cell: Cell(n, n) for cell, n in cells.items()} for code, cells in counts.items()}


def _answers(check_ins: QuerySet, codes: list[str] | None) -> dict[str, dict[str, Cell]]:
    """Each answer's check-ins and the young people behind them, in one query."""
    figures = {}
    for name, answer in CHECK_IN_ANSWERS.items():
        figures[f"{name}_n"] = Count("pk", filter=answer)
        figures[f"{name}_p"] = Count("young_person", filter=answer, distinct=True)
    return {
        code: {
            name: Cell(row[f"{name}_n"], row[f"{name}_p"])
            for name in CHECK_IN_ANSWERS
            if row[f"{name}_n"]
        }
        for code, row in _per_code(check_ins, "departement", codes, figures).items()
    }


def _per_code(queryset: QuerySet, departement: str, codes: list[str] | None, figures: dict):
    """``{code: row}`` of the ``figures`` aggregates, per département or pooled."""
    queryset = in_departements(queryset, departement, codes)
    if codes is None:
        row = queryset.aggregate(**figures)
        return {NATIONAL: row}
    rows = queryset.order_by().values(departement).annotate(**figures)
    return {row[departement]: row for row in rows}


def _progress(codes: list[str] | None, end: datetime) -> dict:
    """Per domain, the young people whose latest self-assessment scored higher there than
    their first (a score: the mean level of the domain's items answered), among those
    with two self-assessments or more by the end of the window. The first and latest
    are those that answered the domain: one that left it out says nothing of it. One
    query: each young person's first and latest scores are subqueries."""
    own = Assessment.objects.filter(by_role=Actor.YOUNG_PERSON, created_at__lt=end)
    twice = (own.order_by().values("young_person").annotate(n=Count("pk")).filter(n__gte=2)).values(
        "young_person"
    )
    people = User.objects.filter(pk__in=twice)
    figures = {"everyone": Count("pk")}
    for domain in Domain.values:
        score = (
            AssessmentAnswer.objects.filter(assessment=OuterRef("pk"), item__domain=domain)
            .order_by()
            .values("assessment")
            .annotate(mean=Avg("level"))
            .values("mean")
        )
        scored = (
            own.filter(young_person=OuterRef("pk"))
            .annotate(score=Subquery(score))
            .filter(score__isnull=False)
        )
        people = people.annotate(
            **{
                f"first_{domain}": Subquery(
                    scored.order_by("created_at", "pk").values("score")[:1]
                ),
                f"latest_{domain}": Subquery(
                    scored.order_by("-created_at", "-pk").values("score")[:1]
                ),
            }
        )
        figures[domain] = Count("pk", filter=Q(**{f"latest_{domain}__gt": F(f"first_{domain}")}))
    per_code = _per_code(people, "profile__departement", codes, figures)
    cells = {
        code: {domain: Cell(row[domain], row[domain]) for domain in Domain.values}
        for code, row in per_code.items()
        if row["everyone"]
    }
    total = {
        code: Cell(row["everyone"], row["everyone"])
        for code, row in per_code.items()
        if row["everyone"]
    }
    return tables("autonomy.assessment_progress", cells, total)
