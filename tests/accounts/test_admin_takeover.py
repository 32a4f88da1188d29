"""No admin path leads to a young person's or a mentor's credentials: a superuser walks
each one and nothing changes in the database."""

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator

from accounts.mfa import seal_secret
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

ATTACKER = "attaquant@example.net"


@pytest.fixture(params=["young_person", "mentor"])
def owner(request):
    """An account that belongs to a person of the app, never to the administration."""
    return request.getfixturevalue(request.param)


def _change_form(user, **changes):
    data = {
        "email": user.email,
        "first_name": user.first_name,
        "role": user.role,
        "is_active": "on",
        **changes,
    }
    return {key: value for key, value in data.items() if value is not None}


def test_superuser_cannot_switch_role_or_address_of_an_app_account(client, superuser, owner):
    client.force_login(superuser)
    url = f"/admin/accounts/user/{owner.pk}/change/"
    before = (owner.email, owner.role, owner.is_superuser, owner.is_staff)

    # Make it an admin account (whose address may change), change the address, both at once.
    client.post(url, _change_form(owner, role="departement_staff", is_superuser="on"))
    client.post(url, _change_form(owner, email=ATTACKER))
    client.post(url, _change_form(owner, email=ATTACKER, role="national_editor"))

    owner.refresh_from_db()
    assert (owner.email, owner.role, owner.is_superuser, owner.is_staff) == before
    assert not EmailAddress.objects.filter(email=ATTACKER).exists()
    # So a password reset asked for the attacker's address reaches no account.
    assert owner.emailaddress_set.get().email == before[0]


def test_superuser_cannot_set_an_app_accounts_password(client, superuser, owner):
    client.force_login(superuser)
    url = f"/admin/accounts/user/{owner.pk}/password/"
    assert client.get(url).status_code == 403
    response = client.post(
        url, {"password1": "a-new-password-42!", "password2": "a-new-password-42!"}
    )
    assert response.status_code == 403
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)


def test_the_e_mail_address_admin_is_gone(client, superuser, owner):
    client.force_login(superuser)
    address = EmailAddress.objects.get(user=owner)
    assert client.get("/admin/account/emailaddress/").status_code == 404
    assert client.get(f"/admin/account/emailaddress/{address.pk}/change/").status_code == 404
    client.post(
        "/admin/account/emailaddress/add/",
        {"user": owner.pk, "email": ATTACKER, "verified": "on", "primary": "on"},
    )
    client.post(
        f"/admin/account/emailaddress/{address.pk}/change/",
        {"user": owner.pk, "email": ATTACKER, "verified": "on", "primary": "on"},
    )
    assert list(EmailAddress.objects.filter(user=owner).values_list("email", flat=True)) == [
        owner.email
    ]


def test_the_authenticator_admin_shows_no_secret_and_no_app_account(
    client, superuser, staff_93, owner
):
    staff_totp = Authenticator.objects.create(
        user=staff_93, type="totp", data={"secret": seal_secret("JBSWY3DPEHPK3PXP")}
    )
    owner_totp = Authenticator.objects.create(
        user=owner, type="totp", data={"secret": seal_secret("KRSXG5CTMVRXEZLU")}
    )
    client.force_login(superuser)

    listing = client.get("/admin/mfa/authenticator/")
    assert listing.status_code == 200
    assert str(staff_93).encode() in listing.content
    assert str(owner).encode() not in listing.content
    assert owner.email.encode() not in listing.content
    page = client.get(f"/admin/mfa/authenticator/{staff_totp.pk}/change/")
    assert page.status_code == 200
    for secret in (staff_totp.data["secret"], "JBSWY3DPEHPK3PXP", "jalon-keyring"):
        assert secret.encode() not in page.content
    assert client.post(f"/admin/mfa/authenticator/{staff_totp.pk}/change/", {}).status_code == 403

    # An app account's second factor cannot be opened, changed or removed.
    assert client.get(f"/admin/mfa/authenticator/{owner_totp.pk}/change/").status_code == 302
    client.post(f"/admin/mfa/authenticator/{owner_totp.pk}/delete/", {"post": "yes"})
    client.post(
        "/admin/mfa/authenticator/",
        {"action": "delete_selected", "_selected_action": [owner_totp.pk], "post": "yes"},
    )
    assert Authenticator.objects.filter(pk=owner_totp.pk).exists()
    assert client.get("/admin/mfa/authenticator/add/").status_code == 403


def test_a_superuser_removes_a_staff_members_lost_authenticator(client, superuser, staff_93):
    totp = Authenticator.objects.create(
        user=staff_93, type="totp", data={"secret": seal_secret("JBSWY3DPEHPK3PXP")}
    )
    client.force_login(superuser)
    client.post(f"/admin/mfa/authenticator/{totp.pk}/delete/", {"post": "yes"})
    assert not Authenticator.objects.filter(pk=totp.pk).exists()


def test_no_admin_page_opens_a_document(client, superuser, young_person):
    client.force_login(superuser)
    assert client.get("/admin/vault/document/1/change/").status_code == 404
