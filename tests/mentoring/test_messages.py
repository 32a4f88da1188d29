"""Messages inside a match: only between its two members, while it is active; encrypted."""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from rest_framework.throttling import ScopedRateThrottle

from mentoring import conversations, services
from mentoring.models import Conversation, ConversationReport, Message

from .conftest import MATCHES
from .factories import service_request_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def match(mentee, approved_mentor):
    request = services.request_create(young_person=mentee, data=service_request_data())
    return services.match_create(request=request, mentor=approved_mentor, origin="coordinator")


def _url(match, suffix="messages/"):
    return f"{MATCHES}{match.pk}/{suffix}"


def test_the_two_members_write_to_each_other(match, mentee, approved_mentor, client_for):
    young, mentor = client_for(mentee), client_for(approved_mentor)
    sent = young.post(_url(match), {"body": "Bonjour, merci d'avoir accepté !"}, format="json")
    assert sent.status_code == 201, sent.json()
    assert sent.json()["mine"] is True
    mentor.post(_url(match), {"body": "Avec plaisir. Mercredi soir ?"}, format="json")

    page = mentor.get(_url(match)).json()
    assert [m["body"] for m in page["results"]] == [
        "Avec plaisir. Mercredi soir ?",
        "Bonjour, merci d'avoir accepté !",
    ]  # newest first
    assert [m["mine"] for m in page["results"]] == [True, False]


def test_read_receipts(match, mentee, approved_mentor, client_for):
    young, mentor = client_for(mentee), client_for(approved_mentor)
    young.post(_url(match), {"body": "Tu as vu mon message ?"}, format="json")
    assert mentor.get(_url(match)).json()["results"][0]["read_at"] is None
    assert mentor.post(_url(match, "messages/read/")).status_code == 204
    assert young.get(_url(match)).json()["results"][0]["read_at"] is not None


def test_polling_with_since_and_paging_with_a_cursor(match, mentee, client_for):
    client = client_for(mentee)
    for number in range(55):
        conversations.message_send(match=match, sender=mentee, body=f"message {number}")
    first = client.get(_url(match)).json()
    assert len(first["results"]) == 50
    older = client.get(first["next"]).json()
    bodies = [m["body"] for m in first["results"] + older["results"]]
    assert bodies == [f"message {n}" for n in range(54, -1, -1)]  # none skipped, none twice
    moment = Message.objects.order_by("created_at", "id")[52].created_at
    polled = client.get(_url(match), {"since": moment.isoformat()}).json()
    assert [m["body"] for m in polled] == ["message 53", "message 54"]
    assert client.get(_url(match), {"since": "yesterday"}).status_code == 400


def test_messages_are_refused_outside_an_active_match(match, mentee, approved_mentor, client_for):
    client = client_for(mentee)
    services.match_pause(match=match, by=mentee)
    response = client.post(_url(match), {"body": "Tu es là ?"}, format="json")
    assert response.status_code == 409
    services.match_resume(match=match, by=mentee)
    services.match_end(match=match, by=mentee, reason="goals_reached")
    response = client_for(approved_mentor).post(_url(match), {"body": "Et après ?"}, format="json")
    assert response.status_code == 409
    assert not Message.objects.exists()
    # What was said stays readable by the two of them.
    assert client.get(_url(match)).status_code == 200


@pytest.mark.parametrize(
    "role", ["other_young_person", "other_mentor", "staff_93", "coordinator_93", "superuser"]
)
def test_nobody_else_reads_or_writes(request, match, mentee, client_for, role):
    conversations.message_send(match=match, sender=mentee, body="Seulement pour mon mentor")
    client = client_for(request.getfixturevalue(role))
    assert client.get(_url(match)).status_code == 404
    assert client.post(_url(match), {"body": "intrus"}, format="json").status_code == 404
    assert client.post(_url(match, "report/"), {"reason": "x"}, format="json").status_code == 404
    assert Message.objects.count() == 1


def test_bad_messages_change_nothing(match, mentee, client_for):
    client = client_for(mentee)
    for body in ({"body": ""}, {"body": "x" * 2001}, {}, {"body": "ok", "to": "someone"}):
        response = client.post(_url(match), body, format="json")
        assert response.status_code == 400
    assert not Message.objects.exists()


