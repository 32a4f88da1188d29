"""Retiring master key versions: what makes crypto-shredding hold against backups.

An erased person's wrapped user key survives in database backups made before the
erasure. Rotating (new version, every live key re-wrapped) and then retiring the old
version leaves no master key that opens it, while every live document and conversation
still opens.
"""

import base64
import fcntl
import io
import json
import logging
import os
import threading
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from backend import crypto
from backend.crypto import keyring as keyring_module
from backend.crypto.keyring import (
    Keyring,
    load_keyring,
    update_keyring_file,
    write_keyring_file,
)
from mentoring import conversations
from mentoring.models import Conversation, Match
from tests.conftest import PASSWORD, TEST_KEYRING
from vault import keys
from vault.models import Document, UserKey
from vault.services import vault_storage
from vault.tasks import check_master_keys

from . import samples
from .conftest import DOCUMENTS, read_content, upload

pytestmark = pytest.mark.django_db

MATCHES = "/api/v1/mentoring/matches/"


@pytest.fixture
def keyring_file(settings, tmp_path) -> Path:
    """The keyring in a writable file, as a deployment with VAULT_KEYRING_FILE has it."""
    path = tmp_path / "secrets" / "vault-keyring.json"
    settings.VAULT_KEYRING = ""
    settings.VAULT_KEYRING_FILE = str(path)
    load_keyring()  # generated: version 1
    return path


def _run(command, *args) -> str:
    out = io.StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


