import hashlib
import io
import json
import zipfile
from datetime import date, timedelta

import pytest
from django.utils import timezone

from vault.models import AccessEvent, Document, PendingBlob
from vault.services import vault_storage

from . import samples
from .conftest import DOCUMENTS, read_content, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_client(young_person, client_for):
    return client_for(young_person)


@pytest.mark.parametrize("content_type", sorted(samples.FORMATS))
def test_every_accepted_format_comes_back_byte_for_byte(owner_client, content_type):
    name, make = samples.FORMATS[content_type]
    content = make(50_000)
    response = upload(owner_client, content, name, document_type="identity_card", title="Ma CNI")
    assert response.status_code == 201, response.json()
    document = response.json()
    assert document["content_type"] == content_type
    assert document["size"] == len(content)
    assert document["title"] == "Ma CNI"
    assert document["file_name"] == name

    download = owner_client.get(f"{DOCUMENTS}{document['id']}/content/")
    assert download.status_code == 200
    assert read_content(download) == content
    assert download["Content-Type"] == content_type
    assert download["Cache-Control"] == "no-store"
    assert download["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["Content-Length"] == str(len(content))


def test_a_file_of_many_chunks_round_trips(owner_client, settings):
    settings.VAULT_CHUNK_SIZE = 4096
    content = samples.pdf(4096 * 7 + 123)
    response = upload(owner_client, content)
    assert response.status_code == 201
    stored = Document.objects.get()
    with vault_storage().open(stored.blob_name) as blob:
        # Header, then 8 chunks, each with its nonce (12 bytes) and tag (16 bytes).
        assert len(blob.read()) == 45 + 8 * 28 + len(content)
    download = owner_client.get(f"{DOCUMENTS}{stored.pk}/content/?disposition=inline")
    assert read_content(download) == content
    assert download["Content-Disposition"].startswith("attachment;")  # a PDF, always


def test_a_file_of_exactly_whole_chunks_round_trips(owner_client, settings):
    settings.VAULT_CHUNK_SIZE = 4096
    content = samples.jpeg(4096 * 3)
    document_id = upload(owner_client, content, "photo.jpg").json()["id"]
    assert read_content(owner_client.get(f"{DOCUMENTS}{document_id}/content/")) == content


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("contrat.pdf", samples.windows_executable()),  # a renamed executable
        ("attestation.pdf", samples.fake_pdf()),  # starts like a PDF, is not one
        ("notes.txt", b"just some text"),
        ("image.gif", b"GIF89a" + b"\x00" * 100),
    ],
)
def test_files_are_judged_by_their_content_not_their_name(owner_client, name, content):
    response = upload(owner_client, content, name)
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_file_type"
    assert not Document.objects.exists()
    assert not PendingBlob.objects.exists()
    assert not _stored_blobs()


def test_an_empty_file_is_refused(owner_client):
    response = upload(owner_client, b"")
    assert response.status_code == 400
    assert "file" in response.json()["error"]["fields"]
    assert not Document.objects.exists()


def test_a_file_over_the_size_limit_is_refused(owner_client, settings):
    settings.VAULT_MAX_FILE_SIZE = 100_000
    response = upload(owner_client, samples.pdf(100_001))
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "file_too_large"
    assert not Document.objects.exists()
    assert not _stored_blobs()
    assert upload(owner_client, samples.pdf(100_000)).status_code == 201


