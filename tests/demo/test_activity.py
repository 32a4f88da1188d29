"""After ``make run``'s ``load_demo``, département 93's figures are worth reading."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.dates import age_on
from accounts.models import ActivityDay, User
from autonomy import services as autonomy_services
from autonomy.models import CheckIn, Interview, Projet
from demo.activity import Window, load_demo_activity
from figures.periods import Period, first_of_month
from figures.selectors import departement_report
from mentoring.models import Appointment, Match, Meeting, Reminder
from tests.conftest import login_token

from .common import BANDS, KEY_TABLES, counts, last_quarter, make_run, shown

# Every test meets the demo as make run loads it (one load for the module).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_loaded")]


def test_every_month_over_and_the_last_quarter_show_the_key_tables():
    window = Window.ending(timezone.localdate())
    months = [Period.month(month.year, month.month) for month in window.months[:-1]]
    for period in [*months, last_quarter()]:
        report = departement_report("93", period)
        for key in KEY_TABLES:
            assert shown(report, key), (str(period), key)
        assert set(shown(report, "young_people.active_by_age")) >= BANDS, str(period)
        assert set(shown(report, "mentoring.time_to_match")) == {"median", "p90"}, str(period)
    quarter = departement_report("93", last_quarter())
    assert quarter.table("mentoring.ended_matches").total >= 15
    assert shown(quarter, "young_people.signups")["all"] >= 15


# The path to autonomy's tables every month over shows in 93 (the others depend on the
# ages and dates the fictitious people happen to have: some cells stay hidden).
AUTONOMY_EVERY_MONTH = (
    "autonomy.projets",
    "autonomy.six_months_interviews",
    "autonomy.help_requests",
)


def test_93_shows_the_path_to_autonomy_every_month_over():
    window = Window.ending(timezone.localdate())
    months = [Period.month(month.year, month.month) for month in window.months[:-1]]
    at_19 = 0
    for period in months:
        report = departement_report("93", period)
        for key in AUTONOMY_EVERY_MONTH:
            assert shown(report, key), (str(period), key)
        at_19 += bool(shown(report, "autonomy.check_ins_at_19"))
    assert at_19 >= len(months) - 1  # the first month may have too few aged 19 then
    quarter = departement_report("93", last_quarter())
    for key in ("autonomy.projets", "autonomy.six_months_interviews", "autonomy.help_requests"):
        assert shown(quarter, key), key
    assert shown(quarter, "autonomy.six_months_interviews")["all"] >= 15

    last = departement_report("93", Period.last_closed_month())
    assert shown(last, "autonomy.projets")["all"] >= 20
    assert shown(last, "autonomy.six_months_interviews")["all"] >= 5
    assert shown(last, "autonomy.help_requests")["all"] >= 5
    progress = last.table("autonomy.assessment_progress")
    assert progress.total >= 10
    assert len(shown(last, "autonomy.assessment_progress")) >= 4
    assert len(shown(last, "autonomy.check_ins_at_19")) >= 2
    others = ("at_18", "at_21", "six_months_after_care")
    assert any(shown(last, f"autonomy.check_ins_{moment}") for moment in others)
    # 75 has a little: projets, self-assessments.
    assert Projet.objects.filter(young_person__profile__departement_id="75").count() >= 5


def test_the_fictitious_check_ins_are_where_in_life_the_people_were():
    demo = CheckIn.objects.filter(young_person__email__startswith="demo.jeune.")
    assert demo.count() >= 200
    for check_in in demo.select_related("young_person__profile"):
        day = timezone.localdate(check_in.created_at)
        assert first_of_month(day) == check_in.month
        snapshot = autonomy_services.where_in_life(check_in.young_person, day)
        assert snapshot == {
            "age": check_in.age,
            "months_after_care": check_in.months_after_care,
            "departement_id": check_in.departement_id,
        }
        assert ActivityDay.objects.filter(user=check_in.young_person, day=day).exists()
        assert check_in.needs_help == (check_in.help_asked_at is not None)
    # A six-month interview comes after care ended, at 18 or later.
    for interview in Interview.objects.filter(
        young_person__email__startswith="demo.jeune.", kind=Interview.Kind.SIX_MONTHS
    ).select_related("young_person__profile"):
        profile = interview.young_person.profile
        assert profile.care_leaver and profile.care_ended_on < interview.held_on
        assert age_on(profile.birth_date, profile.care_ended_on) >= 18


def test_loading_again_duplicates_nothing():
    before = counts()
    figures = departement_report("93", Period.last_closed_month()).as_dict()
    assert not load_demo_activity()  # this window's activity is there: nothing made
    make_run()  # make run's loader again
    assert counts() == before
    assert departement_report("93", Period.last_closed_month()).as_dict() == figures


def test_demo_people_cannot_sign_in_and_nothing_is_left_for_the_worker():
    demo = User.objects.filter(email__startswith="demo.", email__endswith="@demo.jalon.fr")
    assert demo.count() == 111  # 80 + 20 young people, 10 vetted mentors and one to vet
    assert not any(user.has_usable_password() for user in demo)
    # Reminders are all sent or failed: the worker has nothing to send to these people.
    reminders = Reminder.objects.filter(user__in=demo)
    assert reminders.exists()
    assert not reminders.exclude(state__in=[Reminder.State.SENT, Reminder.State.FAILED]).exists()
    assert not Meeting.objects.filter(
        match__mentor__in=demo, starts_at__gte=timezone.now()
    ).exists()
    # Their calls for help reached nobody, and beat plans them no monthly check-in.
    assert CheckIn.objects.filter(young_person__in=demo, needs_help=True).exists()
    assert not Reminder.objects.filter(kind=Reminder.Kind.HELP_REQUEST).exists()
    autonomy_services.check_in_reminders_plan()
    assert not Reminder.objects.filter(user__in=demo, kind=Reminder.Kind.CHECK_IN).exists()


def test_the_command_refuses_to_run_in_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError):
        call_command("load_demo", stdout=io.StringIO())


def test_the_demo_keeps_no_paper_appointment_place_or_feedback_in_clear():
    clear = [
        "Préfecture - titre de séjour",
        "Apporter le titre de séjour",
        "Médiathèque de Bobigny",
        "Objectifs atteints",
        "residence_permit",
    ]
    found = set()
    with connection.cursor() as cursor:
        for table in ("mentoring_appointment", "mentoring_meeting", "mentoring_match"):
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - fixed names
            for row in cursor.fetchall():
                text = " ".join(
                    bytes(v).decode("utf-8", "replace")
                    if isinstance(v, memoryview | bytes)
                    else str(v)
                    for v in row
                )
                found |= {secret for secret in clear if secret in text}
        cursor.execute("SELECT * FROM vault_document")
        found |= {s for row in cursor.fetchall() for s in clear if s in " ".join(map(str, row))}
    assert found == set()
    # The activity's rows were sealed, not emptied: their owners read them back.
    assert {a.title for a in Appointment.objects.all()} >= {"Préfecture - titre de séjour"}
    assert any(m.place == "Médiathèque de Bobigny" for m in Meeting.objects.all())
    assert any(
        m.mentor_feedback == "Objectifs atteints, belle progression." for m in Match.objects.all()
    )
    client = APIClient()
    token = login_token(client, "jeune.93@demo.jalon.fr", "jalon-demo-2026")
    client.credentials(HTTP_X_SESSION_TOKEN=token)
    appointments = client.get("/api/v1/me/appointments/").json()["results"]
    assert "Apporter le titre de séjour et le RIB." in [a["notes"] for a in appointments]
