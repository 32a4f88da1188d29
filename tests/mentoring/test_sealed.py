"""What the database keeps of a person's papers, appointments and match is sealed.

A raw read of every table finds neither the type of a paper nor its dates, nor an
appointment's title, place or notes, nor a meeting place, feedback or a report's reason;
reminders on every channel say none of it; the API still gives it all to its owner (and
the pair's shared data to both members); a ciphertext moved to another row fails.
"""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.utils import timezone

from backend import crypto
from mentoring import conversations
from mentoring.agenda import reminders
from mentoring.models import (
    Appointment,
    ConversationReport,
    Match,
    Meeting,
    Message,
    Notification,
    RecordedSend,
)
from tests.vault.conftest import make_document  # noqa: F401 - a fixture, shared
from vault.models import AccessEvent, Document

from .conftest import MATCHES

pytestmark = pytest.mark.django_db

APPOINTMENTS = "/api/v1/me/appointments/"
DOCUMENTS = "/api/v1/vault/documents/"
ISSUED = date(2025, 3, 14)
APPOINTMENT_TITLE = "Préfecture - titre de séjour"
APPOINTMENT_NOTES = "Apporter le titre de séjour et le RIB"
APPOINTMENT_PLACE = "Préfecture de Bobigny, guichet 4"
MEETING_PLACE = "Médiathèque Elsa Triolet"
FEEDBACK = "Mentor formidable, il m'a aidée pour le logement"
REASON = "Il me demande mon adresse personnelle"


def _expiry() -> date:
    # Sooner than the permit's first warning: its reminder is due at once.
    return timezone.localdate() + timedelta(days=20)


def _secrets() -> list[str]:
    expiry = _expiry()
    return [
        "residence_permit",
        "séjour",
        APPOINTMENT_TITLE,
        APPOINTMENT_NOTES,
        APPOINTMENT_PLACE,
        MEETING_PLACE,
        FEEDBACK,
        REASON,
        ISSUED.isoformat(),
        ISSUED.strftime("%d/%m/%Y"),
        expiry.isoformat(),
        expiry.strftime("%d/%m/%Y"),
    ]


# Reference text that migrations load, the same for everyone: the assessment's items
# speak of a "titre de séjour" to all, which tells nothing of anyone's papers.
REFERENCE_TABLES = {"autonomy_assessmentitem"}


