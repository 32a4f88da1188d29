"""Who reaches what in the vault: its owner, a mentor through a share, and nobody else."""

import io
import json
import uuid
import zipfile
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.authorization import World, cases, check
from tests.mentoring.factories import mentoring_match
from vault import selectors, services
from vault.models import AccessEvent, Document, Share

from . import samples
from .conftest import DOCUMENTS, read_content, upload

pytestmark = pytest.mark.django_db

TITLE = "Titre de sejour Aminata"
MARKER = b"AMINATA-ONLY-BYTES"
DOCUMENT = DOCUMENTS + "{document}/"
SHARED_WITH_ME = "/api/v1/vault/shared-with-me/"

ENDPOINTS = {
    "list": ("get", DOCUMENTS),
    "upload": ("post", DOCUMENTS),
    "detail": ("get", DOCUMENT),
    "update": ("patch", DOCUMENT),
    "delete": ("delete", DOCUMENT),
    "content": ("get", DOCUMENT + "content/"),
    "shares": ("get", DOCUMENT + "shares/"),
    "share_create": ("post", DOCUMENT + "shares/"),
    "share_detail": ("get", DOCUMENT + "shares/{share}/"),
    "share_revoke": ("delete", DOCUMENT + "shares/{share}/"),
    "access_log": ("get", "/api/v1/vault/access-log/"),
    "export": ("get", "/api/v1/vault/export/"),
    "shared_with_me": ("get", SHARED_WITH_ME),
    "shared_with_me_content": ("get", SHARED_WITH_ME + "{mentor_share}/content/"),
}
PAYLOADS = {"update": {"title": "Renamed"}, "share_create": {"kind": "link"}}
MENTOR_ENDPOINTS = ["shared_with_me", "shared_with_me_content"]
YOUNG_PERSON_ENDPOINTS = [name for name in ENDPOINTS if name not in MENTOR_ENDPOINTS]
OWNER_OBJECT_ENDPOINTS = [
    "detail",
    "update",
    "delete",
    "content",
    "shares",
    "share_create",
    "share_detail",
    "share_revoke",
]
OWNER_STATUS = {
    "list": 200,
    "upload": 201,
    "detail": 200,
    "update": 200,
    "delete": 204,
    "content": 200,
    "shares": 200,
    "share_create": 201,
    "share_detail": 200,
    "share_revoke": 204,
    "access_log": 200,
    "export": 200,
}
STAFF_ROLES = ["staff_75", "staff_93", "coordinator_93", "national_editor", "superuser"]


@pytest.fixture
def owned(young_person, mentor, make_document, active_match):
    """A document of young_person with a link share and a share with a mentor whose match
    has ended (this file's mentor is in no active match)."""
    content = samples.pdf(marker=MARKER)
    document = make_document(young_person, content, title=TITLE)
    link, _token, _code = services.share_link_create(document=document)
    end_match = active_match(young_person, mentor)
    mentor_share = services.share_with_mentor(document=document)
    end_match()
    return SimpleNamespace(document=document, content=content, link=link, mentor_share=mentor_share)


@pytest.fixture
def client(role, request, client_for, api_client):
    if role == "anonymous":
        return api_client
    return client_for(request.getfixturevalue(role))


def call(client, endpoint, owned):
    if endpoint == "upload":
        return upload(client, samples.pdf(), title="Nouveau")
    method, template = ENDPOINTS[endpoint]
    url = template.format(
        document=owned.document.id, share=owned.link.id, mentor_share=owned.mentor_share.id
    )
    if endpoint in PAYLOADS:
        return getattr(client, method)(url, PAYLOADS[endpoint], format="json")
    return getattr(client, method)(url)


def body(response) -> bytes:
    if response.streaming:
        return read_content(response)
    return response.content


def snapshot(owned) -> dict:
    """What a refused request must leave as it was."""
    document = selectors.document_get_for_user(
        user=owned.document.owner, document_id=owned.document.id
    )
    return {
        "documents": list(Document.objects.order_by("id").values_list("id", "owner_id")),
        "title": document.title,
        "shares": list(Share.objects.order_by("id").values_list("id", "revoked_at", "use_count")),
        # A refused request is not an access: the owner's log does not grow either.
        "events": AccessEvent.objects.count(),
    }


def assert_error(response, status, code):
    assert response.status_code == status, body(response)
    assert response.json() == {
        "error": {
            "status": status,
            "code": code,
            "message": response.json()["error"]["message"],
            "fields": {},
        }
    }
    assert response.json()["error"]["message"]


