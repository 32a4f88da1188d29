"""Staff invite référents in the admin panel; the admin never shows what référents see."""

import re

import pytest
from django.urls import reverse

from accounts.roles import Role
from referents.models import Link, ReferentProfile
from services_catalog.models import Structure
from tests.conftest import PASSWORD, totp_enrol

pytestmark = pytest.mark.django_db

ADD = reverse("admin:referents_referentprofile_add")
LIST = reverse("admin:referents_referentprofile_changelist")


@pytest.fixture
def structures(db):
    return {
        "93": Structure.objects.create(name="Service ASE de Bobigny", departement_id="93"),
        "75": Structure.objects.create(name="Mission locale de Paris", departement_id="75"),
    }


def _invite(client, structure, departement="93", email="lea@ase93.fr"):
    return client.post(
        ADD,
        {
            "email": email,
            "first_name": "Léa",
            "departement": departement,
            "structure": structure.pk,
            "profession": "ase_educator",
            "job_title": "Éducatrice spécialisée",
        },
        follow=True,
    )


@pytest.mark.parametrize("inviter", ["staff_93", "coordinator_93"])
def test_staff_and_coordinators_invite_a_referent_of_their_departement(
    client, request, inviter, structures, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(request.getfixturevalue(inviter))
    with django_capture_on_commit_callbacks(execute=True):
        response = _invite(client, structures["93"])
    assert response.status_code == 200
    profile = ReferentProfile.objects.select_related("user").get()
    assert profile.user.role == Role.REFERENT and profile.departement_id == "93"
    assert not profile.user.has_usable_password()  # chosen on /pro/bienvenue/
    shown = re.search(
        r"([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})", response.content.decode()
    )
    assert shown and shown[1] in mailoutbox[0].body
    assert mailoutbox[0].to == ["lea@ase93.fr"]
    # Shown on a page of its own, kept nowhere: not in the messages' cookie.
    assert shown[1] not in str(client.cookies)
    assert "Invitation codes" in response.content.decode() or "Codes d" in (
        response.content.decode()
    )


def test_staff_cannot_invite_for_another_departement(client, staff_93, structures):
    client.force_login(staff_93)
    response = _invite(client, structures["75"], departement="75")
    assert response.status_code == 200 and b"errorlist" in response.content
    assert not ReferentProfile.objects.exists()
    mixed = _invite(client, structures["75"], departement="93")
    assert b"errorlist" in mixed.content and not ReferentProfile.objects.exists()


@pytest.mark.parametrize("role", ["partner_93", "national_editor"])
def test_partners_and_national_editors_do_not_invite_referents(client, request, role, structures):
    client.force_login(request.getfixturevalue(role))
    assert client.get(ADD).status_code == 403
    assert _invite(client, structures["93"]).status_code == 403
    assert not ReferentProfile.objects.exists()


def test_the_list_shows_counts_never_young_people_or_what_they_share(
    client, staff_93, referent, young_person
):
    client.force_login(staff_93)
    page = client.get(LIST).content.decode()
    assert "Léa" in page
    assert young_person.first_name not in page and "Rencontré" not in page
    change = client.get(
        reverse("admin:referents_referentprofile_change", args=[referent.referent_profile.pk])
    ).content.decode()
    assert young_person.first_name not in change
    for name in ("link", "note", "demarcheproposal", "linkinvitation"):
        assert client.get(f"/admin/referents/{name}/").status_code == 404


def test_staff_of_another_departement_do_not_see_the_referent(client, staff_75, referent):
    client.force_login(staff_75)
    assert "Léa" not in client.get(LIST).content.decode()
    url = reverse("admin:referents_referentprofile_change", args=[referent.referent_profile.pk])
    assert client.get(url).status_code in (302, 404)


def test_closing_a_referents_account_ends_their_links(client, staff_93, referent, young_person):
    client.force_login(staff_93)
    client.post(
        LIST,
        {"action": "close_accounts", "_selected_action": [referent.referent_profile.pk]},
    )
    referent.refresh_from_db()
    assert not referent.is_active
    link = Link.objects.get(referent=referent)
    assert link.end_reason == Link.EndReason.REFERENT_DEACTIVATED
    assert not client.login(email=referent.email, password=PASSWORD)


def test_a_new_invitation_code_replaces_the_old_one(
    client, staff_93, referent, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(staff_93)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            LIST,
            {
                "action": "send_new_invitation_code",
                "_selected_action": [referent.referent_profile.pk],
            },
            follow=True,
        )
    assert re.search(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", response.content.decode())
    assert len(mailoutbox) == 1


def test_no_new_code_for_a_referent_who_set_up_their_second_factor(
    client, staff_93, referent, mailoutbox, django_capture_on_commit_callbacks
):
    totp_enrol(referent)
    client.force_login(staff_93)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            LIST,
            {
                "action": "send_new_invitation_code",
                "_selected_action": [referent.referent_profile.pk],
            },
            follow=True,
        )
    page = response.content.decode()
    assert "superuser" in page or "superutilisateur" in page
    assert not re.search(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", page)
    assert mailoutbox == []


def test_a_superuser_removes_a_referents_lost_second_factor_but_deletes_no_profile(
    client, superuser, referent
):
    totp_enrol(referent)
    client.force_login(superuser)
    authenticators = client.get(reverse("admin:mfa_authenticator_changelist")).content.decode()
    assert str(referent) in authenticators
    change = reverse("admin:referents_referentprofile_change", args=[referent.referent_profile.pk])
    delete = reverse("admin:referents_referentprofile_delete", args=[referent.referent_profile.pk])
    assert delete not in client.get(change).content.decode()
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert ReferentProfile.objects.filter(user=referent).exists()


def _change(profile) -> str:
    return reverse("admin:referents_referentprofile_change", args=[profile.pk])


def _buttons(response) -> list[str]:
    return [button["name"] for button in response.context.get("object_buttons", [])]


def _form(profile) -> dict:
    """The référent's page as a browser posts it: what staff may change."""
    return {
        "departement": profile.departement_id,
        "structure": profile.structure_id or "",
        "profession": profile.profession,
        "job_title": profile.job_title,
    }


def test_a_new_code_from_the_referents_page_is_shown_once_on_a_page_of_its_own(
    client, staff_93, referent, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.REFERENT_INVITATION_DAYS = 10
    profile = referent.referent_profile
    client.force_login(staff_93)
    page = client.get(_change(profile))
    assert _buttons(page) == ["send_new_invitation_code", "close_accounts"]
    assert "valable 10 jours" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _change(profile), {**_form(profile), "_object_action": "send_new_invitation_code"}
        )
    assert response.status_code == 200  # the action's own page, not a redirect
    assert re.search(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", response.content.decode())
    assert len(mailoutbox) == 1


def test_a_referent_with_a_second_factor_can_only_be_closed_then_nothing(
    client, staff_93, referent
):
    totp_enrol(referent)
    profile = referent.referent_profile
    client.force_login(staff_93)
    assert _buttons(client.get(_change(profile))) == ["close_accounts"]
    response = client.post(
        _change(profile), {**_form(profile), "_object_action": "close_accounts"}, follow=True
    )
    assert response.status_code == 200
    referent.refresh_from_db()
    assert not referent.is_active
    assert Link.objects.get(referent=referent).end_reason == Link.EndReason.REFERENT_DEACTIVATED
    assert _buttons(client.get(_change(profile))) == []


def test_staff_of_another_departement_cannot_close_the_referent(client, staff_75, referent):
    profile = referent.referent_profile
    client.force_login(staff_75)
    url = reverse(
        "admin:referents_referentprofile_object_action", args=[profile.pk, "close_accounts"]
    )
    assert client.post(url).status_code == 404
    referent.refresh_from_db()
    assert referent.is_active
