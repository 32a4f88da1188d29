"""Fixtures of the vault's tests: uploads through the API or the services, a mentor match."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from mentoring import services as mentoring_services
from mentoring.models import Match
from tests.mentoring.factories import mentoring_match
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
def make_young_person(make_user):
    """Another young person of the 93: ``make_young_person("ines@example.org")``."""

    def _make(email):
        user = make_user(email, first_name=email.split("@")[0].title())
        user.profile.departement_id = "93"
        user.profile.save()
        return user

    return _make


@pytest.fixture
def active_match(coordinator_93):
    """A real active mentoring match (``mentoring_match``): ``end = active_match(yp, m)``.

    Returns a function that ends the match as mentoring does, the young person leaving:
    the mentor's shares go with it.
    """

    def _pair(young_person, mentor):
        _request, match = mentoring_match(
            young_person=young_person, mentor=mentor, coordinator=coordinator_93
        )
        assert match.status == Match.Status.ACTIVE

        def end():
            mentoring_services.match_end(
                match=match, by=young_person, reason=Match.EndReason.YOUNG_PERSON_LEFT
            )

        return end

    return _pair
