"""What the vault promises about its bytes: integrity, confidentiality, atomicity, shredding."""

import hashlib
import io
import json
import logging
import random
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from backend import crypto
from backend.crypto.keyring import Keyring, load_keyring, write_keyring_file
from vault import keys, services
from vault.models import Document, PendingBlob, UserKey
from vault.services import vault_storage
from vault.tasks import clean_up_pending_blobs

from . import samples
from .conftest import DOCUMENTS, read_content, upload

pytestmark = pytest.mark.django_db

CHUNK = 4096
RECORD = crypto.NONCE_BYTES + CHUNK + crypto.TAG_BYTES


@pytest.fixture
def owner_client(young_person, client_for):
    return client_for(young_person)


@pytest.fixture
def stored(young_person, make_document):
    """A document of five chunks, and a way to rewrite its blob as an attacker would."""
    content = samples.pdf(CHUNK * 4 + 1000)
    document = make_document(young_person, content, chunk_size=CHUNK)
    path = Path(vault_storage().path(document.blob_name))
    return document, content, path


def _refused(client, document, caplog):
    with caplog.at_level(logging.ERROR, logger="vault.services"):
        response = client.get(f"{DOCUMENTS}{document.pk}/content/")
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "document_integrity_error"
    assert not hasattr(response, "streaming_content")  # not one byte of the file
    assert str(document.pk) in caplog.text


def test_an_untouched_blob_is_read_back(owner_client, stored):
    document, content, _path = stored
    assert read_content(owner_client.get(f"{DOCUMENTS}{document.pk}/content/")) == content


def test_the_blob_header_names_its_format_and_keys(stored):
    document, _content, path = stored
    header = crypto.BlobHeader.unpack(path.read_bytes()[: crypto.HEADER_SIZE])
    assert (header.version, header.chunk_size) == (1, CHUNK)
    assert header.document_id == document.pk
    assert header.user_key_id == document.user_key_id


@pytest.mark.parametrize("offset", [0, 10, crypto.HEADER_SIZE + 5, -1, -20])
def test_one_flipped_byte_is_refused(owner_client, stored, caplog, offset):
    document, _content, path = stored
    blob = bytearray(path.read_bytes())
    blob[offset] ^= 0x01
    path.write_bytes(blob)
    _refused(owner_client, document, caplog)


def test_swapped_chunks_are_refused(owner_client, stored, caplog):
    document, _content, path = stored
    blob = path.read_bytes()
    head, body = blob[: crypto.HEADER_SIZE], blob[crypto.HEADER_SIZE :]
    first, second, rest = body[:RECORD], body[RECORD : 2 * RECORD], body[2 * RECORD :]
    path.write_bytes(head + second + first + rest)
    _refused(owner_client, document, caplog)


def test_a_dropped_chunk_is_refused(owner_client, stored, caplog):
    document, _content, path = stored
    blob = path.read_bytes()
    start = crypto.HEADER_SIZE + RECORD
    path.write_bytes(blob[:start] + blob[start + RECORD :])
    _refused(owner_client, document, caplog)


@pytest.mark.parametrize("cut", ["at_a_chunk_boundary", "inside_a_chunk"])
def test_a_truncated_blob_is_refused(owner_client, stored, caplog, cut):
    document, _content, path = stored
    blob = path.read_bytes()
    length = crypto.HEADER_SIZE + 4 * RECORD  # the last (short) chunk is gone
    if cut == "inside_a_chunk":
        length -= 100
    path.write_bytes(blob[:length])
    _refused(owner_client, document, caplog)


def test_a_blob_moved_to_another_document_is_refused(
    owner_client, young_person, make_document, caplog
):
    kept = make_document(young_person, samples.pdf(10_000))
    victim = make_document(young_person, samples.pdf(10_000))
    storage = vault_storage()
    Path(storage.path(victim.blob_name)).write_bytes(
        Path(storage.path(kept.blob_name)).read_bytes()
    )
    _refused(owner_client, victim, caplog)


def test_a_missing_blob_is_an_error_not_an_empty_file(owner_client, stored, caplog):
    document, _content, path = stored
    path.unlink()
    _refused(owner_client, document, caplog)


def test_database_and_storage_hold_no_plaintext(owner_client, settings):
    marker = b"MARQUEUR-EN-CLAIR-7d1c"
    content = samples.pdf(20_000, marker=marker)
    response = upload(
        owner_client,
        content,
        name="MARQUEUR-EN-CLAIR-7d1c-nom.pdf",
        title="MARQUEUR-EN-CLAIR-7d1c titre",
        tags=["MARQUEUR-EN-CLAIR-7d1c"],
        document_type="placement_order",
    )
    assert response.status_code == 201
    assert response.json()["title"] == "MARQUEUR-EN-CLAIR-7d1c titre"

    stored_files = [p for p in Path(vault_storage().location).rglob("*") if p.is_file()]
    assert stored_files
    for path in stored_files:
        assert marker not in path.read_bytes()
        assert marker.decode() not in str(path)
    # The SHA-256 of the content would identify a known document: encrypted too.
    digest = hashlib.sha256(content).hexdigest()
    for value in _every_database_value():
        assert marker not in value
        assert digest.encode() not in value
    keyring_secret = load_keyring().keys["1"]
    for value in _every_database_value():
        assert keyring_secret not in value


