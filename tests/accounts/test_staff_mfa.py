"""A staff password alone opens nothing: enrolling TOTP takes a code issued out of band,
and every admin page takes a session that passed the second factor."""

import re
from datetime import timedelta
from io import StringIO

import pytest
from allauth.mfa.models import Authenticator
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import StaffEnrolment
from tests.conftest import APP_AUTH, PASSWORD, login_token, totp_code_for_secret

pytestmark = pytest.mark.django_db

CONTACTS = "/admin/accounts/departementcontact/"
TOTP = f"{APP_AUTH}/account/authenticators/totp"


def totp_code(secret: str) -> str:
    """The code an authenticator app shows now for ``secret``."""
    return totp_code_for_secret(secret)


def app_reauthenticate(api_client) -> None:
    response = api_client.post(
        f"{APP_AUTH}/auth/reauthenticate", {"password": PASSWORD}, format="json"
    )
    assert response.status_code == 200, response.content


def browser_login(client, user) -> None:
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content


def activation_secret(client) -> str:
    """Open the activation page (allauth asks for the password again first)."""
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200
    return response.context["form"].secret


def issue_code_in_admin(client, superuser, staff) -> str:
    """What a superuser does: the action on the accounts list, which shows the code once."""
    client.force_login(superuser)
    response = client.post(
        "/admin/accounts/user/",
        {"action": "issue_enrolment_code", "_selected_action": [staff.pk]},
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    codes = re.findall(rb'class="enrolment-code">([0-9A-Z-]+)<', response.content)
    assert len(codes) == 1
    client.logout()
    return codes[0].decode()


@pytest.fixture
def mfa_required(settings):
    settings.STAFF_REQUIRE_MFA = True


def test_staff_password_alone_cannot_enrol_a_totp(client, staff_93, mfa_required):
    """The attacker who has a staff password scans their own QR code: refused."""
    browser_login(client, staff_93)
    assert client.get(CONTACTS)["Location"] == reverse("mfa_activate_totp")
    secret = activation_secret(client)

    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})

    assert response.status_code == 200
    assert "enrolment_code" in response.context["form"].errors
    assert "code d'inscription" in response.context["form"].errors["enrolment_code"][0]
    assert not Authenticator.objects.filter(user=staff_93).exists()
    assert client.get(CONTACTS)["Location"] == reverse("mfa_activate_totp")


def test_a_wrong_or_another_accounts_code_is_refused(client, staff_93, staff_75, superuser):
    other_code = issue_code_in_admin(client, superuser, staff_75)
    browser_login(client, staff_93)
    secret = activation_secret(client)
    for code in (other_code, "AAAA-BBBB-CCCC-DDDD"):
        response = client.post(
            reverse("mfa_activate_totp"), {"code": totp_code(secret), "enrolment_code": code}
        )
        assert "enrolment_code" in response.context["form"].errors
    assert not Authenticator.objects.filter(user=staff_93).exists()


# Committed for real: allauth announces the new authenticator once the activation commits.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_staff_enrols_with_the_code_a_superuser_issued(client, staff_93, superuser, settings):
    code = issue_code_in_admin(client, superuser, staff_93)
    settings.STAFF_REQUIRE_MFA = True
    browser_login(client, staff_93)
    secret = activation_secret(client)

    response = client.post(
        reverse("mfa_activate_totp"), {"code": totp_code(secret), "enrolment_code": code.lower()}
    )

    assert response.status_code == 302
    totp = Authenticator.objects.get(user=staff_93, type=Authenticator.Type.TOTP)
    assert secret not in str(totp.data)  # sealed at rest
    # The session that enrolled has just proved the second factor: the admin opens.
    assert client.get(CONTACTS).status_code == 200
    enrolment = StaffEnrolment.objects.get(user=staff_93)
    assert enrolment.used_at is not None
    assert code.replace("-", "") not in enrolment.code_hash  # only a hash is kept


def test_an_enrolment_code_works_once(client, staff_93, superuser):
    code = issue_code_in_admin(client, superuser, staff_93)
    browser_login(client, staff_93)
    secret = activation_secret(client)
    client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret), "enrolment_code": code})
    Authenticator.objects.filter(user=staff_93).delete()  # e.g. a superuser removed it

    secret = activation_secret(client)
    response = client.post(
        reverse("mfa_activate_totp"), {"code": totp_code(secret), "enrolment_code": code}
    )

    assert "enrolment_code" in response.context["form"].errors
    assert not Authenticator.objects.filter(user=staff_93).exists()


