"""The mobile sign-up and sign-in journey, over HTTP, through allauth's app API."""

import re

import pytest
from django.core import mail
from django.core.cache import cache

from accounts.models import User
from accounts.roles import Role
from tests.conftest import APP_AUTH, PASSWORD

pytestmark = pytest.mark.django_db


def _code_from_last_mail() -> str:
    body = mail.outbox[-1].body
    match = re.search(r"^\s*([A-Z0-9]{4}-?[A-Z0-9]{4}|[A-Z0-9]{6})\s*$", body, re.MULTILINE)
    assert match, body
    return match.group(1)


def test_signup_verify_login_me_logout(api_client):
    # Sign up: the account exists but waits for its e-mail to be verified.
    response = api_client.post(
        f"{APP_AUTH}/auth/signup",
        {"email": "nour@example.org", "password": PASSWORD},
        format="json",
    )
    assert response.status_code == 401, response.content
    body = response.json()
    pending = [flow["id"] for flow in body["data"]["flows"] if flow.get("is_pending")]
    assert pending == ["verify_email"]
    signup_token = body["meta"]["session_token"]
    user = User.objects.get(email="nour@example.org")
    assert user.role == Role.YOUNG_PERSON
    assert user.profile.birth_date is None

    # The code arrives by e-mail; entering it signs the person in.
    assert mail.outbox[-1].to == ["nour@example.org"]
    response = api_client.post(
        f"{APP_AUTH}/auth/email/verify",
        {"key": _code_from_last_mail()},
        format="json",
        HTTP_X_SESSION_TOKEN=signup_token,
    )
    assert response.status_code == 200, response.content
    assert response.json()["data"]["user"]["email"] == "nour@example.org"

    # Later, on the phone: log in, use the API with the token, log out.
    response = api_client.post(
        f"{APP_AUTH}/auth/login", {"email": "nour@example.org", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200, response.content
    token = response.json()["meta"]["session_token"]

    response = api_client.get("/api/v1/me/", HTTP_X_SESSION_TOKEN=token)
    assert response.status_code == 200
    assert response.json()["email"] == "nour@example.org"

    response = api_client.delete(f"{APP_AUTH}/auth/session", HTTP_X_SESSION_TOKEN=token)
    assert response.status_code == 401  # allauth: "no longer authenticated"

    response = api_client.get("/api/v1/me/", HTTP_X_SESSION_TOKEN=token)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_unverified_account_cannot_log_in(api_client):
    api_client.post(
        f"{APP_AUTH}/auth/signup", {"email": "sam@example.org", "password": PASSWORD}, format="json"
    )
    cache.clear()  # as if a minute had passed: a new code may be sent again
    response = api_client.post(
        f"{APP_AUTH}/auth/login", {"email": "sam@example.org", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 401
    body = response.json()
    assert body["meta"]["is_authenticated"] is False
    assert [f["id"] for f in body["data"]["flows"] if f.get("is_pending")] == ["verify_email"]
    response = api_client.get("/api/v1/me/", HTTP_X_SESSION_TOKEN=body["meta"]["session_token"])
    assert response.status_code == 401


def test_wrong_verification_code_is_refused(api_client):
    response = api_client.post(
        f"{APP_AUTH}/auth/signup", {"email": "eve@example.org", "password": PASSWORD}, format="json"
    )
    token = response.json()["meta"]["session_token"]
    response = api_client.post(
        f"{APP_AUTH}/auth/email/verify",
        {"key": "AAAAAA" if _code_from_last_mail() != "AAAAAA" else "BBBBBB"},
        format="json",
        HTTP_X_SESSION_TOKEN=token,
    )
    assert response.status_code == 400
    assert not User.objects.get(email="eve@example.org").emailaddress_set.get().verified


def test_password_reset_by_code(api_client, young_person):
    response = api_client.post(
        f"{APP_AUTH}/auth/password/request", {"email": young_person.email}, format="json"
    )
    assert response.status_code == 401, response.content  # a code-entry flow is pending
    token = response.json()["meta"]["session_token"]
    code = _code_from_last_mail()

    new_password = "a-brand-new-passphrase-7"
    response = api_client.post(
        f"{APP_AUTH}/auth/password/reset",
        {"key": code, "password": new_password},
        format="json",
        HTTP_X_SESSION_TOKEN=token,
    )
    assert response.status_code == 401, response.content  # reset done; sign in anew

    young_person.refresh_from_db()
    assert young_person.check_password(new_password)
    response = api_client.post(
        f"{APP_AUTH}/auth/login",
        {"email": young_person.email, "password": PASSWORD},
        format="json",
    )
    assert response.status_code == 400  # the old password no longer works


def test_login_failures_are_rate_limited(api_client, young_person):
    def login(password):
        return api_client.post(
            f"{APP_AUTH}/auth/login",
            {"email": young_person.email, "password": password},
            format="json",
        )

    codes = [login("wrong-password").json()["errors"][0]["code"] for _ in range(6)]
    assert codes[0] == "email_password_mismatch"
    assert codes[-1] == "too_many_login_attempts"
    # Even the right password is refused until the limit expires: no brute force.
    response = login(PASSWORD)
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "too_many_login_attempts"


def test_mfa_types_are_offered(api_client):
    response = api_client.get(f"{APP_AUTH}/config")
    assert response.status_code == 200
    assert set(response.json()["data"]["mfa"]["supported_types"]) == {"totp", "recovery_codes"}


def test_browser_signup_is_closed(client):
    # Accounts are made in the app; the browser pages only serve staff signing in.
    response = client.get("/accounts/signup/")
    assert "account/signup_closed.html" in [t.name for t in response.templates]