def _backup_of(document_id) -> dict:
    """What a database dump and a copy of the storage hold of one document, read raw."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT d.id, d.wrapped_data_key, d.blob_name, k.id, k.master_key_version,"
            " k.wrapped_key FROM vault_document d JOIN vault_userkey k ON k.id = d.user_key_id"
            " WHERE d.id = %s",
            [Document._meta.pk.get_db_prep_value(document_id, connection)],
        )
        doc_id, wrapped_data_key, blob_name, key_id, version, wrapped_key = cursor.fetchone()
    with vault_storage().open(blob_name, "rb") as blob:
        blob_bytes = blob.read()
    return {
        "document_id": uuid.UUID(str(doc_id)),
        "wrapped_data_key": bytes(wrapped_data_key),
        "user_key_id": uuid.UUID(str(key_id)),
        "master_key_version": version,
        "wrapped_key": bytes(wrapped_key),
        "blob": blob_bytes,
    }


def _recover(backup: dict, keyring_json: str, settings) -> bytes:
    """The attacker's work: the backup plus a keyring, through the vault's own unwrapping."""
    settings.VAULT_KEYRING = keyring_json
    try:
        user_key = UserKey(
            id=backup["user_key_id"],
            master_key_version=backup["master_key_version"],
            wrapped_key=backup["wrapped_key"],
        )
        document = Document(id=backup["document_id"], wrapped_data_key=backup["wrapped_data_key"])
        data_key = keys.data_key(keys.user_secret(user_key), document)
        return b"".join(
            crypto.decrypt_stream(
                io.BytesIO(backup["blob"]),
                data_key,
                document_id=backup["document_id"],
                user_key_id=backup["user_key_id"],
            )
        )
    finally:
        settings.VAULT_KEYRING = ""


def test_after_retirement_a_backup_no_longer_gives_back_an_erased_persons_file(
    young_person,
    make_young_person,
    mentor,
    active_match,
    client_for,
    keyring_file,
    settings,
    django_capture_on_commit_callbacks,
):
    # The person who will be erased, and a person who stays, with a paper and a mentor.
    erased_content, kept_content = samples.pdf(9_000), samples.pdf(12_000)
    erased_client = client_for(young_person)
    response = upload(erased_client, erased_content, title="Titre de séjour")
    assert response.status_code == 201, response.json()
    erased_document = response.json()["id"]
    ines = make_young_person("ines@example.org")
    ines_client = client_for(ines)
    kept_document = upload(ines_client, kept_content).json()["id"]
    active_match(ines, mentor)
    match = Match.objects.get(young_person=ines)
    messages = f"{MATCHES}{match.pk}/messages/"
    assert ines_client.post(messages, {"body": "On se voit mardi ?"}, format="json").status_code
    assert Conversation.objects.get().master_key_version == "1"

    backup = _backup_of(erased_document)  # last night's dump, and the storage's copy
    assert backup["master_key_version"] == "1"

    with django_capture_on_commit_callbacks(execute=True):
        response = erased_client.delete("/api/v1/me/", {"password": PASSWORD}, format="json")
    assert response.status_code == 204
    assert not UserKey.objects.filter(pk=backup["user_key_id"]).exists()

    out = _run("vault_rotate_master_key", "--new-version")
    assert "1 user keys re-wrapped under master key 2" in out
    assert "1 conversation keys re-wrapped under master key 2" in out
    assert "Master key 1: wraps nothing" in out

    # Rotating alone is not enough: the current keyring still holds version 1.
    assert _recover(backup, keyring_file.read_text(), settings) == erased_content

    out = _run("vault_retire_master_key", "1")
    assert "Master key version 1 retired" in out
    ring = Keyring.from_json(keyring_file.read_text())
    assert ring.current == "2" and set(ring.keys) == {"2"}
    assert keyring_file.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in keyring_file.parent.iterdir()] == [keyring_file.name]

    with pytest.raises(ImproperlyConfigured, match="not in the vault keyring"):
        _recover(backup, keyring_file.read_text(), settings)
    # Nor does any key left, whatever version the attacker labels it with.
    for key in ring.keys.values():
        relabelled = Keyring(current="1", keys={"1": key}).to_json()
        with pytest.raises(crypto.IntegrityError):
            _recover(backup, relabelled, settings)

    # Whoever stays keeps everything: the paper, the conversation, new papers.
    assert read_content(ines_client.get(f"{DOCUMENTS}{kept_document}/content/")) == kept_content
    page = client_for(mentor).get(messages).json()
    assert [m["body"] for m in page["results"]] == ["On se voit mardi ?"]
    assert upload(ines_client, samples.pdf(5_000)).status_code == 201
    assert set(UserKey.objects.values_list("master_key_version", flat=True)) == {"2"}


def test_a_version_still_wrapping_keys_is_not_retired(
    young_person, make_document, mentor, active_match, keyring_file
):
    document = make_document(young_person)
    active_match(young_person, mentor)
    conversations.message_send(match=Match.objects.get(), sender=young_person, body="Bonjour")
    # A new version is in the keyring, but the re-wrapping has not run (or not to the end).
    write_keyring_file(load_keyring().with_new_version(), keyring_file)
    before = keyring_file.read_bytes()

    with pytest.raises(CommandError, match="still wraps 1 conversation keys, 1 user keys"):
        call_command("vault_retire_master_key", "1")
    assert keyring_file.read_bytes() == before
    assert keys.user_secret(UserKey.objects.get())  # still opens

    status = _run("vault_rotate_master_key", "--status")
    assert "Master key 1: still wraps 1 conversation keys, 1 user keys" in status
    today = timezone.now().date().isoformat()
    assert f"Master key 2 (current, made on {today}): wraps nothing yet" in status
    assert UserKey.objects.get().master_key_version == "1"  # --status changes nothing

    _run("vault_rotate_master_key")
    assert "0 user keys re-wrapped" in _run("vault_rotate_master_key")  # a second run
    _run("vault_retire_master_key", "1")
    assert set(Keyring.from_json(keyring_file.read_text()).keys) == {"2"}
    assert keys.user_secret(UserKey.objects.get())
    assert document.pk in Document.objects.values_list("pk", flat=True)


def test_the_current_version_and_an_unknown_one_are_not_retired(keyring_file):
    before = keyring_file.read_bytes()
    with pytest.raises(CommandError, match="version 1 is current"):
        call_command("vault_retire_master_key", "1")
    with pytest.raises(CommandError, match="version 7 is not in the keyring"):
        call_command("vault_retire_master_key", "7")
    assert keyring_file.read_bytes() == before


def test_a_kind_of_key_that_cannot_count_its_versions_blocks_retirement(keyring_file, monkeypatch):
    # What a kind of wrapped secret registered without count_by_version would do.
    registry = dict(keyring_module._wrapped_keys)
    monkeypatch.setattr(keyring_module, "_wrapped_keys", registry)
    keyring_module.register_rewrapper("TOTP secrets", lambda: 0)
    write_keyring_file(load_keyring().with_new_version(), keyring_file)
    with pytest.raises(CommandError, match="TOTP secrets cannot say"):
        call_command("vault_retire_master_key", "1")
    assert "No version can be retired" in _run("vault_rotate_master_key", "--status")
    assert set(Keyring.from_json(keyring_file.read_text()).keys) == {"1", "2"}


def _secrets_of(keyring_json: str) -> list[str]:
    return list(json.loads(keyring_json)["keys"].values())


def test_an_environment_keyring_is_rotated_and_retired_through_files_never_the_screen(
    young_person, make_document, settings, tmp_path
):
    document = make_document(young_person)
    new_ring = tmp_path / "new-keyring.json"

    out = _run("vault_rotate_master_key", "--new-version", "--output", str(new_ring))
    assert "Master key version 2" in out
    assert new_ring.stat().st_mode & 0o777 == 0o600
    ring = Keyring.from_json(new_ring.read_text())
    assert ring.current == "2" and set(ring.keys) == {"1", "2"}
    assert not any(secret in out for secret in _secrets_of(new_ring.read_text()))
    assert UserKey.objects.get().master_key_version == "1"  # nothing else changed

    with pytest.raises(CommandError, match="already exists"):
        call_command("vault_rotate_master_key", "--new-version", "--output", str(new_ring))
    assert Keyring.from_json(new_ring.read_text()) == ring  # not overwritten
    with pytest.raises(CommandError, match="--output PATH"):
        call_command("vault_rotate_master_key", "--new-version")

    settings.VAULT_KEYRING = new_ring.read_text()  # deployed
    _run("vault_rotate_master_key")
    assert UserKey.objects.get().master_key_version == "2"

    retired = tmp_path / "retired-keyring.json"
    with pytest.raises(CommandError, match="--output PATH"):
        call_command("vault_retire_master_key", "1")
    out = _run("vault_retire_master_key", "1", "--output", str(retired))
    assert retired.stat().st_mode & 0o777 == 0o600
    assert set(Keyring.from_json(retired.read_text()).keys) == {"2"}
    assert not any(secret in out for secret in _secrets_of(new_ring.read_text()))
    assert "destroy every copy of the old keyring" in out
    with pytest.raises(CommandError, match="already exists"):
        call_command("vault_retire_master_key", "1", "--output", str(retired))

    settings.VAULT_KEYRING = retired.read_text()
    assert keys.user_secret(UserKey.objects.get())
    assert Document.objects.get().pk == document.pk


def test_the_rotation_command_never_prints_master_keys(settings):
    out = io.StringIO()
    with pytest.raises(CommandError, match="--print-new-keyring is gone"):
        call_command("vault_rotate_master_key", "--print-new-keyring", stdout=out)
    secret = base64.b64encode(b"k" * 32).decode()
    assert secret in TEST_KEYRING
    assert secret not in out.getvalue()


def test_a_retirement_waits_for_a_rotation_in_progress_and_keeps_its_new_version(tmp_path):
    path = tmp_path / "vault-keyring.json"
    write_keyring_file(Keyring(current="2", keys={"1": b"a" * 32, "2": b"b" * 32}), path)
    retired = []
    directory = os.open(tmp_path, os.O_RDONLY)
    try:
        fcntl.flock(directory, fcntl.LOCK_EX)  # a rotation is writing the file
        retirement = threading.Thread(
            target=lambda: retired.append(
                update_keyring_file(path, lambda keyring: keyring.without_version("1"))
            )
        )
        retirement.start()
        retirement.join(timeout=0.5)
        assert retirement.is_alive()  # waits rather than reading the keyring being changed
        write_keyring_file(Keyring.from_json(path.read_text()).with_new_version(), path)
    finally:
        os.close(directory)
    retirement.join(timeout=5)
    ring = Keyring.from_json(path.read_text())
    assert ring == retired[0]
    assert ring.current == "3" and set(ring.keys) == {"2", "3"}


def _logged(caplog) -> list[str]:
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="vault.tasks"):
        check_master_keys()
    return [record.getMessage() for record in caplog.records if record.name == "vault.tasks"]


def test_each_day_the_logs_say_when_to_rotate_and_when_to_retire(
    young_person, make_document, keyring_file, settings, caplog
):
    assert "check-vault-master-keys" in settings.CELERY_BEAT_SCHEDULE
    settings.VAULT_MASTER_KEY_ROTATION_DAYS = 30
    make_document(young_person)
    assert _logged(caplog) == []  # a key made today: nothing to do

    ring = Keyring.from_json(keyring_file.read_text())
    made = timezone.now().date() - timedelta(days=31)
    write_keyring_file(Keyring(ring.current, ring.keys, {"1": made}), keyring_file)
    assert _logged(caplog) == [
        f"Master key version 1 was made on {made.isoformat()}; rotate every 30 days: "
        "vault_rotate_master_key --new-version, then retire the old version."
    ]

    write_keyring_file(load_keyring().with_new_version(), keyring_file)
    assert _logged(caplog) == [
        "Master key version 1 still wraps 1 user keys: run vault_rotate_master_key."
    ]
    _run("vault_rotate_master_key")
    assert _logged(caplog) == [
        "Master key version 1 wraps nothing: retire it (vault_retire_master_key 1); until "
        "then it opens the backups it wrapped, erased people's included."
    ]
    _run("vault_retire_master_key", "1")
    assert _logged(caplog) == []


def test_a_keyring_without_dates_still_loads_and_is_due_for_rotation(settings, caplog):
    assert "created" not in TEST_KEYRING
    assert load_keyring().created == {}
    assert _logged(caplog) == [
        "Master key version 1 has no creation date; rotate every 30 days: "
        "vault_rotate_master_key --new-version, then retire the old version."
    ]
