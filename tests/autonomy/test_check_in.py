"""Où en es-tu ? The monthly check-in: one a month (answering again corrects it); "J'ai
besoin d'aide" reaches the young person's référents of active links, and their mentor if
they chose, once a month and discreetly (no name on a lock screen or in a mailbox); a
monthly reminder, at most one a month, which the young person may switch off; the
référent's "Mes jeunes" shows the call for help for 30 days."""

from datetime import date, timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from autonomy import selectors, services
from autonomy.models import CheckIn
from mentoring.agenda import reminders
from mentoring.agenda import services as agenda
from mentoring.models import Notification, RecordedSend, Reminder
from mentoring.tasks import dispatch_due_reminders
from referents import selectors as referents_selectors
from referents.models import Link
from tests.mentoring.factories import mentoring_match
from tests.referents.pages import browser_client

pytestmark = pytest.mark.django_db

CHECK_INS = "/api/v1/me/check-ins/"


def _assert_error(response, status: int = 400) -> dict:
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["status"] == status and error["code"] and error["message"]
    return error


def _help_requests(user=None):
    found = Reminder.objects.filter(kind=Reminder.Kind.HELP_REQUEST)
    return found.filter(user=user) if user is not None else found


def _check_in_reminders(user):
    return Reminder.objects.filter(kind=Reminder.Kind.CHECK_IN, user=user)


def _rows():
    return list(
        CheckIn.objects.order_by("pk").values_list(
            "pk", "month", "housing", "activity", "resources", "needs_help", "tell_mentor"
        )
    )


def _link(referent) -> Link:
    [link] = referents_selectors.young_people_links_for_user(user=referent)
    return link


@pytest.fixture
def match(young_person, mentor, coordinator_93):
    _request, match = mentoring_match(
        young_person=young_person, mentor=mentor, coordinator=coordinator_93, state="active"
    )
    return match


# --- This month's check-in --------------------------------------------------------------------


def test_the_check_in_of_this_month_is_recorded_and_answering_again_corrects_it(
    young_person, client_for
):
    with time_machine.travel("2026-04-10 10:00 +02:00", tick=False):
        client = client_for(young_person)
        first = client.post(CHECK_INS, {"housing": "temporary", "activity": "training"})
        assert first.status_code == 201, first.content
        assert first.json() == {
            "month": "2026-04-01",
            "housing": "temporary",
            "activity": "training",
            "resources": "",
            "needs_help": False,
            "tell_mentor": False,
            "help_asked_at": None,
        }
    with time_machine.travel("2026-04-25 10:00 +02:00", tick=False):
        client = client_for(young_person)
        again = client.post(CHECK_INS, {"housing": "stable", "resources": "enough"}, format="json")
        assert again.status_code == 201
        assert again.json()["housing"] == "stable"
        assert again.json()["activity"] == "training"  # not answered again: kept
        assert again.json()["resources"] == "enough"
        listed = client.get(CHECK_INS).json()["results"]
    assert CheckIn.objects.filter(young_person=young_person).count() == 1
    assert [row["month"] for row in listed] == ["2026-04-01"]
    assert listed[0]["housing"] == "stable"


def test_each_month_has_its_check_in_newest_first(young_person, client_for):
    for day in ("2026-02-05", "2026-03-05", "2026-04-05"):
        with time_machine.travel(f"{day} 10:00 +01:00", tick=False):
            client = client_for(young_person)
            assert client.post(CHECK_INS, {"activity": "job"}, format="json").status_code == 201
            listed = client.get(CHECK_INS).json()["results"]
    assert [row["month"] for row in listed] == ["2026-04-01", "2026-03-01", "2026-02-01"]


def test_where_in_life_is_kept_as_it_was_that_month(young_person, client_for):
    profile = young_person.profile
    profile.birth_date, profile.care_ended_on = date(2007, 6, 15), date(2025, 6, 30)
    profile.save()
    with time_machine.travel("2026-01-20 10:00 +01:00", tick=False):
        client_for(young_person).post(CHECK_INS, {"housing": "stable"}, format="json")
    check_in = CheckIn.objects.get(young_person=young_person)
    assert (check_in.age, check_in.months_after_care, check_in.departement_id) == (18, 6, "93")