def test_an_announced_oversized_body_is_refused_before_it_is_read(owner_client, settings):
    settings.VAULT_MAX_FILE_SIZE = 1000
    response = owner_client.generic(
        "POST",
        DOCUMENTS,
        data=b"x" * 200_000,
        content_type="multipart/form-data; boundary=xyz",
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "file_too_large"


def test_the_quota_counts_every_document_of_the_owner(owner_client, settings):
    settings.VAULT_QUOTA = 250_000
    assert upload(owner_client, samples.pdf(100_000)).status_code == 201
    assert upload(owner_client, samples.pdf(100_000)).status_code == 201
    response = upload(owner_client, samples.pdf(100_000))
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "quota_exceeded"
    assert Document.objects.count() == 2
    assert len(_stored_blobs()) == 2
    # Deleting a document makes room again.
    owner_client.delete(f"{DOCUMENTS}{Document.objects.first().pk}/")
    assert upload(owner_client, samples.pdf(100_000)).status_code == 201


def test_quota_is_per_person(owner_client, other_young_person, client_for, settings):
    settings.VAULT_QUOTA = 150_000
    assert upload(owner_client, samples.pdf(100_000)).status_code == 201
    assert upload(client_for(other_young_person), samples.pdf(100_000)).status_code == 201


def test_metadata_is_validated(owner_client):
    response = upload(
        owner_client,
        samples.pdf(),
        document_type="driving_licence",
    )
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"document_type"}
    response = upload(
        owner_client, samples.pdf(), issue_date="2026-01-01", expiry_date="2025-01-01"
    )
    assert set(response.json()["error"]["fields"]) == {"expiry_date"}
    response = upload(owner_client, samples.pdf(), color="blue")
    assert set(response.json()["error"]["fields"]) == {"color"}
    assert not Document.objects.exists()
    assert not _stored_blobs()


def test_a_blank_title_takes_the_document_type(owner_client):
    response = upload(owner_client, samples.pdf(), document_type="residence_permit")
    assert response.json()["title"] == "Titre de séjour"


def test_list_filters_by_type_and_coming_expiry(owner_client, young_person, make_document):
    today = timezone.localdate()
    soon = make_document(
        young_person, document_type="residence_permit", expiry_date=today + timedelta(days=20)
    )
    make_document(
        young_person, document_type="residence_permit", expiry_date=today + timedelta(days=200)
    )
    make_document(young_person, document_type="passport", expiry_date=today - timedelta(days=1))
    make_document(young_person, document_type="payslip")

    def ids(query):
        response = owner_client.get(f"{DOCUMENTS}?{query}")
        assert response.status_code == 200, response.json()
        return [d["id"] for d in response.json()["results"]]

    assert len(ids("")) == 4
    assert len(ids("document_type=residence_permit")) == 2
    assert ids("expiring_within_days=30") == [str(soon.pk)]
    assert ids("expiring_within_days=30&document_type=passport") == []
    assert owner_client.get(f"{DOCUMENTS}?expiring_within_days=soon").status_code == 400
    assert owner_client.get(f"{DOCUMENTS}?document_type=unknown").status_code == 400


def test_details_change_and_are_logged(owner_client, young_person, make_document):
    document = make_document(young_person, title="Ancien titre")
    response = owner_client.patch(
        f"{DOCUMENTS}{document.pk}/",
        {
            "title": "Titre de séjour 2026",
            "tags": ["préfecture", " préfecture "],
            "expiry_date": "2027-03-01",
        },
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["title"], body["tags"], body["expiry_date"]) == (
        "Titre de séjour 2026",
        ["préfecture"],
        "2027-03-01",
    )
    assert owner_client.patch(f"{DOCUMENTS}{document.pk}/", {"size": 1}).status_code == 400
    assert owner_client.patch(f"{DOCUMENTS}{document.pk}/", {"title": ""}).status_code == 400
    assert owner_client.get(f"{DOCUMENTS}{document.pk}/").json()["title"] == "Titre de séjour 2026"
    actions = list(AccessEvent.objects.values_list("action", flat=True))
    assert actions == ["update", "upload"]


def test_a_patch_that_changes_nothing_is_neither_saved_nor_logged(
    owner_client, young_person, make_document
):
    document = make_document(young_person, document_type="passport", expiry_date=date(2030, 1, 1))
    before = Document.objects.get(pk=document.pk).updated_at
    response = owner_client.patch(
        f"{DOCUMENTS}{document.pk}/", {"document_type": "passport", "expiry_date": "2030-01-01"}
    )
    assert response.status_code == 200, response.json()
    assert response.json()["document_type"] == "passport"
    assert Document.objects.get(pk=document.pk).updated_at == before
    assert list(AccessEvent.objects.values_list("action", flat=True)) == ["upload"]


def test_delete_removes_the_row_and_the_blob(
    owner_client, young_person, make_document, django_capture_on_commit_callbacks
):
    document = make_document(young_person)
    assert _stored_blobs()
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.delete(f"{DOCUMENTS}{document.pk}/")
    assert response.status_code == 204
    assert not Document.objects.exists()
    assert not _stored_blobs()
    assert not PendingBlob.objects.exists()
    # The log keeps the deletion, so the owner can see what happened to their paper.
    assert AccessEvent.objects.filter(action="delete", document_id=document.pk).exists()
    assert owner_client.get(f"{DOCUMENTS}{document.pk}/").status_code == 404