def _everything_in_the_database() -> list[tuple[str, str]]:
    """Every value of every table but the reference ones, as text (bytes both as bytes
    and decoded loosely)."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            if table in REFERENCE_TABLES:
                continue
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, memoryview | bytes | bytearray):
                        value = bytes(value).decode("utf-8", errors="replace")
                    found.append((table, str(value)))
    return found


def _open(row, name: str):
    """The value of a sealed attribute, read as the API would."""
    return getattr(row, name)


@pytest.fixture
def pair(mentee, approved_mentor):
    from mentoring import services

    from .factories import service_request_data

    request = services.request_create(young_person=mentee, data=service_request_data())
    return services.match_create(request=request, mentor=approved_mentor, origin="coordinator")


@pytest.fixture
def everything(mentee, approved_mentor, pair, make_document, client_for):  # noqa: F811
    """A permit with its dates, an appointment, an accepted meeting, a report, reminders
    sent on push and e-mail, and the match ended with feedback."""
    mentee.profile.notify_by_email = True
    mentee.profile.save()
    young, mentor = client_for(mentee), client_for(approved_mentor)
    permit = make_document(
        mentee,
        document_type="residence_permit",
        title="Mon papier",
        issue_date=ISSUED,
        expiry_date=_expiry(),
    )
    appointment = young.post(
        APPOINTMENTS,
        {
            "title": APPOINTMENT_TITLE,
            "starts_at": (timezone.now() + timedelta(minutes=61)).isoformat(),
            "place": APPOINTMENT_PLACE,
            "notes": APPOINTMENT_NOTES,
            "reminder_offsets": [60],
        },
        format="json",
    )
    assert appointment.status_code == 201, appointment.content
    meeting = mentor.post(
        f"{MATCHES}{pair.pk}/meetings/",
        {
            "starts_at": (timezone.now() + timedelta(minutes=62)).isoformat(),
            "place": MEETING_PLACE,
            "reminder_offsets": [60],
        },
        format="json",
    )
    assert meeting.status_code == 201, meeting.content
    meeting_id = meeting.json()["id"]
    assert young.post(f"/api/v1/mentoring/meetings/{meeting_id}/accept/").status_code == 200
    conversations.message_send(match=pair, sender=approved_mentor, body="Où habites-tu ?")
    report = young.post(f"{MATCHES}{pair.pk}/report/", {"reason": REASON}, format="json")
    assert report.status_code == 201, report.content
    stats = reminders.dispatch(now=timezone.now() + timedelta(minutes=5))
    assert stats.sent >= 4  # the permit, the appointment, the meeting for both
    ended = young.post(
        f"{MATCHES}{pair.pk}/end/",
        {"reason": "goals_reached", "feedback": FEEDBACK},
        format="json",
    )
    assert ended.status_code == 200, ended.content
    return {
        "permit": permit,
        "appointment": appointment.json()["id"],
        "meeting": meeting_id,
        "young": young,
        "mentor": mentor,
    }


def test_no_table_holds_a_paper_appointment_meeting_feedback_or_reason_in_clear(everything):
    assert Notification.objects.filter(user__email="aminata@example.org").count() >= 3
    assert RecordedSend.objects.exists() and mail.outbox
    found = [
        (table, secret)
        for table, value in _everything_in_the_database()
        for secret in _secrets()
        if secret.lower() in value.lower()
    ]
    assert found == []


def test_reminders_are_lock_screen_safe_on_every_channel(everything):
    sent = [message.subject + message.body for message in mail.outbox]
    sent += list(RecordedSend.objects.values_list("title", flat=True))
    sent += [n.title + n.body for n in Notification.objects.all()]
    for text in sent:
        for secret in _secrets():
            assert secret.lower() not in text.lower(), (secret, text)
    titles = set(Notification.objects.values_list("title", flat=True))
    assert titles == {"Un document de ton coffre arrive bientôt à échéance", "Rendez-vous bientôt"}


def test_the_owner_and_the_pair_still_read_everything(everything, coordinator_93):
    young, mentor = everything["young"], everything["mentor"]
    permit = young.get(f"{DOCUMENTS}{everything['permit'].id}/").json()
    assert permit["document_type"] == "residence_permit"
    assert permit["document_type_label"] == "Titre de séjour"
    assert (permit["issue_date"], permit["expiry_date"]) == (
        ISSUED.isoformat(),
        _expiry().isoformat(),
    )
    listed = young.get(DOCUMENTS, {"document_type": "residence_permit"}).json()["results"]
    assert [d["id"] for d in listed] == [str(everything["permit"].id)]
    assert young.get(DOCUMENTS, {"document_type": "passport"}).json()["results"] == []
    soon = young.get(DOCUMENTS, {"expiring_within_days": 30}).json()["results"]
    assert (
        len(soon) == 1
        and young.get(DOCUMENTS, {"expiring_within_days": 10}).json()["results"] == []
    )
    log = young.get("/api/v1/vault/access-log/").json()["results"]
    assert {event["document_type"] for event in log} == {"residence_permit"}

    appointment = young.get(f"{APPOINTMENTS}{everything['appointment']}/").json()
    assert (appointment["title"], appointment["place"], appointment["notes"]) == (
        APPOINTMENT_TITLE,
        APPOINTMENT_PLACE,
        APPOINTMENT_NOTES,
    )
    for member in (young, mentor):  # both members read the meeting place
        meeting = member.get(f"/api/v1/mentoring/meetings/{everything['meeting']}/").json()
        assert meeting["place"] == MEETING_PLACE
    exported = young.get("/api/v1/me/export/")  # where a member reads their feedback
    assert FEEDBACK in exported.content.decode()
    assert Match.objects.get().young_person_feedback == FEEDBACK
    admin = Client()  # the coordinator's queue reads the reason
    admin.force_login(coordinator_93)
    report = ConversationReport.objects.get()
    page = admin.get(f"/admin/mentoring/conversationreport/{report.pk}/change/").content.decode()
    assert REASON.replace("'", "&#x27;") in page


def test_a_ciphertext_moved_to_another_row_or_field_fails(
    mentee,
    approved_mentor,
    pair,
    make_document,  # noqa: F811 - the fixture imported above
    client_for,
):
    client = client_for(mentee)
    first, second = (
        client.post(
            APPOINTMENTS,
            {"title": title, "starts_at": (timezone.now() + timedelta(days=2)).isoformat()},
            format="json",
        ).json()["id"]
        for title in ("CAF", APPOINTMENT_TITLE)
    )
    copied = Appointment.objects.filter(pk=second).values_list("title_sealed", flat=True)[0]
    Appointment.objects.filter(pk=first).update(title_sealed=copied)
    with pytest.raises(crypto.IntegrityError):
        _open(Appointment.objects.get(pk=first), "title")
    Appointment.objects.filter(pk=second).update(notes_sealed=copied)  # another field
    with pytest.raises(crypto.IntegrityError):
        _open(Appointment.objects.get(pk=second), "notes")

    permit = make_document(mentee, document_type="residence_permit", expiry_date=_expiry())
    other = make_document(mentee, document_type="other")
    Document.objects.filter(pk=other.pk).update(
        document_type_sealed=bytes(Document.objects.get(pk=permit.pk).document_type_sealed)
    )
    shown = client.get(f"{DOCUMENTS}{other.id}/").json()
    assert shown["damaged"] is True and shown["document_type"] != "residence_permit"

    meetings = [
        Meeting.objects.create(
            match=pair, proposed_by=mentee, starts_at=timezone.now() + timedelta(days=3), place=p
        )
        for p in (MEETING_PLACE, "En visio")
    ]
    Meeting.objects.filter(pk=meetings[1].pk).update(place_sealed=meetings[0].place_sealed)
    with pytest.raises(crypto.IntegrityError):
        _open(Meeting.objects.get(pk=meetings[1].pk), "place")
    assert AccessEvent.objects.filter(owner=mentee).exists()


def test_a_message_body_moved_to_another_message_fails(pair, mentee, approved_mentor):
    first = conversations.message_send(match=pair, sender=mentee, body="Bonjour")
    second = conversations.message_send(match=pair, sender=mentee, body="Mon code est 1234")
    Message.objects.filter(pk=first.pk).update(encrypted_body=second.encrypted_body)
    conversation = pair.conversation
    with pytest.raises(crypto.IntegrityError):
        conversations.with_bodies(conversation, Message.objects.filter(pk=first.pk))
    (kept,) = conversations.with_bodies(conversation, Message.objects.filter(pk=second.pk))
    assert kept.body == "Mon code est 1234"