@pytest.mark.parametrize(
    "body",
    [{}, {"housing": ""}, {"needs_help": False}],
    ids=["empty", "blank-answer", "no-help-only"],
)
def test_a_check_in_with_no_answer_is_a_400_and_nothing_is_written(young_person, client_for, body):
    response = client_for(young_person).post(CHECK_INS, body, format="json")
    error = _assert_error(response)
    assert error["code"] == "empty"
    assert not CheckIn.objects.exists() and not _help_requests().exists()


def test_tell_mentor_alone_is_no_answer(young_person, client_for):
    response = client_for(young_person).post(CHECK_INS, {"tell_mentor": True}, format="json")
    assert _assert_error(response)["code"] == "empty"
    assert not CheckIn.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"housing": "castle"}, "housing"),
        ({"activity": "astronaut"}, "activity"),
        ({"resources": "rich"}, "resources"),
        ({"housing": "stable", "needs_help": "maybe"}, "needs_help"),
        ({"housing": ["stable"]}, "housing"),
    ],
)
def test_a_bad_choice_is_a_400_naming_the_field_and_nothing_is_written(
    young_person, client_for, body, field
):
    client = client_for(young_person)
    client.post(CHECK_INS, {"housing": "temporary"}, format="json")
    before = _rows()
    error = _assert_error(client.post(CHECK_INS, body, format="json"))
    assert error["code"] == "invalid" and field in error["fields"]
    assert _rows() == before
    assert not _help_requests().exists()


def test_the_month_and_the_time_of_the_call_for_help_are_not_the_young_persons_to_set(
    young_person, client_for
):
    response = client_for(young_person).post(
        CHECK_INS,
        {"housing": "stable", "month": "2020-01-01", "help_asked_at": "2020-01-01T10:00:00Z"},
        format="json",
    )
    # Read-only fields are ignored (or refused): the row is this month's, no help asked.
    if response.status_code == 201:
        check_in = CheckIn.objects.get()
        assert check_in.month == timezone.localdate().replace(day=1)
        assert check_in.help_asked_at is None
    else:
        _assert_error(response)
        assert not CheckIn.objects.exists()


# --- "J'ai besoin d'aide" -----------------------------------------------------------------------