def _every_database_value():
    """Every non-null value of every table, as bytes (whatever the column type)."""
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                for value in row:
                    if value is None:
                        continue
                    if isinstance(value, bytes | memoryview | bytearray):
                        yield bytes(value)
                    else:
                        yield str(value).encode()


def test_master_key_rotation_keeps_every_document_readable(
    owner_client, young_person, make_document, settings, tmp_path
):
    settings.VAULT_KEYRING = ""
    settings.VAULT_KEYRING_FILE = str(tmp_path / "keyring.json")
    before = make_document(young_person, samples.pdf(9_000), title="avant")
    blob_before = Path(vault_storage().path(before.blob_name)).read_bytes()
    assert UserKey.objects.get().master_key_version == "1"

    call_command("vault_rotate_master_key", "--new-version")

    ring = json.loads(Path(settings.VAULT_KEYRING_FILE).read_text())
    assert ring["current"] == "2"
    assert set(ring["keys"]) == {"1", "2"}
    user_key = UserKey.objects.get()
    assert user_key.master_key_version == "2"
    assert user_key.rotated_at is not None
    # Blobs are not re-encrypted, only the user key is re-wrapped.
    assert Path(vault_storage().path(before.blob_name)).read_bytes() == blob_before

    after = make_document(young_person, samples.pdf(9_000), title="après")
    for document in (before, after):
        response = owner_client.get(f"{DOCUMENTS}{document.pk}/content/")
        assert response.status_code == 200

    # Once nothing is wrapped under version 1, it can leave the ring.
    del ring["keys"]["1"]
    Path(settings.VAULT_KEYRING_FILE).write_text(json.dumps(ring))
    assert owner_client.get(f"{DOCUMENTS}{before.pk}/").json()["title"] == "avant"


def test_rotation_command_refuses_to_invent_a_key_for_an_environment_keyring(settings):
    with pytest.raises(CommandError, match="VAULT_KEYRING"):
        call_command("vault_rotate_master_key", "--new-version")


def test_a_wrong_master_key_opens_nothing(young_person, make_document, settings):
    document = make_document(young_person)
    wrong = Keyring(current="1", keys={"1": b"w" * 32})
    settings.VAULT_KEYRING = wrong.to_json()
    with pytest.raises(crypto.IntegrityError):
        keys.user_secret(document.user_key)


def test_the_embedded_default_generates_its_keyring_once(settings, tmp_path, caplog):
    settings.VAULT_KEYRING = ""
    settings.VAULT_KEYRING_FILE = str(tmp_path / "var" / "vault-keyring.json")
    with caplog.at_level(logging.WARNING, logger="backend.crypto.keyring"):
        first = load_keyring()
    assert "Generated a new local vault keyring" in caplog.text
    assert (Path(settings.VAULT_KEYRING_FILE).stat().st_mode & 0o777) == 0o600
    assert load_keyring() == first


class ProcessDied(BaseException):
    """Stands for the process being killed: nothing in the service catches it."""


def _upload_and_die_before_the_row(client, monkeypatch) -> None:
    def die(*args, **kwargs):
        raise ProcessDied

    monkeypatch.setattr(Document.objects, "create", die)
    with pytest.raises(ProcessDied):
        upload(client, samples.pdf(8_000))
    monkeypatch.undo()


def test_a_crash_between_blob_and_row_leaves_nothing_after_clean_up(
    owner_client, young_person, monkeypatch
):
    _upload_and_die_before_the_row(owner_client, monkeypatch)
    assert not Document.objects.exists()
    pending = PendingBlob.objects.get()
    assert vault_storage().exists(pending.blob_name)  # the orphan a crash leaves

    # Within the grace period the blob may still belong to an upload in progress.
    assert services.pending_blobs_clean_up() == 0
    assert vault_storage().exists(pending.blob_name)

    assert services.pending_blobs_clean_up(older_than=services.timedelta(0)) == 1
    assert not vault_storage().exists(pending.blob_name)
    assert not PendingBlob.objects.exists()


def test_clean_up_never_touches_a_stored_document(owner_client, young_person, make_document):
    document = make_document(young_person)
    PendingBlob.objects.create(blob_name=document.blob_name)  # as if a crash left a line
    assert services.pending_blobs_clean_up(older_than=services.timedelta(0)) == 0
    assert vault_storage().exists(document.blob_name)
    assert owner_client.get(f"{DOCUMENTS}{document.pk}/content/").status_code == 200


