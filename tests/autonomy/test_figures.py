"""The path to autonomy's figures for October 2026, on hand-built data: what each table
counts, and that each hides a figure of fewer people than the threshold, per
département and nationally."""

from datetime import date
from itertools import count

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from autonomy.figures import SECTION, TABLES, provider
from autonomy.models import (
    Actor,
    Assessment,
    AssessmentAnswer,
    AssessmentItem,
    CheckIn,
    DomainWishes,
    Goal,
    Interview,
    Projet,
)
from autonomy.selectors import interview_17_due_on
from backend.aggregates import NATIONAL
from figures.models import MonthlyFigures
from figures.report import PROTECTIVE, SMALL
from figures.selectors import departement_report, national_report
from tests.figures.conftest import END, OCTOBER, START, figures, paris

pytestmark = pytest.mark.django_db

THRESHOLD = 5
IN_OCTOBER = date(2026, 10, 12)
OCTOBER_CHECK_IN = date(2026, 10, 1)
NOBODY_CHECKED_IN = {
    "housing_stable",
    "housing_other",
    "in_activity",
    "no_activity",
    "resources_enough",
    "resources_short",
}


@pytest.fixture
def young(make_user):
    """A young person of département ``code``: ``young("93", birth_date=...)``."""
    names = count()

    def _make(code="93", birth_date=None, care_started_on=None):
        user = make_user(f"young{next(names)}@example.org")
        profile = user.profile
        profile.departement_id = code
        profile.birth_date = birth_date
        profile.care_started_on = care_started_on
        profile.in_care = True
        profile.save()
        return user

    return _make


def projet(user, *, goal_on=None, wishes=None, wishes_on=None) -> Projet:
    made = Projet.objects.create(young_person=user, created_at=paris(2026, 9, 1))
    if goal_on is not None:
        Goal.objects.create(
            projet=made, domain="housing", title="Trouver un FJT", created_at=goal_on
        )
    if wishes is not None:
        row = DomainWishes.objects.create(projet=made, domain="schooling", text=wishes)
        DomainWishes.objects.filter(pk=row.pk).update(updated_at=wishes_on or paris(2026, 10, 2))
    return made


def held(user, kind, on) -> Interview:
    return Interview.objects.create(young_person=user, kind=kind, held_on=on)


def check_in(user, month=OCTOBER_CHECK_IN, code=None, **answers) -> CheckIn:
    """A check-in with its snapshot (the département the profile says, unless ``code``)."""
    return CheckIn.objects.create(
        young_person=user,
        month=month,
        departement_id=code or user.profile.departement_id,
        **answers,
    )


def items(domain, n=2) -> list[AssessmentItem]:
    return list(AssessmentItem.objects.filter(domain=domain, retired_in__isnull=True)[:n])


def assessed(user, at, by_role=Actor.YOUNG_PERSON, **levels) -> Assessment:
    """One assessment: ``housing=[1, 2]`` answers the first two housing items."""
    made = Assessment.objects.create(young_person=user, by_role=by_role, version=1, created_at=at)
    AssessmentAnswer.objects.bulk_create(
        AssessmentAnswer(assessment=made, item=item, level=level)
        for domain, answers in levels.items()
        for item, level in zip(items(domain, len(answers)), answers, strict=True)
    )
    return made


# --- What each table counts ------------------------------------------------------------


def test_young_people_with_a_goal_or_their_wishes_written_at_the_end_of_the_window(young):
    projet(young(), goal_on=paris(2026, 9, 15))
    projet(young(), goal_on=paris(2026, 10, 31, 23, 30))  # 22:30 UTC, still October
    projet(young(), wishes="Un BTS en alternance")
    projet(young(), wishes="")  # a domain opened, nothing written: an empty projet
    projet(young())  # made (a review date, a personne de confiance), nothing in it
    projet(young(), goal_on=paris(2026, 11, 1, 0, 30))  # the goal came in November
    projet(young(), wishes="Un studio", wishes_on=paris(2026, 11, 3))
    projet(young("75"), goal_on=paris(2026, 10, 2))
    projet(young(None), goal_on=paris(2026, 10, 2))  # no département: in no figure

    assert figures(provider, "autonomy.projets") == {"93": {"all": (3, 3)}, "75": {"all": (1, 1)}}
    pooled = figures(provider, "autonomy.projets", codes=None)
    assert pooled == {NATIONAL: {"all": (4, 4)}}


