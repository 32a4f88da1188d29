"""Session tokens a database leak cannot use, their lifetimes, and the staff's second
factor on every API request (issue 13, points 2 and 3)."""

import itertools
import re
import uuid
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import Resolver404, resolve
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.session_store import SessionStore, stored_key
from tests.authorization import API_PREFIX, api_routes
from tests.conftest import (
    APP_AUTH,
    PASSWORD,
    login_token,
    session_shift,
    totp_code,
    totp_enrol,
)

pytestmark = pytest.mark.django_db

# Anything in a table that could pass for a token: long runs without spaces.
_TOKENISH = re.compile(r"[A-Za-z0-9_\-.:+/=]{16,}")


def _strings(value):
    """Every string inside ``value`` (a column's value, or a decoded session)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, bytes | memoryview):
        yield bytes(value).decode("latin-1")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def _everything_in_the_database() -> set[str]:
    """What a dump gives: every string of every row of every table, the sessions' data
    decoded (it is only signed, not encrypted), and every token-like piece of them."""
    found: set[str] = set()
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            # Table names come from the database itself, not from any input.
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                found.update(_strings(list(row)))
    for session in Session.objects.all():
        found.update(_strings(SessionStore().decode(session.session_data)))
    pieces = {piece for text in found for piece in _TOKENISH.findall(text)}
    return {text for text in found | pieces if 8 <= len(text) <= 4096}


def test_nothing_in_the_database_works_as_a_token(api_client, young_person, staff_93, settings):
    settings.STAFF_REQUIRE_MFA = True
    # Live sessions of every kind: a young person's, a staff member's (with TOTP), a
    # sign-up waiting for its code, and one that reauthenticated.
    token = login_token(APIClient(), young_person.email)
    login_token(APIClient(), staff_93.email)
    api_client.post(
        f"{APP_AUTH}/auth/signup",
        {"email": "nour@example.org", "password": PASSWORD},
        format="json",
    )
    APIClient().post(
        f"{APP_AUTH}/auth/reauthenticate",
        {"password": PASSWORD},
        format="json",
        HTTP_X_SESSION_TOKEN=token,
    )
    assert api_client.get("/api/v1/me/", HTTP_X_SESSION_TOKEN=token).status_code == 200
    assert Session.objects.count() >= 3

    candidates = _everything_in_the_database()
    assert len(candidates) > 100
    for candidate, path in itertools.product(
        sorted(candidates), ["/api/v1/me/", "/api/v1/vault/export/"]
    ):
        cache.clear()  # the anonymous throttle would answer 429 before long
        for headers in (
            {"HTTP_X_SESSION_TOKEN": candidate},
            {"HTTP_AUTHORIZATION": f"Bearer {candidate}"},
        ):
            response = APIClient().get(path, **headers)
            assert response.status_code == 401, (candidate, path, headers)
            assert response.json()["error"]["code"] in {
                "not_authenticated",
                "authentication_failed",
            }
    assert token not in candidates
    assert stored_key(token) in candidates  # what the database keeps instead


def test_the_session_table_keeps_a_hash_of_the_token(young_person):
    token = login_token(APIClient(), young_person.email)
    assert not Session.objects.filter(session_key=token).exists()
    assert Session.objects.filter(session_key=stored_key(token)).exists()


def test_logging_out_deletes_the_stored_session(young_person):
    client = APIClient()
    token = login_token(client, young_person.email)
    client.delete(f"{APP_AUTH}/auth/session", HTTP_X_SESSION_TOKEN=token)
    assert not Session.objects.filter(session_key=stored_key(token)).exists()
    assert client.get("/api/v1/me/", HTTP_X_SESSION_TOKEN=token).status_code == 401


# --- Lifetimes ------------------------------------------------------------------------------


def test_a_session_expires_after_three_idle_days(young_person, settings):
    assert settings.SESSION_COOKIE_AGE == 72 * 3600
    token = login_token(APIClient(), young_person.email)
    expiry = Session.objects.get(session_key=stored_key(token)).expire_date
    assert abs(expiry - (timezone.now() + timedelta(hours=72))) < timedelta(minutes=1)

    Session.objects.filter(session_key=stored_key(token)).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    assert APIClient().get("/api/v1/me/", HTTP_X_SESSION_TOKEN=token).status_code == 401


def test_using_the_app_pushes_the_idle_limit_forward(young_person):
    token = login_token(APIClient(), young_person.email)
    row = Session.objects.filter(session_key=stored_key(token))
    row.update(expire_date=timezone.now() + timedelta(hours=1))
    session_shift(token, 2 * 3600)  # last used two hours ago, so it is written again
    row.update(expire_date=timezone.now() + timedelta(hours=1))

    assert APIClient().get("/api/v1/me/", HTTP_X_SESSION_TOKEN=token).status_code == 200
    assert row.get().expire_date > timezone.now() + timedelta(hours=71)


def test_a_session_ends_fourteen_days_after_sign_in_however_active(young_person, settings):
    assert settings.SESSION_ABSOLUTE_AGE == 14 * 24 * 3600
    token = login_token(APIClient(), young_person.email)
    session_shift(token, 13 * 24 * 3600)
    assert APIClient().get("/api/v1/me/", HTTP_X_SESSION_TOKEN=token).status_code == 200

    session_shift(token, 1 * 24 * 3600 + 60)
    response = APIClient().get("/api/v1/me/", HTTP_X_SESSION_TOKEN=token)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert not Session.objects.filter(session_key=stored_key(token)).exists()


# --- Staff: a second factor on every API request -----------------------------------------


def _filled_routes() -> list[str]:
    """Every route under /api/v1/ that reads credentials, its parameters filled so that
    the path resolves. The share links' routes read none: whoever holds a link opens it
    as anyone, their account (if any) plays no part."""
    values = [str(uuid.uuid4()), "1", "93", "sometoken"]
    paths = []
    without_accounts = set()
    for route, _methods, view in api_routes():
        if view.cls.authentication_classes == []:
            without_accounts.add(route)
            continue
        names = re.findall(r"{(\w+)}", route)
        for choice in itertools.product(values, repeat=len(names)):
            path = API_PREFIX + route
            for name, value in zip(names, choice, strict=True):
                path = path.replace("{" + name + "}", value)
            try:
                if resolve(path).func is not view:  # a catch-all answered instead
                    continue
            except Resolver404:
                continue
            paths.append(path)
            break
        else:
            pytest.fail(f"cannot fill {route}")
    assert without_accounts == {"vault/shared/", "vault/shared/content/"}
    return paths


@pytest.fixture
def staff_token_without_second_factor(staff_93, settings):
    """A staff member signs in with the password only (they have no TOTP)."""
    settings.STAFF_REQUIRE_MFA = True
    response = APIClient().post(
        f"{APP_AUTH}/auth/login", {"email": staff_93.email, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()["meta"]["session_token"]


def test_staff_without_second_factor_is_refused_on_every_api_route(
    staff_token_without_second_factor,
):
    client = APIClient()
    client.credentials(HTTP_X_SESSION_TOKEN=staff_token_without_second_factor)
    for path in _filled_routes():
        for method in ("get", "post", "patch", "delete"):
            response = getattr(client, method)(path)
            assert response.status_code == 403, (method, path, response.status_code)
            assert response.json()["error"]["code"] == "mfa_required", (method, path)


def test_staff_without_second_factor_cannot_read_the_departement_figures(
    staff_token_without_second_factor,
):
    response = APIClient().get(
        "/api/v1/departements/93/stats/", HTTP_X_SESSION_TOKEN=staff_token_without_second_factor
    )
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "mfa_required"
    assert error["status"] == 403


def test_staff_who_set_up_totp_later_must_sign_in_again_with_it(
    staff_93, staff_token_without_second_factor
):
    totp_enrol(staff_93)
    response = APIClient().get(
        "/api/v1/me/", HTTP_X_SESSION_TOKEN=staff_token_without_second_factor
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "mfa_required"


def test_staff_who_passed_totp_reads_the_figures(staff_93, settings):
    settings.STAFF_REQUIRE_MFA = True
    totp_enrol(staff_93)
    client = APIClient()
    response = client.post(
        f"{APP_AUTH}/auth/login", {"email": staff_93.email, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 401
    body = response.json()
    assert [f["id"] for f in body["data"]["flows"] if f.get("is_pending")] == ["mfa_authenticate"]
    pending_token = body["meta"]["session_token"]
    # Half signed in: the API does not take the token yet.
    assert client.get("/api/v1/me/", HTTP_X_SESSION_TOKEN=pending_token).status_code == 401

    response = client.post(
        f"{APP_AUTH}/auth/2fa/authenticate",
        {"code": totp_code(staff_93)},
        format="json",
        HTTP_X_SESSION_TOKEN=pending_token,
    )
    assert response.status_code == 200, response.content
    token = response.json()["meta"]["session_token"]
    response = client.get("/api/v1/departements/93/stats/", HTTP_X_SESSION_TOKEN=token)
    assert response.status_code == 200, response.content


def test_staff_admin_cookie_without_second_factor_is_refused_by_the_api(staff_93, settings):
    settings.STAFF_REQUIRE_MFA = True
    browser = Client()
    browser.force_login(staff_93)  # a session that passed no second factor
    response = browser.get("/api/v1/me/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "mfa_required"


def test_without_the_requirement_staff_use_the_api_with_a_password(
    staff_93, staff_token_without_second_factor, settings
):
    settings.STAFF_REQUIRE_MFA = False
    response = APIClient().get(
        "/api/v1/me/", HTTP_X_SESSION_TOKEN=staff_token_without_second_factor
    )
    assert response.status_code == 200


def test_young_people_need_no_second_factor(young_person, settings):
    settings.STAFF_REQUIRE_MFA = True
    token = login_token(APIClient(), young_person.email)
    assert APIClient().get("/api/v1/me/", HTTP_X_SESSION_TOKEN=token).status_code == 200


# --- Fresh proof: erasing the account ---------------------------------------------------


def test_erasing_the_account_needs_a_recent_password(young_person):
    client = APIClient()
    token = login_token(client, young_person.email)
    client.credentials(HTTP_X_SESSION_TOKEN=token)
    session_shift(token, 6 * 60)

    response = client.delete("/api/v1/me/", {"password": PASSWORD}, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "reauthentication_required"
    young_person.refresh_from_db()
    assert young_person.is_active

    response = client.post(f"{APP_AUTH}/auth/reauthenticate", {"password": PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    assert client.delete("/api/v1/me/", {"password": PASSWORD}, format="json").status_code == 204


def test_reading_the_account_needs_no_recent_password(young_person):
    client = APIClient()
    token = login_token(client, young_person.email)
    session_shift(token, 60 * 60)
    assert client.get("/api/v1/me/", HTTP_X_SESSION_TOKEN=token).status_code == 200