def test_a_failed_upload_leaves_no_blob(owner_client, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(Document.objects, "create", fail)
    assert upload(owner_client, samples.pdf(8_000)).status_code == 500
    assert not PendingBlob.objects.exists()
    assert not any(Path(vault_storage().location).rglob("*.jvlt"))


def test_a_deleted_account_can_no_longer_be_decrypted(
    owner_client, young_person, make_document, django_capture_on_commit_callbacks
):
    document = make_document(young_person)
    blob = Path(vault_storage().path(document.blob_name)).read_bytes()  # e.g. in a backup
    wrapped_data_key = bytes(document.wrapped_data_key)
    user_key_id = document.user_key_id

    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.delete(
            "/api/v1/me/", {"password": "correct-horse-battery-42"}, format="json"
        )
    assert response.status_code == 204
    assert not UserKey.objects.filter(pk=user_key_id).exists()
    assert not Document.objects.exists()
    assert not vault_storage().exists(document.blob_name)
    assert not PendingBlob.objects.exists()
    # Whoever kept a copy of the blob and of the wrapped data key: without the user key,
    # no key the server still holds opens them.
    for user_key in UserKey.objects.all():
        with pytest.raises(crypto.IntegrityError):
            keys.data_key(
                keys.user_secret(user_key),
                Document(id=document.pk, wrapped_data_key=wrapped_data_key),
            )
    assert blob[:8] == crypto.MAGIC


def test_decrypt_stream_refuses_an_appended_chunk():
    data_key = crypto.new_key()
    header = crypto.BlobHeader(document_id=uuid.uuid4(), user_key_id=uuid.uuid4(), chunk_size=16)
    encryptor = crypto.ChunkEncryptor(data_key, header)
    blob = b"".join([encryptor.start(), *encryptor.feed(b"x" * 40), *encryptor.finish()])

    def read(raw):
        return b"".join(
            crypto.decrypt_stream(
                io.BytesIO(raw),
                data_key,
                document_id=header.document_id,
                user_key_id=header.user_key_id,
            )
        )

    assert read(blob) == b"x" * 40
    with pytest.raises(crypto.IntegrityError):
        read(blob + blob[crypto.HEADER_SIZE : crypto.HEADER_SIZE + 12 + 16 + 16])


def test_the_clean_up_is_a_periodic_task(owner_client, settings, monkeypatch):
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "vault.tasks.clean_up_pending_blobs" in scheduled

    _upload_and_die_before_the_row(owner_client, monkeypatch)
    settings.VAULT_PENDING_BLOB_GRACE_MINUTES = 0
    assert clean_up_pending_blobs.apply().get() == 1
    assert not any(Path(vault_storage().location).rglob("*.jvlt"))


@pytest.mark.parametrize("seed", range(5))
def test_pieces_of_any_size_encrypt_to_the_same_plaintext(seed):
    generator = random.Random(seed)  # noqa: S311 - reproducible test data, not a secret
    chunk_size = 64
    plaintext = generator.randbytes(generator.randrange(0, chunk_size * 6))
    header = crypto.BlobHeader(
        document_id=uuid.uuid4(), user_key_id=uuid.uuid4(), chunk_size=chunk_size
    )
    data_key = crypto.new_key()
    encryptor = crypto.ChunkEncryptor(data_key, header)
    parts = [encryptor.start()]
    position = 0
    while position < len(plaintext):
        size = generator.choice([1, chunk_size - 1, chunk_size, chunk_size + 1, 150])
        parts += encryptor.feed(plaintext[position : position + size])
        position += size
    parts += encryptor.finish()
    blob = b"".join(parts)
    chunks = max(1, -(-len(plaintext) // chunk_size))
    assert len(blob) == crypto.HEADER_SIZE + chunks * 28 + len(plaintext)
    decrypted = crypto.decrypt_stream(
        io.BytesIO(blob), data_key, document_id=header.document_id, user_key_id=header.user_key_id
    )
    assert b"".join(decrypted) == plaintext
    assert encryptor.plaintext_size == len(plaintext)


def test_a_forged_chunk_size_is_refused_before_anything_is_read(owner_client, stored, caplog):
    document, _content, path = stored
    blob = bytearray(path.read_bytes())
    blob[9:13] = (0xFFFFFFFF).to_bytes(4, "big")  # the header's chunk size
    path.write_bytes(blob)
    with pytest.raises(crypto.IntegrityError, match="known format"):
        crypto.BlobHeader.unpack(bytes(blob[: crypto.HEADER_SIZE]))
    _refused(owner_client, document, caplog)


def test_two_processes_generating_the_keyring_keep_the_same_one(settings, tmp_path):
    path = tmp_path / "vault-keyring.json"
    first = Keyring(current="1", keys={"1": b"a" * 32})
    second = Keyring(current="1", keys={"1": b"b" * 32})
    assert write_keyring_file(first, path, replace=False) is True
    assert write_keyring_file(second, path, replace=False) is False
    assert Keyring.from_json(path.read_text()) == first
    assert [p.name for p in tmp_path.iterdir()] == ["vault-keyring.json"]