def test_an_enrolment_code_expires(client, staff_93, superuser):
    code = issue_code_in_admin(client, superuser, staff_93)
    StaffEnrolment.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    browser_login(client, staff_93)
    secret = activation_secret(client)
    response = client.post(
        reverse("mfa_activate_totp"), {"code": totp_code(secret), "enrolment_code": code}
    )
    assert "enrolment_code" in response.context["form"].errors
    assert not Authenticator.objects.exists()


def test_a_new_code_replaces_the_unused_one(client, staff_93, superuser):
    first = issue_code_in_admin(client, superuser, staff_93)
    second = issue_code_in_admin(client, superuser, staff_93)
    browser_login(client, staff_93)
    secret = activation_secret(client)
    response = client.post(
        reverse("mfa_activate_totp"), {"code": totp_code(secret), "enrolment_code": first}
    )
    assert "enrolment_code" in response.context["form"].errors
    response = client.post(
        reverse("mfa_activate_totp"), {"code": totp_code(secret), "enrolment_code": second}
    )
    assert response.status_code == 302


def test_the_command_prints_a_code_for_a_staff_account(client, staff_93, young_person):
    out = StringIO()
    call_command("issue_staff_enrolment", staff_93.email.upper(), stdout=out)
    code = out.getvalue().strip()
    browser_login(client, staff_93)
    secret = activation_secret(client)
    response = client.post(
        reverse("mfa_activate_totp"), {"code": totp_code(secret), "enrolment_code": code}
    )
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=staff_93, type="totp").exists()

    with pytest.raises(CommandError):
        call_command("issue_staff_enrolment", young_person.email, stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("issue_staff_enrolment", "nobody@example.org", stdout=StringIO())


def test_no_code_is_issued_for_an_app_account(client, superuser, young_person):
    client.force_login(superuser)
    response = client.post(
        "/admin/accounts/user/",
        {"action": "issue_enrolment_code", "_selected_action": [young_person.pk]},
        follow=True,
    )
    assert b"enrolment-code" not in response.content
    assert not StaffEnrolment.objects.exists()


def test_staff_cannot_enrol_through_the_app_api_without_a_code(api_client, staff_93, superuser):
    token = login_token(api_client, staff_93.email, second_factor=False)
    api_client.credentials(HTTP_X_SESSION_TOKEN=token)
    app_reauthenticate(api_client)
    secret = api_client.get(TOTP).json()["meta"]["secret"]

    response = api_client.post(TOTP, {"code": totp_code(secret)}, format="json")

    assert response.status_code == 400
    assert any(error.get("param") == "enrolment_code" for error in response.json()["errors"])
    assert not Authenticator.objects.filter(user=staff_93).exists()

    code = issue_code_in_admin(Client(), superuser, staff_93)
    response = api_client.post(
        TOTP, {"code": totp_code(secret), "enrolment_code": code}, format="json"
    )
    assert response.status_code == 200, response.content


def test_a_young_person_enrols_totp_without_any_code(api_client, young_person):
    token = login_token(api_client, young_person.email)
    api_client.credentials(HTTP_X_SESSION_TOKEN=token)
    app_reauthenticate(api_client)
    secret = api_client.get(TOTP).json()["meta"]["secret"]
    response = api_client.post(TOTP, {"code": totp_code(secret)}, format="json")
    assert response.status_code == 200, response.content


def test_a_staff_session_that_skipped_the_second_factor_is_signed_out(
    client, staff_93, mfa_required
):
    """A session that did not pass TOTP (made before it was set up, or otherwise) opens
    no admin page: the staff member signs in again, with the code."""
    call_command("issue_staff_enrolment", staff_93.email, stdout=(out := StringIO()))
    browser_login(client, staff_93)
    secret = activation_secret(client)
    client.post(
        reverse("mfa_activate_totp"),
        {"code": totp_code(secret), "enrolment_code": out.getvalue().strip()},
    )
    client.logout()
    client.force_login(staff_93)  # a session with no second factor recorded

    response = client.get(CONTACTS)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session
    # The page of the account's e-mail addresses is refused the same way.
    client.force_login(staff_93)
    assert client.get(reverse("account_email")).status_code == 302
    assert "_auth_user_id" not in client.session

    # Signing in properly: password, then the TOTP code.
    response = client.post(
        reverse("account_login"), {"login": staff_93.email, "password": PASSWORD}
    )
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)}).status_code == 302
    assert client.get(CONTACTS).status_code == 200