def assert_no_leak(response, owned):
    content = response if isinstance(response, bytes) else body(response)
    assert TITLE.encode() not in content
    assert MARKER not in content
    assert owned.content[-64:] not in content
    assert str(owned.document.id).encode() not in content


def assert_refused_and_unchanged(client, endpoint, owned, status, code):
    """The request is refused in the error format, leaks nothing and changes nothing."""
    before = snapshot(owned)
    response = call(client, endpoint, owned)
    assert_error(response, status, code)
    assert_no_leak(response, owned)
    assert snapshot(owned) == before


@pytest.mark.parametrize("endpoint", YOUNG_PERSON_ENDPOINTS)
def test_the_owner_reaches_every_endpoint_of_their_vault(owned, client_for, young_person, endpoint):
    response = call(client_for(young_person), endpoint, owned)
    assert response.status_code == OWNER_STATUS[endpoint], body(response)
    if endpoint == "detail":
        assert response.json()["title"] == TITLE
    if endpoint == "content":
        assert read_content(response) == owned.content


@pytest.mark.parametrize("endpoint", OWNER_OBJECT_ENDPOINTS)
def test_another_young_person_gets_404_on_the_owners_objects(
    owned, client_for, other_young_person, endpoint
):
    assert_refused_and_unchanged(client_for(other_young_person), endpoint, owned, 404, "not_found")


def test_a_document_of_someone_else_looks_like_one_that_does_not_exist(
    owned, client_for, other_young_person
):
    client = client_for(other_young_person)
    foreign = client.get(f"{DOCUMENTS}{owned.document.id}/")
    missing = client.get(f"{DOCUMENTS}{uuid.uuid4()}/")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json()


def test_a_share_of_someone_else_is_not_reached_through_ones_own_document(
    owned, client_for, other_young_person, make_document
):
    own_document = make_document(other_young_person)
    client = client_for(other_young_person)
    url = f"{DOCUMENTS}{own_document.id}/shares/{owned.link.id}/"
    before = snapshot(owned)
    assert_error(client.get(url), 404, "not_found")
    assert_error(client.delete(url), 404, "not_found")
    assert snapshot(owned) == before


def test_another_young_person_sees_only_their_own_empty_vault(
    owned, client_for, other_young_person
):
    client = client_for(other_young_person)
    assert client.get(DOCUMENTS).json()["results"] == []
    log = "/api/v1/vault/access-log/"
    assert client.get(log).json()["results"] == []
    assert client.get(log, {"document_id": str(owned.document.id)}).json()["results"] == []

    export = client.get("/api/v1/vault/export/")
    assert export.status_code == 200
    archive = read_content(export)
    assert_no_leak(archive, owned)
    with zipfile.ZipFile(io.BytesIO(archive)) as zipped:
        assert zipped.namelist() == ["manifest.json"]
        manifest = json.loads(zipped.read("manifest.json"))
    assert manifest["documents"] == []
    assert manifest["access_log"] == []
    assert manifest["owner"] == other_young_person.email


def test_another_young_persons_upload_goes_to_their_own_vault(
    owned, client_for, young_person, other_young_person
):
    response = upload(client_for(other_young_person), samples.pdf(), title="Mon bulletin")
    assert response.status_code == 201
    assert Document.objects.get(pk=response.json()["id"]).owner == other_young_person
    owners_list = client_for(young_person).get(DOCUMENTS).json()["results"]
    assert [document["id"] for document in owners_list] == [str(owned.document.id)]


@pytest.mark.parametrize("role", ["young_person", "other_young_person"])
@pytest.mark.parametrize("endpoint", MENTOR_ENDPOINTS)
def test_young_people_have_no_shared_with_me(owned, client, endpoint):
    assert_refused_and_unchanged(client, endpoint, owned, 403, "permission_denied")


@pytest.mark.parametrize("endpoint", YOUNG_PERSON_ENDPOINTS)
def test_a_mentor_has_no_way_into_a_vault(owned, client_for, mentor, endpoint):
    assert_refused_and_unchanged(client_for(mentor), endpoint, owned, 403, "permission_denied")


def test_a_mentor_without_an_active_match_gets_no_shared_document(owned, client_for, mentor):
    client = client_for(mentor)
    before = snapshot(owned)
    listing = client.get(SHARED_WITH_ME)
    assert listing.status_code == 200
    assert listing.json() == []
    for share in (owned.mentor_share, owned.link):
        response = client.get(f"{SHARED_WITH_ME}{share.id}/content/")
        assert_error(response, 404, "not_found")
        assert_no_leak(response, owned)
    assert snapshot(owned) == before