def test_messages_are_rate_limited(match, mentee, client_for, monkeypatch):
    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "messages", "3/minute")
    client = client_for(mentee)
    codes = [
        client.post(_url(match), {"body": f"{n}"}, format="json").status_code for n in range(4)
    ]
    assert codes == [201, 201, 201, 429]
    assert Message.objects.count() == 3


def test_bodies_are_encrypted_at_rest(match, mentee):
    marker = "MARQUEUR-MESSAGE-51f0"
    conversations.message_send(match=match, sender=mentee, body=f"Mon adresse : {marker}")
    with connection.cursor() as cursor:
        for table in ("mentoring_message", "mentoring_conversation"):
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - fixed table names
            for row in cursor.fetchall():
                for value in row:
                    raw = bytes(value) if isinstance(value, bytes | memoryview) else str(value)
                    assert marker.encode() not in (raw if isinstance(raw, bytes) else raw.encode())


def test_rotation_rewraps_conversation_keys(match, mentee, settings, tmp_path):
    settings.VAULT_KEYRING = ""
    settings.VAULT_KEYRING_FILE = str(tmp_path / "keyring.json")
    conversations.message_send(match=match, sender=mentee, body="avant la rotation")
    call_command("vault_rotate_master_key", "--new-version", stdout=io.StringIO())
    conversation = Conversation.objects.get()
    assert conversation.master_key_version == "2"
    messages = conversations.with_bodies(conversation, conversation.messages.all())
    assert [m.body for m in messages] == ["avant la rotation"]


def test_a_report_puts_the_conversation_in_the_coordinators_queue(
    match, mentee, approved_mentor, client_for, coordinator_93, coordinator_75
):
    message = conversations.message_send(
        match=match, sender=approved_mentor, body="Donne-moi ton code de carte"
    )
    conversations.message_send(match=match, sender=mentee, body="Non.")
    response = client_for(mentee).post(
        _url(match, "report/"),
        {"reason": "Il demande mon code", "message": message.pk},
        format="json",
    )
    assert response.status_code == 201
    report = ConversationReport.objects.get()
    assert report.message == message
    assert report.conversation.reported_at is not None

    admin = Client()
    admin.force_login(coordinator_93)
    page = admin.get(f"/admin/mentoring/conversationreport/{report.pk}/change/").content.decode()
    assert "Donne-moi ton code de carte" in page and "Non." in page
    other = Client()
    other.force_login(coordinator_75)
    assert other.get(f"/admin/mentoring/conversationreport/{report.pk}/change/").status_code in (
        302,
        404,
    )
    # Without a report, no staff page shows a message.
    staff = Client()
    staff.force_login(coordinator_93)
    assert staff.get("/admin/mentoring/message/").status_code == 404
    assert staff.get("/admin/mentoring/conversation/").status_code == 404

    admin.post(
        "/admin/mentoring/conversationreport/",
        {"action": "mark_resolved", "_selected_action": [report.pk]},
    )
    report.refresh_from_db()
    assert report.resolved_at is not None and report.resolved_by == coordinator_93


def test_a_reported_message_must_belong_to_the_conversation(
    match, mentee, client_for, make_mentee, approved_mentor
):
    response = client_for(mentee).post(
        _url(match, "report/"), {"reason": "x", "message": 999999}, format="json"
    )
    assert response.status_code == 404
    assert not ConversationReport.objects.exists()


def test_messages_are_in_the_personal_data_export(match, mentee, client_for):
    conversations.message_send(match=match, sender=mentee, body="Merci pour tout")
    export = client_for(mentee).get("/api/v1/me/export/").json()["mentoring"]
    assert export["matches"][0]["messages"][0] == {
        "mine": True,
        "body": "Merci pour tout",
        "at": Message.objects.get().created_at.isoformat(),
    }


def test_only_sending_is_rate_limited_not_reading(match, mentee, client_for, monkeypatch):
    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "messages", "2/minute")
    client = client_for(mentee)
    assert [client.get(_url(match)).status_code for _ in range(4)] == [200] * 4
    codes = [
        client.post(_url(match), {"body": f"{n}"}, format="json").status_code for n in range(3)
    ]
    assert codes == [201, 201, 429]
