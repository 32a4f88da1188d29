"""Every file the vault sends is sandboxed: a PDF or an image opened in a browser can run
nothing in the API's origin, and a PDF is never rendered inline."""

import pytest

from . import samples
from .conftest import DOCUMENTS, read_content, upload

pytestmark = pytest.mark.django_db

FORMATS = {"application/pdf": ("releve.pdf", samples.pdf), "image/png": ("photo.png", samples.png)}


def file_answers(owner, api_client, mentor_client, document_id) -> dict:
    """The document through each way out: owner, link, mentor."""
    link = owner.post(f"{DOCUMENTS}{document_id}/shares/", {"kind": "link"}, format="json")
    mentor = owner.post(f"{DOCUMENTS}{document_id}/shares/", {"kind": "mentor"}, format="json")
    assert (link.status_code, mentor.status_code) == (201, 201), mentor.content
    return {
        "owner download": owner.get(f"{DOCUMENTS}{document_id}/content/"),
        "owner view": owner.get(f"{DOCUMENTS}{document_id}/content/?disposition=inline"),
        "share link": api_client.get(
            "/api/v1/vault/shared/content/", HTTP_X_SHARE_TOKEN=link.json()["token"]
        ),
        "mentor": mentor_client.get(f"/api/v1/vault/shared-with-me/{mentor.json()['id']}/content/"),
    }


@pytest.mark.parametrize("content_type", sorted(FORMATS))
def test_every_file_answer_is_sandboxed(
    content_type, young_person, mentor, active_match, client_for, api_client
):
    active_match(young_person, mentor)
    owner = client_for(young_person)
    name, make = FORMATS[content_type]
    content = make(20_000)
    created = upload(owner, content, name)
    assert created.status_code == 201, created.content
    answers = file_answers(owner, api_client, client_for(mentor), created.json()["id"])
    for way, response in answers.items():
        assert response.status_code == 200, way
        assert read_content(response) == content, way
        policy = [part.strip() for part in response["Content-Security-Policy"].split(";")]
        assert "sandbox" in policy, way
        assert "default-src 'none'" in policy, way
        assert response["X-Content-Type-Options"] == "nosniff", way
        disposition = response["Content-Disposition"]
        if content_type == "application/pdf":
            # A PDF viewer runs scripts and forms: it is saved, never shown in the origin.
            assert disposition.startswith("attachment;"), way
    if content_type != "application/pdf":
        assert answers["owner view"]["Content-Disposition"].startswith("inline;")
        assert answers["owner download"]["Content-Disposition"].startswith("attachment;")
