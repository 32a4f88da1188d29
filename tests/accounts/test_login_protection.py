"""Guessing a password delays the guesser's address, not the account's owner; passwords
are long enough for an account that opens identity papers."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.urls import reverse

from demo.accounts import DEMO_PASSWORD
from tests.conftest import APP_AUTH, PASSWORD

pytestmark = pytest.mark.django_db

ATTACKER_IP = "203.0.113.7"
OWNER_IP = "198.51.100.20"


def _app_login(api_client, email, password, ip):
    return api_client.post(
        f"{APP_AUTH}/auth/login",
        {"email": email, "password": password},
        format="json",
        REMOTE_ADDR=ip,
    )


def test_ten_failures_from_one_address_do_not_lock_the_owner_out(api_client, young_person):
    for _ in range(10):
        _app_login(api_client, young_person.email, "not-the-password-at-all", ATTACKER_IP)

    assert _app_login(api_client, young_person.email, PASSWORD, OWNER_IP).status_code == 200
    # The guesser's own address is delayed, right password or not.
    response = _app_login(api_client, young_person.email, PASSWORD, ATTACKER_IP)
    assert response.status_code in (400, 429)


def test_staff_are_not_locked_out_of_the_admin_either(client, staff_93):
    for _ in range(10):
        client.post(
            reverse("account_login"),
            {"login": staff_93.email, "password": "not-the-password-at-all"},
            REMOTE_ADDR=ATTACKER_IP,
        )
    response = client.post(
        reverse("account_login"),
        {"login": staff_93.email, "password": PASSWORD},
        REMOTE_ADDR=OWNER_IP,
    )
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_five_failures_from_one_address_delay_that_address(api_client, young_person):
    for n in range(5):
        _app_login(api_client, young_person.email, f"wrong-password-{n:02}", ATTACKER_IP)
    response = _app_login(api_client, young_person.email, PASSWORD, ATTACKER_IP)
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "too_many_login_attempts"


@pytest.mark.parametrize(
    "password",
    [
        "Vq7#mZp2!kL",  # 11 characters
        "qwerty123456",  # 12, but on the list of common passwords
        "123456789012",  # only digits
    ],
)
def test_short_or_common_passwords_are_refused_at_sign_up(api_client, password):
    response = api_client.post(
        f"{APP_AUTH}/auth/signup",
        {"email": "nouvelle@example.org", "password": password},
        format="json",
    )
    assert response.status_code == 400
    assert any(error.get("param") == "password" for error in response.json()["errors"])


def test_a_twelve_character_passphrase_is_accepted(api_client):
    response = api_client.post(
        f"{APP_AUTH}/auth/signup",
        {"email": "nouvelle@example.org", "password": "Vq7#mZp2!kLw"},
        format="json",
    )
    assert response.status_code == 401  # created, the e-mail to verify
    assert response.json()["data"]["flows"]


def test_the_demo_and_test_passwords_pass_the_policy():
    validate_password(DEMO_PASSWORD)
    validate_password(PASSWORD)