def test_the_due_date_of_the_interview_at_17_is_the_birthday_or_entering_care_after_it():
    assert interview_17_due_on(date(2009, 10, 20), None) == date(2026, 10, 20)
    assert interview_17_due_on(date(2009, 10, 20), date(2015, 3, 1)) == date(2026, 10, 20)
    assert interview_17_due_on(date(2009, 3, 1), date(2026, 9, 1)) == date(2026, 9, 1)
    assert interview_17_due_on(date(2008, 2, 29), None) == date(2025, 3, 1)


def test_interviews_at_17_held_in_the_window_on_time_or_late(young):
    at_17 = Interview.Kind.AT_17
    held(young(birth_date=date(2009, 11, 20)), at_17, date(2026, 10, 5))  # before 17: on time
    held(young(birth_date=date(2009, 10, 20)), at_17, date(2026, 10, 20))  # on the day
    held(young(birth_date=date(2009, 10, 20)), at_17, date(2026, 10, 21))  # a day late
    held(young(birth_date=date(2009, 1, 15)), at_17, date(2026, 10, 31))  # late
    # Came into care at 17 and a half: due on entering care, on time within the day.
    entered = young(birth_date=date(2009, 3, 1), care_started_on=date(2026, 10, 1))
    held(entered, at_17, date(2026, 10, 1))
    late_entry = young(birth_date=date(2009, 3, 1), care_started_on=date(2026, 9, 1))
    held(late_entry, at_17, date(2026, 10, 15))  # six weeks after entering care: late
    held(young(birth_date=date(2009, 11, 1)), at_17, date(2026, 9, 30))  # September
    held(young(birth_date=date(2009, 12, 1)), at_17, date(2026, 11, 1))  # November
    Interview.objects.create(  # scheduled, not held
        young_person=young(birth_date=date(2009, 12, 1)),
        kind=at_17,
        scheduled_for=paris(2026, 10, 20, 10),
    )
    held(young(birth_date=None), at_17, date(2026, 10, 5))  # no due date: left out
    held(young(birth_date=date(2008, 1, 1)), Interview.Kind.SIX_MONTHS, date(2026, 10, 5))
    held(young("75", birth_date=date(2009, 1, 1)), at_17, date(2026, 10, 9))

    assert figures(provider, "autonomy.interviews_17") == {
        "93": {"on_time": (3, 3), "late": (3, 3)},
        "75": {"late": (1, 1)},
    }
    pooled = figures(provider, "autonomy.interviews_17", codes=None)
    assert pooled == {NATIONAL: {"on_time": (3, 3), "late": (4, 4)}}


def test_interviews_at_17_to_organise_on_the_windows_last_day(young):
    young("93", birth_date=date(2009, 12, 15))  # 17 in December: due, no date set
    young("93", birth_date=date(2009, 6, 1))  # 17 in June, not held: late
    young("93", birth_date=date(2008, 6, 1))  # 18 in June: no longer a minor's interview
    done = young("93", birth_date=date(2009, 7, 1))
    held(done, Interview.Kind.AT_17, date(2026, 7, 2))
    young("93", birth_date=date(2010, 6, 1))  # 17 next June: not yet
    young("75", birth_date=date(2009, 6, 1))  # late, in Paris
    counted = figures(provider, "autonomy.interviews_17_to_organise", codes=["93", "75"])
    assert counted["93"] == {"due": (1, 1), "late": (1, 1)}
    assert counted["75"] == {"late": (1, 1)}


def test_six_month_interviews_held_in_the_window(young):
    six = Interview.Kind.SIX_MONTHS
    held(young(), six, date(2026, 10, 1))
    held(young(), six, date(2026, 10, 31))
    held(young(), six, date(2026, 9, 30))
    held(young(), six, date(2026, 11, 1))
    Interview.objects.create(young_person=young(), kind=six, requested_at=paris(2026, 10, 3))
    held(young(birth_date=date(2009, 1, 1)), Interview.Kind.AT_17, date(2026, 10, 3))
    held(young("75"), six, date(2026, 10, 14))

    assert figures(provider, "autonomy.six_months_interviews") == {
        "93": {"all": (2, 2)},
        "75": {"all": (1, 1)},
    }


