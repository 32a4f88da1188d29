"""The admin panel shows each département's staff their own rows only."""

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from accounts.models import DepartementContact, User
from accounts.roles import Role

pytestmark = pytest.mark.django_db

CONTACTS = "/admin/accounts/departementcontact/"


@pytest.fixture
def contacts(db):
    return {
        "93": DepartementContact.objects.create(
            departement_id="93", kind="ase_service", name="ASE Seine-Saint-Denis"
        ),
        "75": DepartementContact.objects.create(
            departement_id="75", kind="ase_service", name="ASE Paris"
        ),
    }


def _choices(response, field):
    return {
        str(value)
        for value, _label in response.context["adminform"].form.fields[field].choices
        if value
    }


def test_staff_list_shows_only_their_departement(client, staff_93, contacts):
    client.force_login(staff_93)
    response = client.get(CONTACTS)
    assert response.status_code == 200
    assert b"ASE Seine-Saint-Denis" in response.content
    assert b"ASE Paris" not in response.content


def test_staff_cannot_open_another_departements_row(client, staff_93, contacts):
    client.force_login(staff_93)
    own = client.get(f"{CONTACTS}{contacts['93'].pk}/change/")
    assert own.status_code == 200
    other = client.get(f"{CONTACTS}{contacts['75'].pk}/change/")
    # Django's admin answers a row outside the queryset like a missing one.
    assert other.status_code == 302
    assert other["Location"] == reverse("admin:index")
    assert client.get(f"{CONTACTS}{contacts['75'].pk}/delete/").status_code == 302


def test_staff_cannot_change_another_departements_row_by_post(client, staff_93, contacts):
    client.force_login(staff_93)
    response = client.post(
        f"{CONTACTS}{contacts['75'].pk}/change/",
        {"departement": "75", "kind": "helpline", "name": "Hijacked"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
    contacts["75"].refresh_from_db()
    assert contacts["75"].name == "ASE Paris"


def test_foreign_key_choices_are_scoped(client, staff_93):
    client.force_login(staff_93)
    response = client.get(f"{CONTACTS}add/")
    assert response.status_code == 200
    assert _choices(response, "departement") == {"93"}


def test_staff_cannot_create_a_row_in_another_departement(client, staff_93):
    client.force_login(staff_93)
    response = client.post(
        f"{CONTACTS}add/", {"departement": "75", "kind": "helpline", "name": "Sneaky"}
    )
    assert response.status_code == 200  # the form comes back with an error
    assert "departement" in response.context["adminform"].form.errors
    assert not DepartementContact.objects.filter(name="Sneaky").exists()


def test_staff_creates_a_row_in_their_departement(client, staff_93):
    client.force_login(staff_93)
    response = client.post(
        f"{CONTACTS}add/", {"departement": "93", "kind": "helpline", "name": "Ligne jeunes 93"}
    )
    assert response.status_code == 302
    assert DepartementContact.objects.get(name="Ligne jeunes 93").departement_id == "93"


def test_bulk_delete_only_touches_own_rows(client, staff_93, contacts):
    client.force_login(staff_93)
    client.post(
        CONTACTS,
        {
            "action": "delete_selected",
            "_selected_action": [contacts["93"].pk, contacts["75"].pk],
            "post": "yes",
        },
    )
    assert not DepartementContact.objects.filter(pk=contacts["93"].pk).exists()
    assert DepartementContact.objects.filter(pk=contacts["75"].pk).exists()


def test_national_editor_sees_every_departement(client, national_editor, contacts):
    client.force_login(national_editor)
    response = client.get(CONTACTS)
    assert b"ASE Seine-Saint-Denis" in response.content
    assert b"ASE Paris" in response.content


def test_staff_of_several_departements_sees_each(client, make_user, contacts):
    agent = make_user("agent.idf@example.org", Role.DEPARTEMENT_STAFF, departements=["93", "75"])
    client.force_login(agent)
    response = client.get(CONTACTS)
    assert b"ASE Seine-Saint-Denis" in response.content
    assert b"ASE Paris" in response.content


def test_user_accounts_are_for_superusers_only(client, staff_93, superuser, young_person):
    client.force_login(staff_93)
    assert client.get("/admin/accounts/user/").status_code == 403
    client.force_login(superuser)
    assert client.get("/admin/accounts/user/").status_code == 200


@pytest.mark.parametrize("who", ["young_person", "mentor"])
def test_app_users_have_no_admin_access(client, request, who):
    user = request.getfixturevalue(who)
    client.force_login(user)
    response = client.get("/admin/", follow=True)
    assert response.status_code == 403  # allauth's secure_admin_login refuses non-staff
    assert client.get("/admin/accounts/departementcontact/").status_code == 302


def test_anonymous_admin_goes_through_allauth_login(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    response = client.get(response["Location"])
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_staff_must_set_up_mfa_when_required(client, settings, staff_93):
    settings.STAFF_REQUIRE_MFA = True
    client.force_login(staff_93)
    response = client.get(CONTACTS)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    # Having a TOTP is not enough: the session must have passed it (test_staff_mfa.py).
    Authenticator.objects.create(
        user=staff_93, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"}
    )
    assert client.get(CONTACTS)["Location"].startswith(reverse("account_login"))


def test_mfa_not_required_by_default_outside_production(client, staff_93):
    client.force_login(staff_93)
    assert client.get(CONTACTS).status_code == 200


def test_admin_is_french_by_default(client, staff_93):
    client.force_login(staff_93)
    response = client.get("/admin/")
    assert b"Bienvenue" in response.content  # "Welcome" in English
    assert b'lang="fr"' in response.content


def test_superuser_creates_a_staff_account_that_can_sign_in(client, superuser):
    client.force_login(superuser)
    response = client.post(
        "/admin/accounts/user/add/",
        {
            "email": "nouvel.agent@example.org",
            "usable_password": "true",
            "password1": "a-long-enough-passphrase-9",
            "password2": "a-long-enough-passphrase-9",
            "first_name": "Jo",
            "role": "departement_staff",
            "departements": ["93"],
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    agent = User.objects.get(email="nouvel.agent@example.org")
    assert agent.is_staff
    assert list(agent.departements.values_list("code", flat=True)) == ["93"]
    assert agent.emailaddress_set.get().verified
    client.logout()
    client.force_login(agent)
    assert client.get(CONTACTS).status_code == 200


def test_createsuperuser_account_can_sign_in_through_allauth(client, db):
    User.objects.create_superuser("Ops@Example.org", "a-long-enough-passphrase-9")
    response = client.post(
        reverse("account_login"),
        {"login": "ops@example.org", "password": "a-long-enough-passphrase-9"},
    )
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_e_mail_addresses_are_unique_whatever_the_case(client, superuser, young_person):
    client.force_login(superuser)
    response = client.post(
        "/admin/accounts/user/add/",
        {
            "email": young_person.email.upper(),
            "usable_password": "true",
            "password1": "a-long-enough-passphrase-9",
            "password2": "a-long-enough-passphrase-9",
            "role": "mentor",
        },
    )
    assert response.status_code == 200
    assert "email" in response.context["adminform"].form.errors
    assert User.objects.filter(email__iexact=young_person.email).count() == 1
