"""Sharing a document: links for professionals, and shares with one's mentor."""

import secrets
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.contrib.auth.hashers import check_password
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from vault import services
from vault.exceptions import ShareCodeRequired, ShareGone
from vault.models import AccessEvent, Share

from . import samples
from .conftest import DOCUMENTS, read_content

pytestmark = pytest.mark.django_db

SHARED = "/api/v1/vault/shared/"
SHARED_WITH_ME = "/api/v1/vault/shared-with-me/"
ACCESS_LOG = "/api/v1/vault/access-log/"
NEW_SHARE_FIELDS = {"url", "token", "code"}


@pytest.fixture
def content():
    return samples.pdf(marker=b"attestation-caf")


@pytest.fixture
def document(young_person, make_document, content):
    return make_document(young_person, content, title="Attestation CAF")


@pytest.fixture
def owner(client_for, young_person):
    return client_for(young_person)


def shares_url(document) -> str:
    return f"{DOCUMENTS}{document.id}/shares/"


def share_create(owner, document, **fields):
    return owner.post(shares_url(document), fields, format="json")


def link_create(owner, document, **fields) -> dict:
    response = share_create(owner, document, kind="link", **fields)
    assert response.status_code == 201, response.content
    return response.json()


def assert_error(response, status, code):
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert set(error) == {"status", "code", "message", "fields"}
    assert (error["status"], error["code"]) == (status, code)
    assert error["message"]


def share_events(document, action="share_access"):
    return list(
        AccessEvent.objects.filter(document_id=document.id, action=action).values_list(
            "actor", "share_id"
        )
    )


def open_link(client, token, *, content=False, **extra):
    """Open a link the way its page does: the token (and any code) in headers."""
    return client.get(f"{SHARED}{'content/' if content else ''}", HTTP_X_SHARE_TOKEN=token, **extra)


# --- Links for professionals --------------------------------------------------------------


def test_a_link_gives_its_token_and_code_once(owner, young_person, document):
    new = link_create(owner, document, with_code=True)
    token, code = new["token"], new["code"]
    assert new["url"] == f"http://testserver/partage/#{token}"
    assert len(token) >= 40
    assert len(code) == 6 and code.isdigit()
    assert (new["kind"], new["has_code"], new["is_active"]) == ("link", True, True)

    listed = owner.get(shares_url(document))
    assert [share["id"] for share in listed.json()] == [new["id"]]
    detail = owner.get(f"{shares_url(document)}{new['id']}/")
    assert detail.json()["id"] == new["id"]
    for response in (listed, detail, owner.get(ACCESS_LOG), owner.get("/api/v1/me/export/")):
        assert response.status_code == 200
        assert token.encode() not in response.content
        assert f'"{code}"'.encode() not in response.content
    assert NEW_SHARE_FIELDS.isdisjoint(listed.json()[0])
    assert NEW_SHARE_FIELDS.isdisjoint(detail.json())
    # Only hashes are kept: the database alone opens nothing.
    row = Share.objects.values().get()
    assert token not in str(row)
    assert row["code_hash"] != code
    assert check_password(code, row["code_hash"])
    assert share_events(document, "share") == [("owner", row["id"])]


def test_a_link_lasts_72_hours_unless_told_otherwise(owner, document):
    before = timezone.now()
    link_create(owner, document)
    expires_at = Share.objects.get().expires_at
    assert before + timedelta(hours=72) <= expires_at <= timezone.now() + timedelta(hours=72)


def test_a_link_lasts_7_days_at_most(owner, document):
    before = timezone.now()
    new = link_create(owner, document, expires_in_hours=168)
    expires_at = Share.objects.get(pk=new["id"]).expires_at
    assert before + timedelta(days=7) <= expires_at <= timezone.now() + timedelta(days=7)

    for hours in (169, 0):
        response = share_create(owner, document, kind="link", expires_in_hours=hours)
        assert_error(response, 400, "invalid")
        assert list(response.json()["error"]["fields"]) == ["expires_in_hours"]
    assert Share.objects.count() == 1


def test_a_link_opens_the_document_without_an_account(owner, api_client, document, content):
    new = link_create(owner, document)

    response = open_link(api_client, new["token"])
    assert response.status_code == 200
    assert response.json() == {
        "share_id": new["id"],
        "expires_at": new["expires_at"],
        "document_type": "other",
        "document_type_label": response.json()["document_type_label"],
        "title": "Attestation CAF",
        "content_type": "application/pdf",
        "size": len(content),
        "issue_date": None,
        "expiry_date": None,
    }

    response = open_link(api_client, new["token"], content=True)
    assert response.status_code == 200
    assert read_content(response) == content
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"


