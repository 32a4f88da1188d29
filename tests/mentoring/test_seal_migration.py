"""The sealing migrations: rows written in clear by the old code are sealed, then read back
through the API as before; the clear columns are gone; going back opens them again."""

import uuid
from datetime import date, timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from backend import crypto
from backend.crypto.keyring import load_keyring
from mentoring import conversations
from vault import keys

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BEFORE = [
    ("vault", "0002_document_user_key_cascade"),
    ("mentoring", "0006_reminder_exactly_one_target"),
]
# Forward to the latest migrations of both apps (the seal, then whatever came after), so
# the API reads the rows with today's models and the test leaves the schema whole.
AFTER = [
    node
    # Every app's: going back also unapplied the apps whose migrations depend on these
    # (the path to autonomy's), and the test leaves the whole schema as it found it.
    for node in MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes()
]
ISSUED, EXPIRES = date(2025, 3, 14), date(2031, 7, 9)
CLEAR = [
    "residence_permit",
    "Préfecture - titre de séjour",
    "Apporter le titre de séjour et le RIB",
    "Médiathèque Elsa Triolet",
    "Merci pour tout",
    "Il insiste pour me voir seul",
    "Ton titre expire le 09/07/2031",
    ISSUED.isoformat(),
    EXPIRES.isoformat(),
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _old_rows(apps, young, mentor):
    """What the old code wrote: metadata and texts in clear, messages bound to their sender."""
    UserKey = apps.get_model("vault", "UserKey")
    Document = apps.get_model("vault", "Document")
    AccessEvent = apps.get_model("vault", "AccessEvent")
    key_id = uuid.uuid4()
    version, wrapped = load_keyring().wrap(crypto.new_key(), context=keys._user_key_context(key_id))
    user_key = UserKey.objects.create(
        id=key_id, user_id=young.pk, master_key_version=version, wrapped_key=wrapped
    )
    secret = keys.user_secret(user_key)
    document_id, data_key = uuid.uuid4(), crypto.new_key()
    fields = {"title": "Mon papier", "filename": "titre.pdf", "tags": "[]", "sha256": "0" * 64}
    Document.objects.create(
        id=document_id,
        owner_id=young.pk,
        user_key=user_key,
        document_type="residence_permit",
        issue_date=ISSUED,
        expiry_date=EXPIRES,
        content_type="application/pdf",
        size=10,
        wrapped_data_key=keys.wrap_data_key(secret, document_id, data_key),
        blob_name=f"{document_id.hex[:2]}/{document_id.hex}.jvlt",
        **{
            f"encrypted_{name}": keys.seal_field(data_key, document_id, name, value)
            for name, value in fields.items()
        },
    )
    AccessEvent.objects.create(
        owner_id=young.pk,
        document_id=document_id,
        document_type="residence_permit",
        action="upload",
        actor="owner",
    )
    apps.get_model("mentoring", "Appointment").objects.create(
        owner_id=young.pk,
        title="Préfecture - titre de séjour",
        notes="Apporter le titre de séjour et le RIB",
        starts_at=timezone.now() + timedelta(days=2),
    )
    request = apps.get_model("mentoring", "MentoringRequest").objects.create(
        young_person_id=young.pk, departement_id="93", commune_code="93008", status="matched"
    )
    match = apps.get_model("mentoring", "Match").objects.create(
        request=request,
        young_person_id=young.pk,
        mentor_id=mentor.pk,
        status="active",
        origin="coordinator",
        young_person_feedback="Merci pour tout",
    )
    apps.get_model("mentoring", "Meeting").objects.create(
        match=match,
        proposed_by_id=mentor.pk,
        starts_at=timezone.now() + timedelta(days=3),
        place="Médiathèque Elsa Triolet",
        status="accepted",
    )
    Conversation = apps.get_model("mentoring", "Conversation")
    conversation = Conversation(id=uuid.uuid4(), match=match)
    conversation.master_key_version, conversation.wrapped_key = load_keyring().wrap(
        crypto.new_key(), context=conversations._key_context(conversation)
    )
    conversation.save()
    body = crypto.seal(
        conversations._key(conversation),
        b"Bonjour Aminata",
        context=b"jalon/message/v1|" + conversation.id.bytes + b"|" + str(mentor.pk).encode(),
    )
    apps.get_model("mentoring", "Message").objects.create(
        conversation=conversation, sender_id=mentor.pk, encrypted_body=body
    )
    apps.get_model("mentoring", "ConversationReport").objects.create(
        conversation=conversation, reporter_id=young.pk, reason="Il insiste pour me voir seul"
    )
    apps.get_model("mentoring", "Notification").objects.create(
        user_id=young.pk, title="Un document expire bientôt", body="Ton titre expire le 09/07/2031"
    )
    return document_id, match.pk


def _raw_dump() -> str:
    values = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            if not table.startswith(("vault_", "mentoring_")):
                continue
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, memoryview | bytes | bytearray):
                        value = bytes(value).decode("utf-8", errors="replace")
                    values.append(str(value))
    return "\n".join(values)


