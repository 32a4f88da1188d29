"""Fixtures of the vault's tests: uploads through the API or the services, a mentor match."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from mentoring import selectors as mentoring_selectors
from vault import keys, services
from vault.uploads import encrypt_file

from . import samples

DOCUMENTS = "/api/v1/vault/documents/"


def upload(client, content: bytes, name: str = "releve.pdf", **fields):
    """POST a file to the vault as the app does (multipart); returns the response."""
    data = {"document_type": "other", **fields}
    data["file"] = SimpleUploadedFile(name, content, "application/octet-stream")
    return client.post(DOCUMENTS, data, format="multipart")


def read_content(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture
def make_document(settings):
    """Put a document in ``owner``'s vault through the services (no HTTP)."""

    def _make(owner, content: bytes | None = None, *, name="releve.pdf", chunk_size=None, **fields):
        content = samples.pdf() if content is None else content
        user_key = keys.user_key_ensure(owner)
        encrypted = encrypt_file(
            io.BytesIO(content),
            file_name=name,
            user_key_id=user_key.id,
            max_size=settings.VAULT_MAX_FILE_SIZE,
            chunk_size=chunk_size or settings.VAULT_CHUNK_SIZE,
        )
        fields.setdefault("document_type", "other")
        fields.setdefault("title", "Relevé")
        return services.document_create(owner=owner, upload=encrypted, **fields)

    return _make


@pytest.fixture
def active_match(monkeypatch):
    """Stand-in for an active mentoring match until mentoring lands: ``active_match(yp, m)``.

    Returns a function that ends the match (the young person then has no mentor).
    """
    pairs = {}
    monkeypatch.setattr(
        mentoring_selectors, "active_mentor_for", lambda young_person: pairs.get(young_person.pk)
    )

    def _pair(young_person, mentor):
        pairs[young_person.pk] = mentor

        def end():
            # What mentoring does when a match ends: the mentor's shares go with it.
            pairs.pop(young_person.pk, None)
            services.shares_revoke_for_mentor(young_person=young_person, mentor=mentor)

        return end

    return _pair
