"""The professional space's main journeys in a real browser: a référent sets up their
account with their invitation, signs in with the second factor, invites a young person,
and sees them only once they accepted in the app. Every page passes axe-core, on a phone
and on a desktop."""

import re

import pytest

from accounts.models import Departement
from referents import services
from services_catalog.models import Structure
from tests.browser.axe import accessibility_violations
from tests.browser.conftest import phone_codes
from tests.conftest import PASSWORD, totp_code_for_secret

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

API = "/api/v1/me/referents/"


def _sign_in(page, email, code):
    page.get_by_label("Courriel").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    page.get_by_label("Code").fill(code())
    page.get_by_role("button", name="Connexion").click()
    page.get_by_role("heading", name="Mes jeunes").wait_for()


@pytest.mark.parametrize("width", [360, 1280])
def test_an_invited_referent_sets_up_their_account_and_lands_on_their_young_people(
    visit, staff_93, width
):
    structure = Structure.objects.create(name="MECS Les Lilas", departement_id="93")
    profile, code = services.referent_invite(
        email="nadia@mecs-lilas.fr",
        first_name="Nadia",
        departement=Departement.objects.get(pk="93"),
        structure=structure,
        profession="care_home_educator",
        invited_by=staff_93,
    )

    def steps(page, log):
        problems = accessibility_violations(page)
        secret = page.locator("#totp-secret").inner_text()
        page.get_by_label("Votre adresse électronique professionnelle").fill("nadia@mecs-lilas.fr")
        page.get_by_label("Code d'invitation").fill(code)
        page.get_by_label("Choisissez un mot de passe").fill("une phrase de passe solide")
        page.get_by_label("Le même mot de passe, une seconde fois").fill(
            "une phrase de passe solide"
        )
        page.get_by_label("Code affiché par votre application d'authentification").fill(
            totp_code_for_secret(secret)
        )
        page.get_by_role("button", name="Configurer mon compte").click()
        page.get_by_role("heading", name="Mes jeunes").wait_for()
        problems += accessibility_violations(page)
        width_used = page.evaluate("document.documentElement.scrollWidth")
        return problems, width_used, log.errors

    problems, width_used, errors = visit("/pro/bienvenue/", steps, width=width)
    assert problems == []
    assert width_used <= width
    assert errors == []
    profile.user.refresh_from_db()
    assert profile.user.check_password("une phrase de passe solide")


def test_a_referent_invites_and_sees_the_young_person_only_after_acceptance(
    visit, referent_unlinked, young_person, client_for
):
    young = client_for(young_person)
    phone = phone_codes(referent_unlinked)

    def before(page, log):
        _sign_in(page, referent_unlinked.email, phone)
        problems = accessibility_violations(page)
        assert "Aminata" not in page.content()
        page.get_by_role("link", name="Inviter").first.click()
        page.get_by_role("heading", name="Inviter un ou une jeune").wait_for()
        problems += accessibility_violations(page)
        page.get_by_label("Pour qui ? (pour vous seul·e)").first.fill("Aminata, foyer de Bondy")
        page.get_by_role("button", name="Créer un code").click()
        code = page.locator("#new-code").inner_text()
        problems += accessibility_violations(page)
        page.get_by_role("link", name="Mes jeunes").click()
        still_hidden = "Aminata" not in page.content()
        return code, still_hidden, problems, log.errors

    code, still_hidden, problems, errors = visit("/accounts/login/?next=/pro/", before)
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", code)
    assert still_hidden  # not before the young person accepts
    invitation = young.post(f"{API}code/", {"code": code}, format="json").json()
    accepted = young.post(
        f"{API}invitations/{invitation['id']}/accept/",
        {"code": code, "scopes": ["profile", "demarches"]},
        format="json",
    )
    assert accepted.status_code == 201

    def after(page, log):
        _sign_in(page, referent_unlinked.email, phone)
        page.get_by_role("link", name="Aminata").click()
        page.get_by_role("heading", name="Aminata", level=1).wait_for()
        problems = accessibility_violations(page)
        shown = page.locator("main").inner_text()
        return shown, problems, log.errors

    shown, more_problems, more_errors = visit("/accounts/login/?next=/pro/", after, width=360)
    assert "Seine-Saint-Denis" in shown and "Non partagé avec vous." in shown
    assert problems + more_problems == []
    assert errors + more_errors == []