def test_each_download_through_a_link_is_in_the_owners_log(owner, api_client, document):
    new = link_create(owner, document)
    for _ in range(2):
        read_content(open_link(api_client, new["token"], content=True))

    share = Share.objects.get()
    assert share.use_count == 2
    assert share.last_used_at is not None
    assert share_events(document) == [("share_link", share.id)] * 2
    log = owner.get(ACCESS_LOG, {"action": "share_access"}).json()["results"]
    assert [(event["actor"], event["share_id"]) for event in log] == [("share_link", new["id"])] * 2


def test_an_expired_link_is_gone(owner, api_client, document):
    new = link_create(owner, document)
    Share.objects.update(expires_at=timezone.now() + timedelta(minutes=1))
    assert open_link(api_client, new["token"]).status_code == 200

    Share.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    for content in (False, True):
        assert_error(open_link(api_client, new["token"], content=content), 410, "share_gone")
    # Only the opening before the expiry counts and is in the owner's log.
    assert Share.objects.get().use_count == 1
    assert share_events(document) == [("share_link", uuid.UUID(new["id"]))]
    assert owner.get(f"{shares_url(document)}{new['id']}/").json()["is_active"] is False


def test_a_link_with_a_code_needs_the_right_code(owner, api_client, document, content):
    new = link_create(owner, document, with_code=True)
    token, code = new["token"], new["code"]
    wrong = f"{(int(code) + 1) % 10**6:06d}"

    assert_error(open_link(api_client, token), 403, "share_code_invalid")
    assert_error(open_link(api_client, token, content=True), 403, "share_code_invalid")
    wrong_header = open_link(api_client, token, content=True, HTTP_X_SHARE_CODE=wrong)
    assert_error(wrong_header, 403, "share_code_invalid")
    assert share_events(document) == []

    assert open_link(api_client, token, HTTP_X_SHARE_CODE=code).status_code == 200
    by_header = open_link(api_client, token, content=True, HTTP_X_SHARE_CODE=code)
    assert read_content(by_header) == content
    # Details and file alike: every opening with the right code is counted and logged.
    assert Share.objects.get().use_count == 2
    assert len(share_events(document)) == 2


def test_five_wrong_codes_revoke_the_link(owner, api_client, document):
    new = link_create(owner, document, with_code=True)
    token, code = new["token"], new["code"]
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(4):
        response = open_link(api_client, token, HTTP_X_SHARE_CODE=wrong)
        assert_error(response, 403, "share_code_invalid")
    assert_error(open_link(api_client, token, HTTP_X_SHARE_CODE=wrong), 410, "share_gone")

    for content in (False, True):
        response = open_link(api_client, token, content=content, HTTP_X_SHARE_CODE=code)
        assert_error(response, 410, "share_gone")
    share = Share.objects.get()
    assert share.revoked_at is not None
    assert share.failed_code_attempts == 5
    assert share_events(document, "revoke") == [("system", share.id)]
    assert share_events(document) == []


def test_opening_a_link_without_its_code_uses_no_attempt(owner, api_client, document):
    new = link_create(owner, document, with_code=True)
    # A messenger's link preview, or the professional opening the link before the code.
    for _ in range(5):
        assert_error(open_link(api_client, new["token"]), 403, "share_code_invalid")
    assert Share.objects.get().failed_code_attempts == 0
    response = open_link(api_client, new["token"], HTTP_X_SHARE_CODE=new["code"])
    assert response.status_code == 200


def test_revoking_a_link_closes_it_at_once(owner, api_client, document):
    new = link_create(owner, document)
    detail = f"{shares_url(document)}{new['id']}/"
    assert open_link(api_client, new["token"]).status_code == 200

    assert owner.delete(detail).status_code == 204
    for content in (False, True):
        assert_error(open_link(api_client, new["token"], content=content), 410, "share_gone")
    share = owner.get(detail).json()
    assert share["revoked_at"] is not None
    assert share["is_active"] is False
    # Revoking twice changes nothing.
    assert owner.delete(detail).status_code == 204
    assert share_events(document, "revoke") == [("owner", Share.objects.get().id)]