def test_what_the_check_ins_say_at_18_each_answer_for_itself(young):
    check_in(young(), age=18, housing="stable", activity="job", resources="enough")
    check_in(young(), age=18, housing="temporary", activity="apprenticeship", resources="")
    check_in(young(), age=18, housing="none", activity="none", resources="not_enough")
    check_in(young(), age=18, housing="", activity="school", needs_help=True)
    check_in(young(), age=18, housing="stable", month=date(2026, 9, 1))  # September
    check_in(young(), age=18, housing="stable", month=date(2026, 11, 1))  # November
    check_in(young(), age=20, housing="stable")  # at 20: no table
    # Moved to Paris since: counted where they were that month.
    moved = young("75")
    check_in(moved, age=18, housing="stable", activity="training", code="93")
    check_in(young("75"), age=18, resources="enough")
    check_in(young(None), age=18, housing="stable", code=None)  # no département

    assert figures(provider, "autonomy.check_ins_at_18") == {
        "93": {
            "housing_stable": (2, 2),
            "housing_other": (2, 2),
            "in_activity": (4, 4),
            "no_activity": (1, 1),
            "resources_enough": (1, 1),
            "resources_short": (1, 1),
        },
        "75": {"resources_enough": (1, 1)},
    }


def test_check_ins_at_19_21_and_six_months_after_care_each_have_their_table(young):
    check_in(young(), age=19, housing="stable")
    check_in(young(), age=19, months_after_care=6, housing="temporary")  # in both
    check_in(young(), age=21, activity="none")
    check_in(young(), age=22, months_after_care=6, resources="not_enough")
    check_in(young(), age=20, months_after_care=7, housing="stable")  # in none

    found = {key: figures(provider, key) for key in TABLES if key.startswith("autonomy.check_ins")}
    assert found == {
        "autonomy.check_ins_at_18": {},
        "autonomy.check_ins_at_19": {"93": {"housing_stable": (1, 1), "housing_other": (1, 1)}},
        "autonomy.check_ins_at_21": {"93": {"no_activity": (1, 1)}},
        "autonomy.check_ins_six_months_after_care": {
            "93": {"housing_other": (1, 1), "resources_short": (1, 1)}
        },
    }


def test_calls_for_help_in_the_window_where_the_young_person_was_that_month(young):
    def asked(user, at, **fields):
        return check_in(user, needs_help=True, help_asked_at=at, **fields)

    asked(young(), paris(2026, 10, 1, 0, 10))
    asked(young(), paris(2026, 10, 31, 23, 30))  # 22:30 UTC, still October
    asked(young(), paris(2026, 9, 30, 23, 30), month=date(2026, 9, 1))  # September in Paris
    asked(young(), paris(2026, 11, 1, 0, 30), month=date(2026, 11, 1))
    again = young()
    asked(again, paris(2026, 9, 20), month=date(2026, 9, 1))
    asked(again, paris(2026, 10, 20))  # once a month: counted in October
    check_in(young(), needs_help=False, housing="stable")
    asked(young("75"), paris(2026, 10, 8), code="93")  # was in 93 that month

    assert figures(provider, "autonomy.help_requests") == {"93": {"all": (4, 4)}}


