"""After ``make run``'s ``load_demo``, département 93's figures are worth reading."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.dates import age_on
from accounts.models import ActivityDay, User
from autonomy import services as autonomy_services
from autonomy.models import Assessment, CheckIn, Interview, Projet, ProjetChange
from demo.accounts import load_demo_accounts
from demo.activity import MARKER_EMAIL, Window, load_demo_activity
from demo.catalogue import load_demo_catalogue
from demo.mentoring import load_demo_mentoring
from demo.vault import load_demo_vault
from figures.periods import Period, first_of_month
from figures.selectors import departement_report
from figures.services import month_archive
from mentoring.models import (
    Appointment,
    Match,
    Meeting,
    MentoringRequest,
    MentorProfile,
    Reminder,
    ReminderDelivery,
)
from services_catalog.models import Demarche, EntryConsultation, EntryErrorReport, SearchEvent
from tests.conftest import login_token
from vault.models import Document

pytestmark = pytest.mark.django_db

MODELS = (
    User,
    ActivityDay,
    SearchEvent,
    EntryConsultation,
    Demarche,
    EntryErrorReport,
    MentorProfile,
    MentoringRequest,
    Match,
    Meeting,
    Appointment,
    Reminder,
    ReminderDelivery,
    Document,
    Projet,
    ProjetChange,
    Assessment,
    CheckIn,
    Interview,
)
# The tables a département's officer reads first: each must show something.
KEY_TABLES = (
    "young_people.active_by_age",
    "young_people.signups",
    "catalogue.searches_by_category",
    "catalogue.unmet_by_category",
    "catalogue.unmet_by_commune",
    "mentoring.time_to_match",
    "mentoring.meetings",
    "reminders.sent",
)
BANDS = {"16-17", "18-20", "21-25"}


def load_others() -> None:
    """The demo loaders that come before the activity's."""
    load_demo_accounts()
    load_demo_catalogue()
    load_demo_vault()
    load_demo_mentoring()


def make_run() -> None:
    call_command("load_demo", stdout=io.StringIO())


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def shown(report, key: str) -> dict:
    return {row.key: row.value for row in report.table(key).rows if row.value is not None}


def last_quarter() -> Period:
    """The last three months that are over."""
    last = Period.last_closed_month()
    first = last.first
    for _ in range(2):
        first = first_of_month(first - timedelta(days=1))
    return Period.from_dates(first, last.last)


def test_93_shows_figures_for_the_last_month_over():
    load_others()
    last_month = Period.last_closed_month()
    departement_report("93", last_month)  # read before: kept empty, then computed again
    load_demo_activity()

    report = departement_report("93", last_month)
    for key in KEY_TABLES:
        assert shown(report, key), key
    ages = report.table("young_people.active_by_age")
    assert set(shown(report, "young_people.active_by_age")) >= BANDS
    assert ages.total >= 40
    assert shown(report, "young_people.signups")["all"] >= 5
    assert len(shown(report, "young_people.situations")) >= 5
    assert len(shown(report, "catalogue.searches_by_category")) >= 6
    assert {"logement-hebergement", "mobilite"} <= set(shown(report, "catalogue.unmet_by_category"))
    assert {"93014", "93071"} <= set(shown(report, "catalogue.unmet_by_commune"))
    assert len(shown(report, "catalogue.consulted_entries")) >= 3
    assert set(shown(report, "catalogue.demarches")) == {"started", "done", "abandoned"}
    assert shown(report, "catalogue.error_reports")["received"] >= 2
    assert shown(report, "catalogue.error_report_handling_time")["median"] > 0
    wait = shown(report, "mentoring.time_to_match")
    assert 0 < wait["median"] <= wait["p90"]
    assert shown(report, "mentoring.mentors")["approved"] >= 10
    assert shown(report, "mentoring.waiting")["all"] >= 5
    assert shown(report, "mentoring.active_matches")["all"] >= 5
    assert report.table("mentoring.ended_matches").total >= 5
    assert "goals_reached" in shown(report, "mentoring.ended_matches")
    assert shown(report, "mentoring.meetings")["all"] >= 5
    assert set(shown(report, "reminders.sent")) == {"push", "email"}
    assert shown(report, "vault.accounts")["all"] >= 5
    assert shown(report, "vault.documents_by_type")
    # 75 has a little activity too, mostly under the threshold.
    assert departement_report("75", last_month).table("young_people.active_by_age").total


def test_every_month_over_and_the_last_quarter_show_the_key_tables():
    make_run()
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
    make_run()
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
    make_run()
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
    make_run()
    before = counts()
    figures = departement_report("93", Period.last_closed_month()).as_dict()
    assert not load_demo_activity()  # this window's activity is there: nothing made
    make_run()  # make run's loader again
    assert counts() == before
    assert departement_report("93", Period.last_closed_month()).as_dict() == figures


def test_a_later_window_replaces_the_activity_of_the_previous_one():
    load_others()
    today = timezone.localdate()
    two_months_ago = first_of_month(first_of_month(today) - timedelta(days=40))
    assert load_demo_activity(today=two_months_ago + timedelta(days=14))
    # The server kept running: beat kept a month and blanked its pseudonyms.
    month_archive(first_of_month(two_months_ago - timedelta(days=1)))
    outcome = load_demo_activity()
    assert outcome["previous demo activity replaced"] == 1
    window = Window.ending(today)
    marker = User.objects.get(email=MARKER_EMAIL)
    assert timezone.localdate(marker.date_joined) == window.months[0]
    # Nothing of the old window is left before the new one starts.
    assert not SearchEvent.objects.filter(created_at__lt=window.start).exists()
    assert not EntryConsultation.objects.filter(created_at__lt=window.start).exists()
    assert not SearchEvent.objects.filter(visitor="").exists()  # the kept month's too
    assert not EntryConsultation.objects.filter(visitor="").exists()
    assert not ActivityDay.objects.filter(day__lt=window.months[0]).exists()
    assert not EntryErrorReport.objects.filter(created_at__lt=window.start).exists()
    assert User.objects.filter(email__startswith="demo.jeune.93.").count() == 80
    assert User.objects.filter(email__startswith="demo.jeune.75.").count() == 20
    assert MentorProfile.objects.filter(user__email__startswith="demo.mentor.93.").count() == 10
    made = counts()
    assert not load_demo_activity()
    assert counts() == made


def test_demo_people_cannot_sign_in_and_nothing_is_left_for_the_worker():
    make_run()
    demo = User.objects.filter(email__startswith="demo.", email__endswith="@demo.jalon.fr")
    assert demo.count() == 110
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
    make_run()
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