@pytest.mark.parametrize("role", STAFF_ROLES)
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_staff_and_admins_have_no_way_into_a_vault(owned, client, endpoint):
    assert_refused_and_unchanged(client, endpoint, owned, 403, "permission_denied")


@pytest.mark.parametrize("role", ["referent", "referent_few_scopes", "referent_75"])
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_referent_has_no_way_into_a_vault_through_the_api(owned, client, endpoint):
    """Linked or not, a référent opens only what was shared with them, in /pro/."""
    assert_refused_and_unchanged(client, endpoint, owned, 403, "permission_denied")


@pytest.mark.parametrize("role", ["anonymous"])
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_anonymous_requests_get_401(owned, client, endpoint):
    assert_refused_and_unchanged(client, endpoint, owned, 401, "not_authenticated")


# --- The endpoint x role matrix (every route and method; see tests/authorization.py) ------

SHARE = DOCUMENT + "shares/{share_id}/"

# fmt: off
MATRIX = {
    #   anon   yp yp75  mtr  m75  ref rfew runl rend  r75 co93 st93 st75 pa93  nat   su
    ("GET", "vault/documents/"):
        (401, 200, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    ("POST", "vault/documents/"):
        (401, 201, 201, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    ("GET", "vault/documents/{document_id}/"):
        (401, 200, 404, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    ("PATCH", "vault/documents/{document_id}/"):
        (401, 200, 404, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    ("DELETE", "vault/documents/{document_id}/"):
        (401, 204, 404, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    ("GET", "vault/documents/{document_id}/content/"):
        (401, 200, 404, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    ("GET", "vault/documents/{document_id}/shares/"):
        (401, 200, 404, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    ("POST", "vault/documents/{document_id}/shares/"):
        (401, 201, 404, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    ("GET", "vault/documents/{document_id}/shares/{share_id}/"):
        (401, 200, 404, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    ("DELETE", "vault/documents/{document_id}/shares/{share_id}/"):
        (401, 204, 404, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    ("GET", "vault/access-log/"):
        (401, 200, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    ("GET", "vault/export/"):
        (401, 200, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    # A share link is its own credential (the professional has no account): a session
    # token changes nothing.
    ("GET", "vault/shared/"):
        (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "vault/shared/content/"):
        (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    # The mentors' side of shares, in the app. A référent opens what a young person shared
    # with them in the /pro/ web space (behind its second factor), never through this API:
    # 403 for every référent, linked or not, like staff.
    ("GET", "vault/shared-with-me/"):
        (401, 403, 403, 200, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    ("GET", "vault/shared-with-me/{share_id}/content/"):
        (401, 403, 403, 200, 404, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
}
# fmt: on
BODIES = {
    ("POST", "vault/documents/"): lambda objects: {
        "document_type": "other",
        "title": "Nouveau",
        "file": SimpleUploadedFile("releve.pdf", samples.pdf(), "application/octet-stream"),
    },
    ("PATCH", "vault/documents/{document_id}/"): lambda objects: {"title": "Renamed"},
    ("POST", "vault/documents/{document_id}/shares/"): lambda objects: {"kind": "link"},
}
FORMATS = {("POST", "vault/documents/"): "multipart"}


@pytest.fixture
def world(young_person, mentor, coordinator_93, make_document):
    """A document of the 93 young person, shared by a link and with their mentor (a real,
    active match)."""
    mentoring_match(young_person=young_person, mentor=mentor, coordinator=coordinator_93)
    document = make_document(young_person, samples.pdf(marker=MARKER), title=TITLE)
    link, token, _code = services.share_link_create(document=document)
    mentor_share = services.share_with_mentor(document=document)
    return World(
        args={"document_id": document.id, "share_id": link.id},
        route_args={
            "vault/shared-with-me/{share_id}/content/": {"share_id": mentor_share.id},
        },
        headers={
            "vault/shared/": {"HTTP_X_SHARE_TOKEN": token},
            "vault/shared/content/": {"HTTP_X_SHARE_TOKEN": token},
        },
    )


@pytest.mark.parametrize(("key", "statuses"), cases(MATRIX))
def test_matrix(key, statuses, world, request):
    check(key, statuses, world=world, request=request, bodies=BODIES, formats=FORMATS)