def test_the_access_log_is_append_only(young_person, make_document):
    make_document(young_person)
    event = AccessEvent.objects.get()
    event.action = "view"
    with pytest.raises(ValueError, match="append-only"):
        event.save()


def test_the_access_log_lists_every_operation(owner_client, young_person, make_document):
    document = make_document(young_person)
    read_content(owner_client.get(f"{DOCUMENTS}{document.pk}/content/?disposition=inline"))
    read_content(owner_client.get(f"{DOCUMENTS}{document.pk}/content/"))
    owner_client.post(f"{DOCUMENTS}{document.pk}/shares/", {"kind": "link"})
    log = owner_client.get("/api/v1/vault/access-log/").json()
    assert [e["action"] for e in log["results"]] == ["share", "download", "view", "upload"]
    assert {e["document_id"] for e in log["results"]} == {str(document.pk)}
    filtered = owner_client.get("/api/v1/vault/access-log/?action=view").json()
    assert filtered["count"] == 1


def test_export_zip_holds_every_document_matching_its_hash(
    owner_client, young_person, make_document
):
    contents = {
        "passeport.pdf": samples.pdf(30_000),
        "carte.jpg": samples.jpeg(20_000),
        "IMG_1.HEIC": samples.heic(10_000),
    }
    for name, content in contents.items():
        make_document(young_person, content, name=name, title=name)

    response = owner_client.get("/api/v1/vault/export/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Cache-Control"] == "no-store"
    archive = zipfile.ZipFile(io.BytesIO(read_content(response)))
    assert archive.testzip() is None
    manifest = json.loads(archive.read("manifest.json"))
    assert len(manifest["documents"]) == 3
    for entry in manifest["documents"]:
        assert entry["integrity"] == "verified"
        data = archive.read(entry["path"])
        assert data == contents[entry["file_name"]]
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
    exported = [e for e in manifest["access_log"] if e["action"] == "export"]
    assert len(exported) == 3


def test_personal_data_export_includes_the_vault(owner_client, young_person, make_document):
    make_document(young_person, title="Acte de naissance", document_type="birth_certificate")
    export = owner_client.get("/api/v1/me/export/").json()
    assert export["vault"]["documents"][0]["title"] == "Acte de naissance"
    assert export["vault"]["access_log"][0]["action"] == "upload"


def _stored_blobs() -> list[str]:
    storage = vault_storage()
    found = []
    if not storage.exists(""):
        return found
    directories, _files = storage.listdir("")
    for directory in directories:
        found += [f"{directory}/{name}" for name in storage.listdir(directory)[1]]
    return found


def test_one_damaged_document_does_not_hide_the_others(owner_client, young_person, make_document):
    content = samples.pdf(5000)
    damaged = make_document(young_person, content, title="Abîmé")
    sound = make_document(young_person, samples.jpeg(5000), name="carte.jpg", title="Intact")
    sealed = bytearray(damaged.encrypted_title)
    sealed[-1] ^= 1
    Document.objects.filter(pk=damaged.pk).update(encrypted_title=bytes(sealed))

    listing = owner_client.get(DOCUMENTS).json()["results"]
    by_id = {d["id"]: d for d in listing}
    assert by_id[str(damaged.pk)]["damaged"] is True
    assert (by_id[str(sound.pk)]["title"], by_id[str(sound.pk)]["damaged"]) == ("Intact", False)
    # The file itself is intact and checked: its owner still gets it back.
    response = owner_client.get(f"{DOCUMENTS}{damaged.pk}/content/")
    assert read_content(response) == content

    archive = zipfile.ZipFile(io.BytesIO(read_content(owner_client.get("/api/v1/vault/export/"))))
    manifest = json.loads(archive.read("manifest.json"))
    outcome = {e["id"]: (e["damaged"], e["integrity"]) for e in manifest["documents"]}
    assert outcome == {str(damaged.pk): (True, "verified"), str(sound.pk): (False, "verified")}
    assert owner_client.get("/api/v1/me/export/").status_code == 200
