"""The vault's most sensitive operations ask for a fresh proof of the password (or of
the second factor): a stolen phone or token alone does not take every document away."""

import io
import re
import zipfile

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from tests.conftest import APP_AUTH, PASSWORD, login_token, session_shift, totp_code, totp_enrol

from . import samples
from .conftest import DOCUMENTS, read_content

pytestmark = pytest.mark.django_db

EXPORT = "/api/v1/vault/export/"


def _signed_in(user) -> tuple[APIClient, str]:
    client = APIClient()
    token = login_token(client, user.email)
    client.credentials(HTTP_X_SESSION_TOKEN=token)
    return client, token


@pytest.fixture
def stale_client(young_person):
    """The young person's app, signed in six minutes ago: past the five-minute window."""
    client, token = _signed_in(young_person)
    session_shift(token, 6 * 60)
    return client


def _refused_for_reauthentication(response) -> None:
    assert response.status_code == 403, response.content
    error = response.json()["error"]
    assert error["status"] == 403
    assert error["code"] == "reauthentication_required"
    assert "reauthenticate" in error["message"]


def test_window_is_five_minutes(settings):
    assert settings.ACCOUNT_REAUTHENTICATION_TIMEOUT == 5 * 60


def test_export_right_after_signing_in_works(young_person, make_document):
    make_document(young_person)
    client, _token = _signed_in(young_person)
    assert client.get(EXPORT).status_code == 200


def test_export_needs_a_recent_password_then_works_after_reauthenticating(
    stale_client, young_person, make_document
):
    make_document(young_person, title="Titre de séjour")
    _refused_for_reauthentication(stale_client.get(EXPORT))

    wrong = stale_client.post(
        f"{APP_AUTH}/auth/reauthenticate", {"password": "not-my-password"}, format="json"
    )
    assert wrong.status_code == 400
    _refused_for_reauthentication(stale_client.get(EXPORT))

    response = stale_client.post(
        f"{APP_AUTH}/auth/reauthenticate", {"password": PASSWORD}, format="json"
    )
    assert response.status_code == 200, response.content
    response = stale_client.get(EXPORT)
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(read_content(response)))
    assert "manifest.json" in archive.namelist()


def test_a_totp_code_is_a_fresh_proof_too(stale_client, young_person, make_document):
    make_document(young_person)
    totp_enrol(young_person)
    response = stale_client.post(
        f"{APP_AUTH}/auth/2fa/reauthenticate", {"code": totp_code(young_person)}, format="json"
    )
    assert response.status_code == 200, response.content
    assert stale_client.get(EXPORT).status_code == 200


def test_the_proof_wears_off(young_person, make_document):
    make_document(young_person)
    client, token = _signed_in(young_person)
    assert client.get(EXPORT).status_code == 200
    session_shift(token, 5 * 60 + 1)
    _refused_for_reauthentication(client.get(EXPORT))


def test_sharing_a_document_needs_a_recent_password(stale_client, young_person, make_document):
    document = make_document(young_person)
    shares = f"{DOCUMENTS}{document.id}/shares/"
    _refused_for_reauthentication(stale_client.post(shares, {"kind": "link"}, format="json"))
    assert stale_client.get(shares).json() == []  # nothing was shared

    stale_client.post(f"{APP_AUTH}/auth/reauthenticate", {"password": PASSWORD}, format="json")
    response = stale_client.post(shares, {"kind": "link"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["token"]


def test_reading_and_revoking_shares_need_no_recent_password(young_person, make_document):
    document = make_document(young_person)
    shares = f"{DOCUMENTS}{document.id}/shares/"
    owner_client, token = _signed_in(young_person)
    share = owner_client.post(shares, {"kind": "link"}, format="json").json()
    session_shift(token, 60 * 60)
    assert owner_client.get(shares).status_code == 200
    assert owner_client.get(f"{DOCUMENTS}{document.id}/").status_code == 200
    assert owner_client.delete(f"{shares}{share['id']}/").status_code == 204


def test_the_mobile_app_journey_end_to_end(api_client):
    """Sign up, verify, log in, keep a paper, wait, reauthenticate, export, log out."""

    def code_from_mail():
        body = mail.outbox[-1].body
        return re.search(r"^\s*([A-Z0-9]{4}-?[A-Z0-9]{4}|[A-Z0-9]{6})\s*$", body, re.M)[1]

    response = api_client.post(
        f"{APP_AUTH}/auth/signup",
        {"email": "nour@example.org", "password": PASSWORD},
        format="json",
    )
    assert response.status_code == 401
    signup_token = response.json()["meta"]["session_token"]
    response = api_client.post(
        f"{APP_AUTH}/auth/email/verify",
        {"key": code_from_mail()},
        format="json",
        HTTP_X_SESSION_TOKEN=signup_token,
    )
    assert response.status_code == 200, response.content

    response = api_client.post(
        f"{APP_AUTH}/auth/login", {"email": "nour@example.org", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    token = response.json()["meta"]["session_token"]
    app = APIClient()
    app.credentials(HTTP_X_SESSION_TOKEN=token)
    assert app.get("/api/v1/me/").json()["email"] == "nour@example.org"
    upload = SimpleUploadedFile("releve.pdf", samples.pdf(), "application/octet-stream")
    response = app.post(DOCUMENTS, {"document_type": "other", "file": upload}, format="multipart")
    assert response.status_code == 201, response.content

    session_shift(token, 30 * 60)  # half an hour later, the app asks for the export
    response = app.get(EXPORT)
    _refused_for_reauthentication(response)
    response = app.post(f"{APP_AUTH}/auth/reauthenticate", {"password": PASSWORD}, format="json")
    assert response.status_code == 200
    response = app.get(EXPORT)
    assert response.status_code == 200
    assert len(zipfile.ZipFile(io.BytesIO(read_content(response))).namelist()) == 2

    app.delete(f"{APP_AUTH}/auth/session")
    assert app.get("/api/v1/me/").status_code == 401


def test_a_stale_token_cannot_add_its_own_address_to_take_the_account_over(
    stale_client, young_person
):
    # Otherwise: add an address, verify it, reset the password through it, sign in, export.
    from allauth.account.models import EmailAddress

    before = list(EmailAddress.objects.filter(user=young_person).values_list("email", flat=True))
    response = stale_client.post(
        f"{APP_AUTH}/account/email", {"email": "attacker@evil.example"}, format="json"
    )
    assert response.status_code == 401, response.content
    flows = [flow["id"] for flow in response.json()["data"]["flows"]]
    assert "reauthenticate" in flows
    after = list(EmailAddress.objects.filter(user=young_person).values_list("email", flat=True))
    assert after == before
    assert not any("attacker@evil.example" in message.to for message in mail.outbox)

    response = stale_client.post(
        f"{APP_AUTH}/auth/reauthenticate", {"password": PASSWORD}, format="json"
    )
    assert response.status_code == 200, response.content
    response = stale_client.post(
        f"{APP_AUTH}/account/email", {"email": "nouvelle@example.org"}, format="json"
    )
    assert response.status_code == 200, response.content