def test_old_rows_are_sealed_read_back_through_the_api_and_opened_again_going_back(
    young_person, approved_mentor, client_for
):
    try:
        document_id, match_id = _old_rows(_migrate(BEFORE), young_person, approved_mentor)
        assert "Préfecture - titre de séjour" in _raw_dump()  # the old shape, in clear

        _migrate(AFTER)
        dump = _raw_dump()
        assert [clear for clear in CLEAR if clear in dump] == []

        young, mentor = client_for(young_person), client_for(approved_mentor)
        document = young.get(f"/api/v1/vault/documents/{document_id}/").json()
        assert (document["document_type"], document["issue_date"], document["expiry_date"]) == (
            "residence_permit",
            ISSUED.isoformat(),
            EXPIRES.isoformat(),
        )
        assert document["title"] == "Mon papier" and document["damaged"] is False
        log = young.get("/api/v1/vault/access-log/").json()["results"]
        assert [event["document_type"] for event in log] == ["residence_permit"]
        (appointment,) = young.get("/api/v1/me/appointments/").json()["results"]
        assert (appointment["title"], appointment["notes"]) == (
            "Préfecture - titre de séjour",
            "Apporter le titre de séjour et le RIB",
        )
        for member in (young, mentor):
            (meeting,) = member.get(f"/api/v1/mentoring/matches/{match_id}/meetings/").json()
            assert meeting["place"] == "Médiathèque Elsa Triolet"
        messages = mentor.get(f"/api/v1/mentoring/matches/{match_id}/messages/").json()
        assert [m["body"] for m in messages["results"]] == ["Bonjour Aminata"]
        (notification,) = young.get("/api/v1/me/notifications/").json()["results"]
        assert "2031" not in notification["title"] + notification["body"]

        apps = _migrate(BEFORE)
        Match = apps.get_model("mentoring", "Match")
        assert Match.objects.get(pk=match_id).young_person_feedback == "Merci pour tout"
        report = apps.get_model("mentoring", "ConversationReport").objects.get()
        assert report.reason == "Il insiste pour me voir seul"
        old_document = apps.get_model("vault", "Document").objects.get(pk=document_id)
        assert (old_document.document_type, old_document.expiry_date) == (
            "residence_permit",
            EXPIRES,
        )
        message = apps.get_model("mentoring", "Message").objects.get()
        conversation = message.conversation
        old_context = (
            b"jalon/message/v1|" + conversation.id.bytes + b"|" + str(message.sender_id).encode()
        )
        opened = crypto.open_sealed(
            conversations._key(conversation), bytes(message.encrypted_body), context=old_context
        )
        assert opened == b"Bonjour Aminata"
    finally:
        _migrate(AFTER)