def test_young_people_whose_self_assessment_progressed_by_domain(young):
    september, october = paris(2026, 9, 3), paris(2026, 10, 20)
    rose = young()
    assessed(rose, paris(2026, 3, 1), housing=[0, 1], health=[3, 3])
    assessed(rose, september, housing=[1, 1])  # health left out here
    assessed(rose, october, housing=[2, 3], health=[2, 3])  # housing up, health down
    flat = young()
    assessed(flat, september, housing=[2, 2])
    assessed(flat, october, housing=[1, 3])  # the same mean: no progress
    # Health answered in the first and the latest only: those two are compared.
    skipped = young()
    assessed(skipped, september, health=[1, 1], housing=[3, 3])
    assessed(skipped, october, housing=[3, 3])
    assessed(skipped, paris(2026, 10, 25), health=[2, 2])
    once = young()  # one self-assessment: not counted, whatever the référent says
    assessed(once, september, housing=[0, 0])
    assessed(once, october, by_role=Actor.REFERENT, housing=[3, 3])
    later = young()  # the second one came in November
    assessed(later, september, housing=[0, 0])
    assessed(later, paris(2026, 11, 1, 0, 30), housing=[3, 3])
    paris_young = young("75")
    assessed(paris_young, september, mobility=[0])
    assessed(paris_young, october, mobility=[1])

    found = figures(provider, "autonomy.assessment_progress")
    assert {code: {k: v for k, v in cells.items() if v[0]} for code, cells in found.items()} == {
        "93": {"housing": (1, 1), "health": (1, 1), "total": (3, 3)},
        "75": {"mobility": (1, 1), "total": (1, 1)},
    }
    assert found["93"]["rights"] == (0, 0)  # every domain is a figure: none progressed
    pooled = figures(provider, "autonomy.assessment_progress", codes=None)[NATIONAL]
    assert {k: v for k, v in pooled.items() if v[0]} == {
        "housing": (1, 1),
        "health": (1, 1),
        "mobility": (1, 1),
        "total": (4, 4),
    }


def test_the_queries_do_not_grow_with_the_young_people(young):
    def queries_with(people):
        for n in range(people):
            user = young(("93", "75")[n % 2], birth_date=date(2009, 10, 1))
            projet(user, goal_on=paris(2026, 10, 2), wishes="Un CAP")
            held(user, Interview.Kind.AT_17, date(2026, 10, 1 + n % 20))
            held(user, Interview.Kind.SIX_MONTHS, IN_OCTOBER)
            check_in(
                user,
                age=18,
                months_after_care=6,
                housing="stable",
                needs_help=True,
                help_asked_at=paris(2026, 10, 3),
            )
            assessed(user, paris(2026, 9, 1), housing=[0, 1], health=[1])
            assessed(user, paris(2026, 10, 1), housing=[2, 1], health=[3])
        with CaptureQueriesContext(connection) as reading:
            provider(["93", "75"], START, END)
        return len(reading)

    few = queries_with(2)
    assert queries_with(12) == few


# --- Small counts hidden: threshold - 1, threshold, threshold + 1 ------------------------


def _at_17_on_time(young, code):
    held(young(code, birth_date=date(2009, 11, 20)), Interview.Kind.AT_17, IN_OCTOBER)


def _at_17_late(young, code):
    held(young(code, birth_date=date(2009, 1, 20)), Interview.Kind.AT_17, IN_OCTOBER)


def _moment(**snapshot):
    def _make(young, code):
        check_in(young(code), housing="stable", **snapshot)

    return _make


def _progressed(young, code):
    user = young(code)
    assessed(user, paris(2026, 9, 1), housing=[0, 1])
    assessed(user, paris(2026, 10, 1), housing=[2, 3])


def _unchanged(young, code):
    user = young(code)
    assessed(user, paris(2026, 9, 1), housing=[2, 2])
    assessed(user, paris(2026, 10, 1), housing=[2, 2])


# (table, row, one person in that row in département ``code``, what else each
# département has: a yes/no share needs enough people on its other side too)
CASES = {
    "projet": (
        "autonomy.projets",
        "all",
        lambda young, code: projet(young(code), goal_on=paris(2026, 10, 2)),
        None,
    ),
    "interview at 17 on time": ("autonomy.interviews_17", "on_time", _at_17_on_time, None),
    "interview at 17 late": ("autonomy.interviews_17", "late", _at_17_late, None),
    "interview at 17 late, to organise": (
        "autonomy.interviews_17_to_organise",
        "late",
        lambda young, code: young(code, birth_date=date(2009, 6, 1)),
        None,
    ),
    "six-month interview": (
        "autonomy.six_months_interviews",
        "all",
        lambda young, code: held(young(code), Interview.Kind.SIX_MONTHS, IN_OCTOBER),
        None,
    ),
    "check-in at 18": ("autonomy.check_ins_at_18", "housing_stable", _moment(age=18), None),
    "check-in at 19": ("autonomy.check_ins_at_19", "housing_stable", _moment(age=19), None),
    "check-in at 21": ("autonomy.check_ins_at_21", "housing_stable", _moment(age=21), None),
    "check-in six months after care": (
        "autonomy.check_ins_six_months_after_care",
        "housing_stable",
        _moment(months_after_care=6),
        None,
    ),
    "call for help": (
        "autonomy.help_requests",
        "all",
        lambda young, code: check_in(
            young(code), needs_help=True, help_asked_at=paris(2026, 10, 9)
        ),
        None,
    ),
    "assessment progress": (
        "autonomy.assessment_progress",
        "housing",
        _progressed,
        _unchanged,
    ),
}


