"""Reminders: due at the right wall-clock time, sent once on each channel, never lost."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from smtplib import SMTPRecipientsRefused
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation

from mentoring import agenda
from mentoring.agenda import reminders
from mentoring.agenda.channels import EmailBackend, Outgoing, RecordingPushBackend
from mentoring.models import (
    Appointment,
    Meeting,
    Notification,
    RecordedSend,
    Reminder,
    ReminderDelivery,
)

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
APPOINTMENTS = "/api/v1/me/appointments/"


def paris(*args) -> datetime:
    return datetime(*args, tzinfo=PARIS)


@pytest.mark.parametrize(
    ("starts", "offset", "due"),
    [
        # Spring forward (29 March 2026): the day before is 23 real hours earlier.
        (paris(2026, 3, 29, 10, 0), 1440, paris(2026, 3, 28, 10, 0)),
        (paris(2026, 3, 29, 10, 0), 60, paris(2026, 3, 29, 9, 0)),
        # Fall back (25 October 2026): the day before is 25 real hours earlier.
        (paris(2026, 10, 25, 10, 0), 1440, paris(2026, 10, 24, 10, 0)),
        (paris(2026, 10, 25, 3, 30), 90, datetime(2026, 10, 25, 2, 0, tzinfo=PARIS, fold=1)),
    ],
)
def test_due_times_keep_the_wall_clock_across_daylight_saving(starts, offset, due):
    assert reminders.due_time(starts, offset) == due


def test_the_day_before_a_dst_change_is_23_real_hours(young_person):
    appointment = agenda.appointment_save(
        owner=young_person,
        data={"title": "Préfecture", "starts_at": paris(2027, 3, 28, 10, 0)},
    )
    due = {r.offset_minutes: r.due_at for r in Reminder.objects.filter(appointment=appointment)}
    assert timezone.localtime(due[1440], PARIS).hour == 10
    assert appointment.starts_at - due[1440] == timedelta(hours=23)


@pytest.fixture
def client(young_person, client_for):
    return client_for(young_person)


def test_an_appointment_gets_its_reminders_and_follows_changes(client, young_person):
    start = timezone.now() + timedelta(days=3)
    response = client.post(
        APPOINTMENTS,
        {"title": "Mission locale", "starts_at": start.isoformat(), "place": "Bobigny"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    appointment = Appointment.objects.get()
    pending = Reminder.objects.filter(appointment=appointment, state="pending")
    assert sorted(r.offset_minutes for r in pending) == [60, 1440]

    later = start + timedelta(days=1)
    client.patch(
        f"{APPOINTMENTS}{appointment.pk}/", {"starts_at": later.isoformat()}, format="json"
    )
    assert Reminder.objects.filter(appointment=appointment, state="cancelled").count() == 2
    assert {r.due_at for r in pending.all()} == {
        reminders.due_time(later, 1440),
        later - timedelta(hours=1),
    }
    assert client.delete(f"{APPOINTMENTS}{appointment.pk}/").status_code == 204
    assert not Reminder.objects.exists()


def test_bad_appointments_change_nothing(client):
    for body in (
        {"title": "", "starts_at": timezone.now().isoformat()},
        {"title": "CAF"},
        {"title": "CAF", "starts_at": "demain"},
        {"title": "CAF", "starts_at": timezone.now().isoformat(), "reminder_offsets": [1]},
        {"title": "CAF", "starts_at": timezone.now().isoformat(), "colour": "red"},
    ):
        assert client.post(APPOINTMENTS, body, format="json").status_code == 400
    assert not Appointment.objects.exists()


def test_appointments_are_their_owners_only(
    client, young_person, other_young_person, client_for, mentor, staff_93
):
    agenda.appointment_save(
        owner=young_person, data={"title": "Médecin", "starts_at": timezone.now()}
    )
    appointment = Appointment.objects.get()
    for user in (other_young_person, mentor, staff_93):
        other = client_for(user)
        assert other.get(f"{APPOINTMENTS}{appointment.pk}/").status_code in (403, 404)
        assert other.delete(f"{APPOINTMENTS}{appointment.pk}/").status_code in (403, 404)
    assert Appointment.objects.exists()


def _due_appointment(owner, minutes_ahead=61):
    """An appointment whose one-hour reminder is due ``minutes_ahead - 60`` minutes from now."""
    return agenda.appointment_save(
        owner=owner,
        data={
            "title": "CAF",
            "starts_at": timezone.now() + timedelta(minutes=minutes_ahead),
            "reminder_offsets": [60],
        },
    )


def test_a_due_reminder_is_sent_once_on_each_channel(young_person):
    _due_appointment(young_person, minutes_ahead=90)  # its reminder is due in 30 minutes
    assert reminders.dispatch().sent == 0  # not yet
    later = timezone.now() + timedelta(minutes=31)
    stats = reminders.dispatch(now=later)
    assert stats.sent == 1
    assert RecordedSend.objects.get().calls == 1
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [young_person.email]
    assert Notification.objects.get(user=young_person).title == "Rendez-vous bientôt"
    # The task runs again (beat, a retry): nothing is sent twice.
    assert reminders.dispatch(now=later + timedelta(minutes=1)).sent == 0
    assert (RecordedSend.objects.get().calls, len(mail.outbox)) == (1, 1)
    assert Notification.objects.count() == 1


def test_a_failed_channel_is_retried_later_without_resending_the_others(young_person, monkeypatch):
    _due_appointment(young_person)
    real_send_many = RecordingPushBackend.send_many
    calls = []

    def flaky(self, items):
        calls.extend(message.idempotency_key for _user, message in items)
        if len(calls) == 1:
            raise ConnectionError("push provider unreachable")
        return real_send_many(self, items)

    monkeypatch.setattr(RecordingPushBackend, "send_many", flaky)
    now = timezone.now() + timedelta(minutes=2)
    stats = reminders.dispatch(now=now)
    assert stats.retried == 1
    reminder = Reminder.objects.get()
    assert reminder.state == "pending" and reminder.next_attempt_at > now
    assert len(mail.outbox) == 1  # e-mail went through
    assert reminders.dispatch(now=now + timedelta(seconds=30)).sent == 0  # backing off
    stats = reminders.dispatch(now=reminder.next_attempt_at)
    assert stats.sent == 1
    assert len(mail.outbox) == 1  # not resent
    assert RecordedSend.objects.get().calls == 1
    assert calls[0] == calls[1]  # the same idempotency key on the retry


def test_a_channel_failing_every_time_ends_failed_not_lost(young_person, monkeypatch, settings):
    settings.REMINDERS_MAX_ATTEMPTS = 2
    _due_appointment(young_person)

    def down(self, items):
        raise ConnectionError("down")

    monkeypatch.setattr(RecordingPushBackend, "send_many", down)
    moment = timezone.now() + timedelta(minutes=2)
    reminders.dispatch(now=moment)
    reminders.dispatch(now=moment + timedelta(hours=1))
    reminder = Reminder.objects.get()
    assert reminder.state == "failed"
    assert "down" in reminder.last_error
    assert Notification.objects.count() == 1  # the inbox still has it


def test_one_refused_address_does_not_hold_back_the_others(
    young_person, other_young_person, monkeypatch
):
    _due_appointment(young_person)
    _due_appointment(other_young_person)
    real_send = EmailBackend.send

    def refusing(self, user, message, connection=None):
        if user == other_young_person:
            raise SMTPRecipientsRefused({user.email: (550, b"no such mailbox")})
        return real_send(self, user, message, connection=connection)

    monkeypatch.setattr(EmailBackend, "send", refusing)
    now = timezone.now() + timedelta(minutes=2)
    stats = reminders.dispatch(now=now)
    assert (stats.sent, stats.retried) == (1, 1)
    assert [m.to for m in mail.outbox] == [[young_person.email]]
    waiting = Reminder.objects.get(state="pending")
    assert waiting.user == other_young_person and "email" in waiting.last_error
    assert RecordedSend.objects.count() == 2  # both pushes went


def test_many_due_reminders_go_out_in_a_few_statements_each_once(
    young_person, other_young_person, django_assert_max_num_queries
):
    for owner in (young_person, other_young_person) * 60:
        _due_appointment(owner)
    # Per claimed batch, not per reminder: 120 reminders, two channels each.
    with django_assert_max_num_queries(40):
        stats = reminders.dispatch(now=timezone.now() + timedelta(minutes=2))
    assert stats.sent == 120
    assert RecordedSend.objects.count() == 120 and not RecordedSend.objects.filter(calls__gt=1)
    assert len(mail.outbox) == 120
    assert len({m.extra_headers["X-Jalon-Idempotency-Key"] for m in mail.outbox}) == 120
    assert Notification.objects.count() == 120


def test_an_email_switched_off_before_the_retry_is_not_sent(
    young_person, other_young_person, monkeypatch
):
    _due_appointment(other_young_person)
    real_send = EmailBackend.send
    refused = [True]

    def refusing_once(self, user, message, connection=None):
        if refused.pop() if refused else False:
            raise SMTPRecipientsRefused({user.email: (451, b"try again later")})
        return real_send(self, user, message, connection=connection)

    monkeypatch.setattr(EmailBackend, "send", refusing_once)
    stats = reminders.dispatch(now=timezone.now() + timedelta(minutes=2))
    assert stats.retried == 1 and not mail.outbox
    other_young_person.profile.notify_by_email = False
    other_young_person.profile.save()
    waiting = Reminder.objects.get()
    assert reminders.dispatch(now=waiting.next_attempt_at).sent == 1
    assert not mail.outbox  # they said no more e-mail: the retry respects it


def test_a_provider_down_for_many_reminders_costs_a_few_statements(
    young_person, other_young_person, monkeypatch, django_assert_max_num_queries
):
    for owner in (young_person, other_young_person) * 60:
        _due_appointment(owner)

    def down(self, items):
        raise ConnectionError("push provider unreachable")

    monkeypatch.setattr(RecordingPushBackend, "send_many", down)
    with django_assert_max_num_queries(40):
        stats = reminders.dispatch(now=timezone.now() + timedelta(minutes=2))
    assert stats.retried == 120
    assert not Reminder.objects.exclude(state="pending").exists()
    assert ReminderDelivery.objects.filter(channel="push", state="failed").count() == 120


def test_the_recording_backend_counts_a_repeated_key(young_person):
    backend = RecordingPushBackend()
    message = Outgoing("Rappel", "Ouvrez l'application", "reminder-1-push", "meeting", "7")
    assert backend.send_many([(young_person, message)]) == {}
    assert backend.send_many([(young_person, message)]) == {}
    recorded = RecordedSend.objects.get()
    assert (recorded.calls, recorded.kind, recorded.target_id) == (2, "meeting", "7")


def test_a_worker_dying_mid_send_does_not_send_twice(young_person):
    _due_appointment(young_person)
    reminder = Reminder.objects.get()
    # As left by a worker that sent the push, then died before finishing.
    Reminder.objects.filter(pk=reminder.pk).update(
        state="sending", claimed_at=timezone.now() - timedelta(hours=1), attempts=1
    )
    ReminderDelivery.objects.create(
        reminder=reminder,
        channel="push",
        idempotency_key=f"reminder-{reminder.pk}-push",
        state="sent",
    )
    stats = reminders.dispatch(now=timezone.now() + timedelta(minutes=2))
    assert stats.sent == 1
    assert not RecordedSend.objects.exists()  # the push was not sent again
    assert len(mail.outbox) == 1  # the e-mail, which had not gone, did


def test_cancelled_items_send_nothing(young_person):
    appointment = _due_appointment(young_person)
    agenda.appointment_delete(appointment=appointment)
    assert reminders.dispatch(now=timezone.now() + timedelta(minutes=2)).sent == 0
    assert not mail.outbox


def test_document_expiry_reminders(young_person, make_document):
    expiry = timezone.localdate() + timedelta(days=120)
    permit = make_document(young_person, document_type="residence_permit", expiry_date=expiry)
    passport = make_document(young_person, document_type="passport", expiry_date=expiry)
    permit_due = sorted(
        timezone.localtime(r.due_at) for r in Reminder.objects.filter(document=permit)
    )
    assert [d.date() for d in permit_due] == [
        expiry - timedelta(days=90),
        expiry - timedelta(days=30),
    ]
    assert all(d.hour == 9 for d in permit_due)
    assert Reminder.objects.filter(document=passport).count() == 1

    stats = reminders.dispatch(now=permit_due[0] + timedelta(minutes=1))
    assert stats.sent == 1
    notification = Notification.objects.get()
    # Lock-screen safe: neither the type nor the date, the app shows them once unlocked.
    assert notification.title == "Un document de ton coffre arrive bientôt à échéance"
    shown = notification.title + notification.body
    assert "séjour" not in shown and expiry.strftime("%d/%m/%Y") not in shown


def test_each_push_and_mail_says_what_it_is_about(young_person, make_document, client):
    """The app opens the right screen: kind and target travel with the words."""
    appointment = _due_appointment(young_person)
    expiry = timezone.localdate() + timedelta(days=3)  # warned within a minute
    document = make_document(young_person, document_type="passport", expiry_date=expiry)
    assert reminders.dispatch(now=timezone.now() + timedelta(minutes=2)).sent == 2
    pushes = {push.kind: push.target_id for push in RecordedSend.objects.all()}
    assert pushes == {"appointment": str(appointment.pk), "document": str(document.pk)}
    # The identifiers the app finds them by in the API.
    assert client.get(f"{APPOINTMENTS}{pushes['appointment']}/").status_code == 200
    assert client.get(f"/api/v1/vault/documents/{pushes['document']}/").status_code == 200
    headers = {
        message.extra_headers["X-Jalon-Kind"]: message.extra_headers["X-Jalon-Target-Id"]
        for message in mail.outbox
    }
    assert headers == pushes


def test_notifications_inbox(young_person, client, other_young_person, client_for):
    _due_appointment(young_person)
    reminders.dispatch(now=timezone.now() + timedelta(minutes=2))
    inbox = client.get("/api/v1/me/notifications/").json()
    assert inbox["count"] == 1 and inbox["results"][0]["read_at"] is None
    assert client_for(other_young_person).get("/api/v1/me/notifications/").json()["count"] == 0
    assert client.post("/api/v1/me/notifications/read/", {}, format="json").status_code == 204
    assert client.get("/api/v1/me/notifications/").json()["results"][0]["read_at"] is not None


def test_devices_register_once_and_follow_their_owner(client, young_person, mentor, client_for):
    body = {"platform": "android", "token": "fcm-token-123"}
    assert client.post("/api/v1/me/devices/", body, format="json").status_code == 201
    assert client.post("/api/v1/me/devices/", body, format="json").status_code == 201
    assert client.get("/api/v1/me/devices/").json()[0]["token"] == "fcm-token-123"
    # The phone changes hands: the token now notifies its new user only.
    client_for(mentor).post("/api/v1/me/devices/", body, format="json")
    assert client.get("/api/v1/me/devices/").json() == []
    bad = client.post("/api/v1/me/devices/", {"platform": "nokia", "token": "x"}, format="json")
    assert bad.status_code == 400


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent workers need PostgreSQL's row locks"
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_dispatchers_at_once_send_each_reminder_once(young_person):
    for _ in range(120):
        _due_appointment(young_person)
    barrier = threading.Barrier(4)
    moment = timezone.now() + timedelta(minutes=2)

    def run(worker):
        barrier.wait()
        try:
            return reminders.dispatch(now=moment, worker=f"w{worker}", batch=10).sent
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=4) as pool:
        sent = sum(pool.map(run, range(4)))
    assert sent == 120
    assert RecordedSend.objects.count() == 120
    assert set(RecordedSend.objects.values_list("calls", flat=True)) == {1}
    assert Notification.objects.count() == 120
    assert len(mail.outbox) == 120


def test_dates_out_of_reach_are_refused_not_crashed(client):
    for starts_at in ("0001-01-01T00:00:00Z", "9999-12-31T23:00:00Z"):
        response = client.post(
            APPOINTMENTS, {"title": "CAF", "starts_at": starts_at}, format="json"
        )
        assert response.status_code == 400
    response = client.post("/api/v1/me/notifications/read/", {"ids": [10**30]}, format="json")
    assert response.status_code == 400


def test_editing_an_appointment_keeps_a_reminder_waiting_for_its_retry(young_person):
    appointment = _due_appointment(young_person)
    reminder = Reminder.objects.get()
    Reminder.objects.filter(pk=reminder.pk).update(
        next_attempt_at=timezone.now() + timedelta(minutes=4), attempts=1
    )
    agenda.appointment_save(
        owner=young_person, data={"notes": "Apporter le RIB"}, appointment=appointment
    )
    assert Reminder.objects.get(pk=reminder.pk).state == "pending"
    assert Reminder.objects.filter(state="pending").count() == 1


def test_a_new_expiry_date_through_the_api_moves_the_papers_reminders(
    young_person, make_document, client
):
    expiry = timezone.localdate() + timedelta(days=120)
    permit = make_document(young_person, document_type="residence_permit", expiry_date=expiry)
    url = f"/api/v1/vault/documents/{permit.id}/"

    def reminder_ids(**state) -> set[int]:
        return set(Reminder.objects.filter(document=permit, **state).values_list("pk", flat=True))

    before = reminder_ids()
    assert len(before) == 2

    # A change that an expiry does not depend on leaves the reminders as they are.
    assert client.patch(url, {"title": "Titre renouvelé"}, format="json").status_code == 200
    assert reminder_ids() == before

    later = expiry + timedelta(days=365)
    response = client.patch(url, {"expiry_date": later.isoformat()}, format="json")
    assert response.status_code == 200, response.content
    pending = Reminder.objects.filter(document=permit, state="pending")
    assert sorted(timezone.localtime(r.due_at).date() for r in pending) == [
        later - timedelta(days=90),
        later - timedelta(days=30),
    ]
    assert reminder_ids(state="cancelled") == before

    # A passport is announced once, a month ahead.
    assert client.patch(url, {"document_type": "passport"}, format="json").status_code == 200
    (reminder,) = Reminder.objects.filter(document=permit, state="pending")
    assert timezone.localtime(reminder.due_at).date() == later - timedelta(days=30)

    # No expiry date any more: nothing left to announce.
    assert client.patch(url, {"expiry_date": None}, format="json").status_code == 200
    assert not reminder_ids(state="pending")


def test_a_paper_expiring_before_its_first_warning_is_announced_now(young_person, make_document):
    expiry = timezone.localdate() + timedelta(days=20)
    permit = make_document(young_person, document_type="residence_permit", expiry_date=expiry)
    (reminder,) = Reminder.objects.filter(document=permit)
    assert reminder.due_at <= timezone.now() + timedelta(minutes=2)


def test_push_email_and_inbox_say_nothing_of_the_appointment(young_person, client):
    appointment = _due_appointment(young_person)
    reminders.dispatch(now=timezone.now() + timedelta(minutes=2))
    assert "CAF" not in RecordedSend.objects.get().title
    assert "CAF" not in mail.outbox[0].subject + mail.outbox[0].body
    notification = Notification.objects.get()
    assert "CAF" not in notification.title + notification.body
    # The details are in the app, fetched once it is unlocked.
    assert client.get(f"{APPOINTMENTS}{appointment.pk}/").json()["title"] == "CAF"


@pytest.mark.parametrize("targets", [(), ("meeting", "appointment")])
def test_a_reminder_is_about_exactly_one_thing(young_person, targets):
    appointment = agenda.appointment_save(
        owner=young_person,
        data={"title": "Préfecture", "starts_at": timezone.now() + timedelta(days=3)},
    )
    fields = {}
    if "appointment" in targets:
        fields["appointment"] = appointment
    if "meeting" in targets:
        # Any id: the check refuses the row before the (deferred) foreign key is checked.
        fields["meeting_id"] = 1
    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(
            user=young_person,
            kind="appointment",
            offset_minutes=60,
            due_at=timezone.now(),
            **fields,
        )


def test_a_reminder_cancelled_is_said_as_a_rappel_is_masculine_a_meeting_feminine():
    with translation.override("fr"):
        assert [str(label) for label in Reminder.State.labels] == [
            "En attente",
            "En cours d'envoi",
            "Envoyé",
            "Échec",
            "Annulé",
        ]
        assert str(Meeting.Status.CANCELLED.label) == "Annulée"
