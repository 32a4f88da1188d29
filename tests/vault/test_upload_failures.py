"""An upload that fails half-way leaves nothing running and nothing on disk."""

import base64
import gc
import io
import threading
import uuid

import pytest

from backend import crypto
from vault import services
from vault.models import Document, PendingBlob
from vault.uploads import encrypt_file

from . import samples
from .conftest import DOCUMENTS, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def upload_dir(settings, tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "uploads")
    (tmp_path / "uploads").mkdir()
    return tmp_path / "uploads"


def _nothing_left(upload_dir) -> None:
    gc.collect()
    assert [t.name for t in threading.enumerate() if t.name.startswith("vault-")] == []
    assert list(upload_dir.iterdir()) == []
    assert not Document.objects.exists()
    assert not PendingBlob.objects.exists()


def _disk_full(*args, **kwargs):
    raise OSError(28, "No space left on device")


def test_a_failure_on_the_last_chunk_is_reported_not_hung(monkeypatch, upload_dir):
    monkeypatch.setattr(crypto.ChunkEncryptor, "finish", _disk_full)
    outcome = {}

    def encrypt():
        try:
            encrypt_file(
                io.BytesIO(samples.pdf(10_000)),
                file_name="a.pdf",
                user_key_id=uuid.uuid4(),
                max_size=10**7,
                chunk_size=4096,
            )
        except OSError as error:
            outcome["error"] = error

    worker = threading.Thread(target=encrypt)
    worker.start()
    worker.join(timeout=10)
    assert not worker.is_alive()
    assert outcome["error"].errno == 28
    _nothing_left(upload_dir)


def test_a_failure_mid_file_through_the_api_is_a_500_and_leaves_nothing(
    young_person, client_for, monkeypatch, upload_dir
):
    real_feed = crypto.ChunkEncryptor.feed
    calls = []

    def feed_then_fail(self, data):
        calls.append(len(data))
        if len(calls) > 2:
            _disk_full()
        return real_feed(self, data)

    monkeypatch.setattr(crypto.ChunkEncryptor, "feed", feed_then_fail)
    response = upload(client_for(young_person), samples.pdf(5_000_000))
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "server_error"
    _nothing_left(upload_dir)


def test_a_malformed_body_is_a_400_and_leaves_nothing(young_person, client_for, upload_dir):
    # A file part in base64 with one byte too many: Django's parser gives up mid-file
    # without telling the upload handler.
    encoded = base64.b64encode(samples.pdf(300_000)) + b"A"
    body = (
        b'--B\r\nContent-Disposition: form-data; name="document_type"\r\n\r\nother\r\n'
        b'--B\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n'
        b"Content-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + encoded
        + b"\r\n--B--\r\n"
    )
    client = client_for(young_person)
    for _ in range(2):
        response = client.generic(
            "POST", DOCUMENTS, data=body, content_type="multipart/form-data; boundary=B"
        )
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "parse_error"
    _nothing_left(upload_dir)


def test_a_body_cut_short_leaves_nothing(young_person, client_for, upload_dir):
    body = (
        b'--B\r\nContent-Disposition: form-data; name="document_type"\r\n\r\nother\r\n'
        b'--B\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n'
        b"Content-Type: application/pdf\r\n\r\n" + samples.pdf(2_000_000)[:1_500_000]
    )
    response = client_for(young_person).generic(
        "POST", DOCUMENTS, data=body, content_type="multipart/form-data; boundary=B"
    )
    assert 400 <= response.status_code < 500
    _nothing_left(upload_dir)


def test_too_many_fields_or_too_big_a_field_are_4xx(young_person, client_for, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client = client_for(young_person)
    response = upload(client, samples.pdf(), tags=[f"t{i}" for i in range(10)])
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "too_many_fields"
    response = upload(client, samples.pdf(), title="x" * 5000)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request_too_large"
    assert not Document.objects.exists()


def test_a_shared_file_is_named_after_its_title_not_its_original_name(
    young_person, make_document, api_client
):
    document = make_document(young_person, name="passeport-aminata-diallo.pdf", title="Passeport")
    _share, token, _code = services.share_link_create(document=document)
    response = api_client.get("/api/v1/vault/shared/content/", HTTP_X_SHARE_TOKEN=token)
    assert "Passeport.pdf" in response["Content-Disposition"]
    assert "diallo" not in response["Content-Disposition"]