def _populate(young, code, n, make, others):
    for _n in range(n):
        make(young, code)
    for _n in range(THRESHOLD + 1 if others else 0):
        others(young, code)


def _row(report, key, row):
    return next(r for r in report.table(key).rows if r.key == row)


@pytest.mark.parametrize("case", CASES)
def test_a_figure_of_fewer_people_than_the_threshold_is_hidden_in_a_departement(young, case):
    key, row, make, others = CASES[case]
    for code, n in (("93", THRESHOLD - 1), ("75", THRESHOLD), ("13", THRESHOLD + 1)):
        _populate(young, code, n, make, others)

    below = _row(departement_report("93", OCTOBER, threshold=THRESHOLD), key, row)
    assert (below.value, below.hidden) == (None, SMALL)
    at = _row(departement_report("75", OCTOBER, threshold=THRESHOLD), key, row)
    assert (at.value, at.hidden) == (THRESHOLD, None)
    above = _row(departement_report("13", OCTOBER, threshold=THRESHOLD), key, row)
    assert (above.value, above.hidden) == (THRESHOLD + 1, None)


@pytest.mark.parametrize("case", CASES)
def test_nationally_a_departements_hidden_figure_is_hidden_unless_others_hide_with_it(young, case):
    key, row, make, others = CASES[case]
    for code, n in (("93", THRESHOLD - 1), ("75", THRESHOLD), ("13", THRESHOLD + 1)):
        _populate(young, code, n, make, others)
    everyone = 3 * THRESHOLD

    pooled = figures(provider, key, codes=None)[NATIONAL][row]
    assert pooled == (everyone, everyone)
    # 93's figure alone is hidden: France minus 75 and 13 would give it back.
    national = _row(national_report(OCTOBER, threshold=THRESHOLD), key, row)
    assert (national.value, national.hidden) == (None, PROTECTIVE)

    # One more in 92, hidden there too: 93 and 92 hide together 5 people, France shows.
    _populate(young, "92", 1, make, others)
    MonthlyFigures.objects.all().delete()  # the same October, read again afresh
    national = _row(national_report(OCTOBER, threshold=THRESHOLD), key, row)
    assert (national.value, national.hidden) == (everyone + 1, None)


def test_a_domain_almost_everyone_progressed_in_is_hidden_too(young):
    """A yes/no share: "all but 4 progressed" points at 4 people as surely as "4 did"."""
    for _n in range(THRESHOLD + 1):
        _progressed(young, "93")
    for _n in range(THRESHOLD - 1):
        _unchanged(young, "93")

    table = departement_report("93", OCTOBER, threshold=THRESHOLD).table(
        "autonomy.assessment_progress"
    )
    housing = next(row for row in table.rows if row.key == "housing")
    assert (housing.value, housing.hidden) == (None, SMALL)
    assert table.total == 2 * THRESHOLD


def test_every_table_is_in_the_report_under_the_path_to_autonomy(young):
    report = departement_report("93", OCTOBER, threshold=THRESHOLD)
    autonomy = [table for table in report.tables if table.key.startswith("autonomy.")]
    assert [table.key for table in autonomy] == list(TABLES)
    assert {table.section for table in autonomy} == {str(SECTION)}
    at_18 = report.table("autonomy.check_ins_at_18")
    assert {row.key for row in at_18.rows} == NOBODY_CHECKED_IN
    assert all(row.hidden == SMALL for row in at_18.rows)  # nobody: "< 5"


def test_an_interview_held_after_the_window_was_still_to_organise_in_it(young):
    late = young("93", birth_date=date(2009, 6, 1))
    held(late, Interview.Kind.AT_17, date(2026, 11, 20))  # after October
    counted = figures(provider, "autonomy.interviews_17_to_organise", codes=["93"])
    assert counted["93"] == {"late": (1, 1)}
