"""TOTP secrets and recovery-code seeds are sealed with the master keyring at rest, and
re-sealed when the master key rotates."""

import base64
import importlib
import json

import pytest
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.db import connection

from backend.crypto import keyring
from tests.accounts.test_staff_mfa import TOTP, app_reauthenticate, totp_code
from tests.conftest import APP_AUTH, PASSWORD, TEST_KEYRING, login_token

pytestmark = pytest.mark.django_db

migration = importlib.import_module("accounts.migrations.0008_seal_mfa_secrets")


def _enrol(api_client, user) -> str:
    api_client.credentials(HTTP_X_SESSION_TOKEN=login_token(api_client, user.email))
    app_reauthenticate(api_client)
    secret = api_client.get(TOTP).json()["meta"]["secret"]
    response = api_client.post(TOTP, {"code": totp_code(secret)}, format="json")
    assert response.status_code == 200, response.content
    api_client.credentials()
    return secret


def _stored(user) -> str:
    """What the database holds for ``user``'s authenticators, read around the ORM."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT data FROM mfa_authenticator WHERE user_id = %s", [user.pk])
        return " ".join(str(row[0]) for row in cursor.fetchall())


def _sign_in_with_totp(api_client, user, secret) -> int:
    response = api_client.post(
        f"{APP_AUTH}/auth/login", {"email": user.email, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 401  # the second factor is pending
    token = response.json()["meta"]["session_token"]
    api_client.credentials(HTTP_X_SESSION_TOKEN=token)
    return api_client.post(
        f"{APP_AUTH}/auth/2fa/authenticate", {"code": totp_code(secret)}, format="json"
    ).status_code


def test_the_database_holds_no_totp_secret_in_the_clear(api_client, young_person):
    secret = _enrol(api_client, young_person)
    stored = _stored(young_person)
    assert secret not in stored
    assert "jalon-keyring:1:" in stored
    seed = Authenticator.objects.get(user=young_person, type="recovery_codes").data["seed"]
    assert seed.startswith("jalon-keyring:1:")
    # And the app still signs in with the code.
    assert _sign_in_with_totp(api_client, young_person, secret) == 200


def test_rotating_the_master_key_reseals_the_secrets(api_client, young_person, settings):
    secret = _enrol(api_client, young_person)
    ring = json.loads(TEST_KEYRING)
    ring["keys"]["2"] = base64.b64encode(b"n" * 32).decode()
    ring["current"] = "2"
    settings.VAULT_KEYRING = json.dumps(ring)

    assert keyring.rewrappers()["MFA secrets"]() == 2  # the TOTP and the recovery codes
    assert keyring.rewrappers()["MFA secrets"]() == 0

    # With the old master key retired, the code still works.
    del ring["keys"]["1"]
    settings.VAULT_KEYRING = json.dumps(ring)
    assert "jalon-keyring:2:" in _stored(young_person)
    assert _sign_in_with_totp(api_client, young_person, secret) == 200


def test_the_migration_seals_the_secrets_in_the_clear_and_back(young_person):
    totp = Authenticator.objects.create(
        user=young_person, type="totp", data={"secret": "JBSWY3DPEHPK3PXP"}
    )
    codes = Authenticator.objects.create(
        user=young_person, type="recovery_codes", data={"seed": "ab" * 40, "used_mask": 0}
    )

    migration.seal(apps, None)
    migration.seal(apps, None)  # running it twice seals once
    totp.refresh_from_db()
    codes.refresh_from_db()
    assert "JBSWY3DPEHPK3PXP" not in _stored(young_person)
    assert totp.wrap().instance.data["secret"].startswith("jalon-keyring:")
    assert codes.wrap().generate_codes()  # opens with the adapter

    migration.unseal(apps, None)
    totp.refresh_from_db()
    codes.refresh_from_db()
    assert totp.data == {"secret": "JBSWY3DPEHPK3PXP"}
    assert codes.data == {"seed": "ab" * 40, "used_mask": 0}


def test_a_secret_planted_in_the_clear_does_not_open(young_person):
    totp = Authenticator.objects.create(
        user=young_person, type="totp", data={"secret": "JBSWY3DPEHPK3PXP"}
    )
    with pytest.raises(Exception, match="clear"):
        totp.wrap().validate_code(totp_code("JBSWY3DPEHPK3PXP"))