def test_a_link_opens_its_one_document_only(
    owner, api_client, young_person, document, content, make_document
):
    other = make_document(young_person, samples.pdf(marker=b"other-secret"), title="Passeport")
    new = link_create(owner, document)
    token = new["token"]

    details = open_link(api_client, token)
    assert details.json()["title"] == "Attestation CAF"
    assert b"Passeport" not in details.content
    assert str(other.id).encode() not in details.content
    assert read_content(open_link(api_client, token, content=True)) == content

    for path in (f"{other.id}/", f"{other.id}/content/", "content/1/"):
        assert_error(api_client.get(f"{SHARED}{path}", HTTP_X_SHARE_TOKEN=token), 404, "not_found")
    # The token is no key to the vault itself.
    for credentials in ({}, {"HTTP_X_SESSION_TOKEN": token}):
        response = api_client.get(f"{DOCUMENTS}{other.id}/content/", {"code": token}, **credentials)
        assert_error(response, 401, "not_authenticated")
    # Nor is a share reached through another document of the same owner.
    assert_error(owner.get(f"{shares_url(other)}{new['id']}/"), 404, "not_found")
    assert_error(owner.delete(f"{shares_url(other)}{new['id']}/"), 404, "not_found")
    assert Share.objects.get().revoked_at is None


def test_an_unknown_token_is_404(owner, api_client, document):
    link_create(owner, document)
    # Not even the hash the database keeps opens the link.
    for token in (secrets.token_urlsafe(32), Share.objects.get().token_hash):
        for content in (False, True):
            assert_error(open_link(api_client, token, content=content), 404, "not_found")
    assert share_events(document) == []


def test_deleting_the_document_ends_its_links(owner, api_client, document):
    token = link_create(owner, document)["token"]
    assert owner.delete(f"{DOCUMENTS}{document.id}/").status_code == 204
    assert_error(open_link(api_client, token, content=True), 404, "not_found")
    assert not Share.objects.exists()


# --- Shares with a mentor ------------------------------------------------------------------


def test_sharing_with_a_mentor_needs_an_active_match(owner, document):
    events = AccessEvent.objects.count()
    assert_error(share_create(owner, document, kind="mentor"), 409, "no_active_mentor")
    assert not Share.objects.exists()
    assert AccessEvent.objects.count() == events


def test_a_code_protects_links_only(owner, document, young_person, mentor, active_match):
    active_match(young_person, mentor)
    response = share_create(owner, document, kind="mentor", with_code=True)
    assert_error(response, 400, "invalid")
    assert list(response.json()["error"]["fields"]) == ["with_code"]
    assert not Share.objects.exists()


@pytest.fixture
def mentor_share(owner, document, young_person, mentor, active_match):
    """A share of ``document`` with ``mentor``; returns (share id, the match's end)."""
    end = active_match(young_person, mentor)
    response = share_create(owner, document, kind="mentor")
    assert response.status_code == 201, response.content
    return response.json(), end


def test_a_mentor_gets_what_their_mentee_shares(
    mentor_share, client_for, mentor, document, content
):
    new, _end = mentor_share
    assert (new["kind"], new["expires_at"]) == ("mentor", None)
    assert (new["url"], new["token"], new["code"]) == (None, None, None)
    assert Share.objects.get().mentor == mentor

    client = client_for(mentor)
    listed = client.get(SHARED_WITH_ME).json()
    assert [(item["share_id"], item["title"]) for item in listed] == [
        (new["id"], "Attestation CAF")
    ]
    response = client.get(f"{SHARED_WITH_ME}{new['id']}/content/")
    assert response.status_code == 200
    assert read_content(response) == content
    assert response["Cache-Control"] == "no-store"
    assert share_events(document) == [("mentor", Share.objects.get().id)]
    assert Share.objects.get().use_count == 1


def test_the_end_of_the_match_hides_the_shares(mentor_share, client_for, mentor, document):
    new, end = mentor_share
    client = client_for(mentor)
    assert len(client.get(SHARED_WITH_ME).json()) == 1

    end()
    assert client.get(SHARED_WITH_ME).json() == []
    assert_error(client.get(f"{SHARED_WITH_ME}{new['id']}/content/"), 404, "not_found")
    assert share_events(document) == []


def test_a_revoked_share_is_hidden_from_the_mentor(
    mentor_share, owner, client_for, mentor, document
):
    new, _end = mentor_share
    assert owner.delete(f"{shares_url(document)}{new['id']}/").status_code == 204

    client = client_for(mentor)
    assert client.get(SHARED_WITH_ME).json() == []
    assert_error(client.get(f"{SHARED_WITH_ME}{new['id']}/content/"), 404, "not_found")
    assert share_events(document) == []