def test_needing_help_tells_each_referent_of_an_active_link_and_not_an_ended_one(
    young_person,
    referent,
    referent_few_scopes,
    referent_ended,
    referent_unlinked,
    mentor,
    match,
    client_for,
):
    response = client_for(young_person).post(
        CHECK_INS, {"needs_help": True, "housing": "none"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["help_asked_at"] is not None
    assert response.json()["tell_mentor"] is False
    # Whatever the link's scopes: asking for help is the young person's message.
    assert set(_help_requests().values_list("user_id", flat=True)) == {
        referent.pk,
        referent_few_scopes.pk,
    }
    assert _help_requests(referent).count() == 1
    assert not _help_requests(referent_ended).exists()
    assert not _help_requests(referent_unlinked).exists()
    assert not _help_requests(mentor).exists()  # not without "tell my mentor"
    assert not _help_requests(young_person).exists()


def test_with_tell_mentor_the_mentor_of_an_active_match_is_told_too(
    young_person, referent, mentor, match, client_for
):
    response = client_for(young_person).post(
        CHECK_INS, {"needs_help": True, "tell_mentor": True}, format="json"
    )
    assert response.status_code == 201 and response.json()["tell_mentor"] is True
    assert _help_requests(referent).count() == 1
    assert _help_requests(mentor).count() == 1


def test_a_mentor_whose_match_ended_is_not_told(young_person, referent, mentor, match, client_for):
    from mentoring import services as mentoring_services
    from mentoring.models import Match

    mentoring_services.match_end(match=match, by=mentor, reason=Match.EndReason.GOALS_REACHED)
    client_for(young_person).post(
        CHECK_INS, {"needs_help": True, "tell_mentor": True}, format="json"
    )
    assert not _help_requests(mentor).exists()
    assert _help_requests(referent).count() == 1


def test_tell_mentor_without_needing_help_tells_no_one(young_person, mentor, match, client_for):
    response = client_for(young_person).post(
        CHECK_INS, {"housing": "stable", "tell_mentor": True}, format="json"
    )
    assert response.status_code == 201 and response.json()["tell_mentor"] is False
    assert not _help_requests().exists()


def test_asking_again_the_same_month_does_not_tell_twice(
    young_person, referent, mentor, match, client_for
):
    with time_machine.travel("2026-05-04 10:00 +02:00", tick=False):
        client = client_for(young_person)
        first = client.post(CHECK_INS, {"needs_help": True, "tell_mentor": True}, format="json")
        asked_at = first.json()["help_asked_at"]
    with time_machine.travel("2026-05-20 10:00 +02:00", tick=False):
        client = client_for(young_person)
        again = client.post(
            CHECK_INS, {"needs_help": True, "tell_mentor": True, "housing": "none"}, format="json"
        )
        assert again.status_code == 201
        assert again.json()["help_asked_at"] == asked_at
    assert _help_requests(referent).count() == 1 and _help_requests(mentor).count() == 1


def test_asking_for_help_next_month_tells_again(young_person, referent, client_for):
    with time_machine.travel("2026-05-04 10:00 +02:00", tick=False):
        client_for(young_person).post(CHECK_INS, {"needs_help": True}, format="json")
    with time_machine.travel("2026-06-04 10:00 +02:00", tick=False):
        client_for(young_person).post(CHECK_INS, {"needs_help": True}, format="json")
    assert _help_requests(referent).count() == 2


def test_unticking_then_asking_again_the_same_month_does_not_tell_twice(
    young_person, referent, client_for
):
    client = client_for(young_person)
    client.post(CHECK_INS, {"needs_help": True}, format="json")
    client.post(CHECK_INS, {"needs_help": False, "housing": "stable"}, format="json")
    client.post(CHECK_INS, {"needs_help": True}, format="json")
    assert _help_requests(referent).count() == 1


def test_adding_tell_mentor_later_in_the_month_tells_the_mentor(
    young_person, referent, mentor, match, client_for
):
    client = client_for(young_person)
    client.post(CHECK_INS, {"needs_help": True}, format="json")
    later = client.post(CHECK_INS, {"needs_help": True, "tell_mentor": True}, format="json")
    assert later.json()["tell_mentor"] is True
    assert _help_requests(mentor).count() == 1
    assert _help_requests(referent).count() == 1  # the référent is not told twice


def test_what_reaches_the_referent_and_the_mentor_names_no_one(
    young_person, referent, mentor, match, client_for, settings
):
    settings.PUSH_BACKEND = "recording"
    mail.outbox.clear()
    client_for(young_person).post(
        CHECK_INS,
        {"needs_help": True, "tell_mentor": True, "housing": "none", "resources": "not_enough"},
        format="json",
    )
    mail.outbox.clear()  # what signing in sent, if anything
    stats = reminders.dispatch()
    assert stats.sent == 2 and stats.failed == 0

    for helper in (referent, mentor):
        reminder = _help_requests(helper).get()
        assert reminder.state == Reminder.State.SENT
        [notification] = Notification.objects.filter(user=helper)
        assert notification.title and notification.body
        [push] = RecordedSend.objects.filter(idempotency_key=f"reminder-{reminder.pk}-push")
        assert push.title == notification.title
        # What the app opens: the link (the référent's page of the young person), the match.
        target = _link(referent).pk if helper == referent else match.pk
        assert (push.kind, push.target_id) == ("help_request", str(target))
        [email] = [message for message in mail.outbox if message.to == [helper.email]]
        for text in (notification.title, notification.body, push.title, email.subject, email.body):
            assert "Aminata" not in text
            assert young_person.email not in text
            assert "logement" not in text.lower() and "housing" not in text.lower()
    assert not Notification.objects.filter(user=young_person).exists()
    # Sent once: another run finds nothing to send.
    assert reminders.dispatch().sent == 0
    assert len(mail.outbox) == 2


def test_the_celery_task_sends_the_calls_for_help(young_person, referent, client_for, settings):
    settings.PUSH_BACKEND = "recording"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    client_for(young_person).post(CHECK_INS, {"needs_help": True}, format="json")
    mail.outbox.clear()
    result = dispatch_due_reminders.apply().get()
    assert result["sent"] == 1
    assert _help_requests(referent).get().state == Reminder.State.SENT
    [email] = mail.outbox
    assert email.to == [referent.email] and "Aminata" not in email.subject + email.body


# --- The monthly reminder ----------------------------------------------------------------------


def test_one_reminder_a_month_for_someone_who_has_not_checked_in(young_person):
    with time_machine.travel("2026-03-05 09:00 +01:00", tick=False):
        services.check_in_reminders_plan()
        services.check_in_reminders_plan()
    assert _check_in_reminders(young_person).count() == 1
    with time_machine.travel("2026-03-28 09:00 +01:00", tick=False):
        services.check_in_reminders_plan()
    assert _check_in_reminders(young_person).count() == 1
    with time_machine.travel("2026-04-05 09:00 +02:00", tick=False):
        services.check_in_reminders_plan()
    assert _check_in_reminders(young_person).count() == 2


def test_no_reminder_for_someone_who_checked_in_this_month(young_person, client_for):
    with time_machine.travel("2026-03-02 09:00 +01:00", tick=False):
        client_for(young_person).post(CHECK_INS, {"activity": "school"}, format="json")
    with time_machine.travel("2026-03-25 09:00 +01:00", tick=False):
        services.check_in_reminders_plan()
    assert not _check_in_reminders(young_person).exists()
    # Next month, once three weeks have passed since: reminded again.
    with time_machine.travel("2026-04-06 09:00 +02:00", tick=False):
        services.check_in_reminders_plan()
    assert _check_in_reminders(young_person).count() == 1


def test_no_reminder_within_three_weeks_of_last_months_check_in(young_person, client_for):
    with time_machine.travel("2026-03-30 09:00 +02:00", tick=False):
        client_for(young_person).post(CHECK_INS, {"activity": "school"}, format="json")
    with time_machine.travel("2026-04-03 09:00 +02:00", tick=False):
        services.check_in_reminders_plan()
    assert not _check_in_reminders(young_person).exists()


def test_no_reminder_once_switched_off_in_the_profile(young_person, client_for):
    with time_machine.travel("2026-03-01 09:00 +01:00", tick=False):
        response = client_for(young_person).patch(
            "/api/v1/me/", {"profile": {"notify_check_in": False}}, format="json"
        )
        assert response.status_code == 200
        assert response.json()["profile"]["notify_check_in"] is False
    with time_machine.travel("2026-03-05 09:00 +01:00", tick=False):
        services.check_in_reminders_plan()
    assert not _check_in_reminders(young_person).exists()
    with time_machine.travel("2026-03-06 09:00 +01:00", tick=False):
        client_for(young_person).patch(
            "/api/v1/me/", {"profile": {"notify_check_in": True}}, format="json"
        )
        services.check_in_reminders_plan()
    assert _check_in_reminders(young_person).count() == 1


def test_the_reminder_is_for_young_people_only(young_person, referent, mentor):
    with time_machine.travel("2026-03-05 09:00 +01:00", tick=False):
        services.check_in_reminders_plan()
    assert set(
        Reminder.objects.filter(kind=Reminder.Kind.CHECK_IN).values_list("user_id", flat=True)
    ) == {young_person.pk}


def test_the_reminder_is_sent_with_discreet_words(young_person, settings):
    settings.PUSH_BACKEND = "recording"
    with time_machine.travel("2026-03-05 09:00 +01:00", tick=False):
        services.check_in_reminders_plan()
        mail.outbox.clear()
        assert reminders.dispatch().sent == 1
    [notification] = Notification.objects.filter(user=young_person)
    assert notification.title == "Où en es-tu ?"
    [push] = RecordedSend.objects.filter(title="Où en es-tu ?")
    assert (push.kind, push.target_id) == ("check_in", "2026-03-01")  # the month, as listed
    [email] = mail.outbox
    assert email.to == [young_person.email]


def test_an_appointment_reminder_this_month_does_not_stop_the_check_in_reminder(young_person):
    with time_machine.travel("2026-03-05 09:00 +01:00", tick=False):
        services.check_in_reminders_plan()
    with time_machine.travel("2026-04-02 09:00 +02:00", tick=False):
        agenda.appointment_save(
            owner=young_person,
            data={
                "title": "Mission locale",
                "starts_at": timezone.now() + timedelta(days=10),
                "place": "Bobigny",
            },
        )
        assert Reminder.objects.filter(user=young_person, kind="appointment").exists()
        services.check_in_reminders_plan()
    assert _check_in_reminders(young_person).count() == 2


# --- "Mes jeunes": the référent sees the call for help ---------------------------------------


def test_the_referents_list_reports_a_call_for_help_for_thirty_days(
    young_person, referent, client_for
):
    link = _link(referent)
    with time_machine.travel("2026-05-04 10:00 +02:00", tick=False):
        assert selectors.help_calls_for_links([link], timezone.localdate()) == {}
        client_for(young_person).post(CHECK_INS, {"needs_help": True}, format="json")
        [call] = selectors.help_calls_for_links([link], timezone.localdate())[link.pk]
        assert call["kind"] == "help_request" and call["on"] == date(2026, 5, 4)
        assert "04/05/2026" in call["label"]
    with time_machine.travel("2026-06-02 10:00 +02:00", tick=False):
        assert link.pk in selectors.help_calls_for_links([link], timezone.localdate())
    with time_machine.travel("2026-06-04 10:30 +02:00", tick=False):
        assert selectors.help_calls_for_links([link], timezone.localdate()) == {}


def test_a_later_check_in_without_help_takes_the_call_off_the_list(
    young_person, referent, client_for
):
    link = _link(referent)
    with time_machine.travel("2026-05-25 10:00 +02:00", tick=False):
        client_for(young_person).post(CHECK_INS, {"needs_help": True}, format="json")
    with time_machine.travel("2026-06-02 10:00 +02:00", tick=False):
        assert link.pk in selectors.help_calls_for_links([link], timezone.localdate())
        client_for(young_person).post(CHECK_INS, {"housing": "stable"}, format="json")
        assert selectors.help_calls_for_links([link], timezone.localdate()) == {}


def test_correcting_the_check_in_to_no_help_takes_the_call_off_the_list(
    young_person, referent, client_for
):
    link = _link(referent)
    client = client_for(young_person)
    client.post(CHECK_INS, {"needs_help": True}, format="json")
    assert link.pk in selectors.help_calls_for_links([link], timezone.localdate())
    client.post(CHECK_INS, {"needs_help": False, "housing": "stable"}, format="json")
    assert selectors.help_calls_for_links([link], timezone.localdate()) == {}


def test_the_list_reports_only_the_links_of_those_who_asked(
    young_person, other_young_person, referent, client_for
):
    from tests.referents.links import link as make_link

    other_link = make_link(referent, other_young_person, ["profile"])
    link = _link_for(referent, young_person)
    client_for(young_person).post(CHECK_INS, {"needs_help": True}, format="json")
    client_for(other_young_person).post(CHECK_INS, {"housing": "stable"}, format="json")
    found = selectors.help_calls_for_links([link, other_link], timezone.localdate())
    assert list(found) == [link.pk]


def _link_for(referent, young_person) -> Link:
    return referents_selectors.young_people_links_for_user(user=referent).get(
        young_person=young_person
    )


def test_mes_jeunes_shows_the_call_for_help_whatever_the_links_scopes(
    young_person, referent_few_scopes, client_for
):
    client_for(young_person).post(CHECK_INS, {"needs_help": True}, format="json")
    page = browser_client(referent_few_scopes).get("/pro/")
    assert page.status_code == 200
    day = timezone.localdate().strftime("%d/%m/%Y")
    assert f"A demandé de l&#x27;aide le {day}" in page.content.decode()


def test_mes_jeunes_shows_no_call_for_help_without_one(young_person, referent, client_for):
    client_for(young_person).post(CHECK_INS, {"housing": "stable"}, format="json")
    page = browser_client(referent).get("/pro/").content.decode()
    assert "A demandé de l&#x27;aide" not in page


def test_ticking_and_unticking_tell_mentor_tells_the_mentor_once_a_month(
    young_person, referent, mentor, match, client_for
):
    client = client_for(young_person)
    for tell in (True, False, True, False, True):
        client.post(CHECK_INS, {"needs_help": True, "tell_mentor": tell}, format="json")
    client.post(CHECK_INS, {"needs_help": False}, format="json")
    client.post(CHECK_INS, {"needs_help": True, "tell_mentor": True}, format="json")
    assert _help_requests(mentor).count() == 1
    assert _help_requests(referent).count() == 1


def test_a_call_for_help_can_be_taken_back_alone(young_person, client_for):
    client = client_for(young_person)
    client.post(CHECK_INS, {"needs_help": True}, format="json")
    back = client.post(CHECK_INS, {"needs_help": False}, format="json")
    assert back.status_code == 201 and back.json()["needs_help"] is False
    assert CheckIn.objects.get().needs_help is False


def test_a_mentor_met_after_the_call_for_help_does_not_see_it(
    young_person, mentor, match, client_for
):
    from django.utils import timezone as tz

    client_for(young_person).post(
        CHECK_INS, {"needs_help": True, "tell_mentor": True}, format="json"
    )
    help_url = f"/api/v1/mentoring/matches/{match.pk}/help/"
    assert client_for(mentor).get(help_url).json()["help_asked_at"] is not None
    type(match).objects.filter(pk=match.pk).update(activated_at=tz.now() + timedelta(minutes=1))
    assert client_for(mentor).get(help_url).json() == {"help_asked_at": None}