def test_an_expired_share_is_hidden_from_the_mentor(
    owner, document, young_person, mentor, active_match, client_for
):
    active_match(young_person, mentor)
    new = share_create(owner, document, kind="mentor", expires_in_hours=1).json()
    client = client_for(mentor)
    assert len(client.get(SHARED_WITH_ME).json()) == 1

    Share.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(SHARED_WITH_ME).json() == []
    assert_error(client.get(f"{SHARED_WITH_ME}{new['id']}/content/"), 404, "not_found")


def test_the_end_of_a_match_revokes_every_share_with_that_mentor(
    mentor_share, owner, young_person, mentor, document, make_document, client_for
):
    second = make_document(young_person, title="Passeport")
    assert share_create(owner, second, kind="mentor").status_code == 201
    link = link_create(owner, document)

    assert services.shares_revoke_for_mentor(young_person=young_person, mentor=mentor) == 2
    mentor_shares = Share.objects.filter(kind="mentor")
    assert all(share.revoked_at for share in mentor_shares)
    assert Share.objects.get(pk=link["id"]).revoked_at is None
    revokes = AccessEvent.objects.filter(action="revoke")
    assert sorted(revokes.values_list("actor", "share_id")) == sorted(
        ("system", share.id) for share in mentor_shares
    )
    assert client_for(mentor).get(SHARED_WITH_ME).json() == []
    assert services.shares_revoke_for_mentor(young_person=young_person, mentor=mentor) == 0
    assert revokes.count() == 2


def test_another_mentor_never_sees_the_shares(
    mentor_share, other_mentor, client_for, active_match, young_person, make_young_person
):
    new, end = mentor_share
    active_match(make_young_person("ines@example.org"), other_mentor)
    client = client_for(other_mentor)
    content_url = f"{SHARED_WITH_ME}{new['id']}/content/"
    assert client.get(SHARED_WITH_ME).json() == []
    assert_error(client.get(content_url), 404, "not_found")

    # Nor does a new mentor of the same young person inherit them (a young person has one
    # match at a time), even a share that the end of the old match had not revoked.
    end()
    Share.objects.filter(pk=new["id"]).update(revoked_at=None)
    active_match(young_person, other_mentor)
    assert client.get(SHARED_WITH_ME).json() == []
    assert_error(client.get(content_url), 404, "not_found")


def test_the_shared_with_me_list_costs_the_same_for_one_share_or_many(
    owner,
    document,
    young_person,
    mentor,
    active_match,
    make_document,
    make_young_person,
    client_for,
):
    """Its queries do not grow with its rows (each row once cost two more)."""
    active_match(young_person, mentor)
    assert share_create(owner, document, kind="mentor").status_code == 201
    client = client_for(mentor)

    def listed() -> tuple[int, int]:
        """(rows, queries) of one request for the list."""
        with CaptureQueriesContext(connection) as context:
            response = client.get(SHARED_WITH_ME)
        assert response.status_code == 200
        return len(response.json()), len(context.captured_queries)

    listed()  # the day's first request also records the day's activity
    rows_one, queries_one = listed()
    for number in range(3):
        mentee = make_young_person(f"mentee.{number}@example.org")
        active_match(mentee, mentor)
        for title in ("Passeport", "Avis d'imposition"):
            services.share_with_mentor(document=make_document(mentee, title=title))
    rows_many, queries_many = listed()
    assert (rows_one, rows_many) == (1, 7)
    assert queries_many == queries_one


def test_a_mentor_never_sees_the_vault_itself(mentor_share, client_for, mentor, document):
    client = client_for(mentor)
    for url in (
        DOCUMENTS,
        f"{DOCUMENTS}{document.id}/",
        f"{DOCUMENTS}{document.id}/content/",
        shares_url(document),
        ACCESS_LOG,
        "/api/v1/vault/export/",
    ):
        response = client.get(url)
        assert_error(response, 403, "permission_denied")
        assert b"Attestation CAF" not in response.content


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL's row locks"
)
# Committed transactions: the reference data (départements) must come back afterwards.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_guesses_sent_at_once_are_counted_one_by_one(young_person, make_document):
    document = make_document(young_person)
    share, token, code = services.share_link_create(document=document, with_code=True)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    barrier = threading.Barrier(8)

    def guess(_):
        barrier.wait()
        try:
            services.share_link_open(token=token, code=wrong)
            return "open"
        except ShareGone:
            return "gone"
        except ShareCodeRequired:
            return "wrong"
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(guess, range(8)))
    assert sorted(outcomes) == ["gone"] * 4 + ["wrong"] * 4
    share.refresh_from_db()
    assert share.failed_code_attempts == 5
    assert share.revoked_at is not None
