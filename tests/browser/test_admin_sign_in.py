"""A département officer signs in to the admin in a real browser: ``/admin/`` sends them
to Jalon's sign-in page (no sign-up anywhere), they give their password then their TOTP
code and land on the admin's home; the password reset is one link away, in French, and
leads back to signing in. Every page of the way passes axe-core (no serious or critical
violation) and fits a phone's width, at 360 and 1280 pixels."""

import re

import pytest
from django.core import mail

from tests.browser.axe import accessibility_violations
from tests.browser.conftest import phone_codes
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

WIDTHS = [360, 1280]
NEW_PASSWORD = "une autre phrase de passe"


class Walk:
    """What the officer met on each page: axe's serious problems, a page wider than the
    screen, a word of sign-up."""

    def __init__(self, page, width):
        self.page = page
        self.width = width
        self.problems = []
        self.too_wide = []
        self.sign_up = []

    def look(self):
        page = self.page
        self.problems += [
            f"{page.url}: {problem}"
            for problem in accessibility_violations(page)
            if "(serious)" in problem or "(critical)" in problem
        ]
        if page.evaluate("document.documentElement.scrollWidth") > self.width:
            self.too_wide.append(page.url)
        html = page.content().lower()
        if "signup" in html or "inscri" in html or "enregistrer" in html:
            self.sign_up.append(page.url)

    def report(self):
        return {"problems": self.problems, "too_wide": self.too_wide, "sign_up": self.sign_up}


CLEAN = {"problems": [], "too_wide": [], "sign_up": []}


def _sign_in(page, walk, email, password, code):
    page.get_by_role("heading", name="Connexion à Jalon").wait_for()
    walk.look()
    page.get_by_label("Courriel").fill(email)
    page.get_by_label("Mot de passe", exact=True).fill(password)
    page.get_by_role("button", name="Connexion").click()
    page.get_by_role("heading", name="Authentification à deux facteurs").wait_for()
    walk.look()
    page.get_by_label("Code").fill(code())
    page.get_by_role("button", name="Connexion").click()
    page.locator("#site-name").wait_for()


@pytest.mark.parametrize("width", WIDTHS)
def test_an_officer_opens_the_admin_and_signs_in_with_password_then_code(
    visit, staff_93, settings, width
):
    settings.STAFF_REQUIRE_MFA = True
    phone = phone_codes(staff_93)

    def steps(page, log):
        walk = Walk(page, width)
        sign_in_url = page.url
        title = page.title()
        reset_link = page.get_by_role("link", name="Mot de passe oublié ?").get_attribute("href")
        _sign_in(page, walk, staff_93.email, PASSWORD, phone)
        return (
            sign_in_url,
            title,
            reset_link,
            page.url,
            page.locator("#site-name").inner_text(),
            (
                walk.report(),
                log.errors,
            ),
        )

    sign_in_url, title, reset_link, landed, site_name, (seen, errors) = visit(
        "/admin/", steps, width=width
    )
    assert "/accounts/login/" in sign_in_url and "next=%2Fadmin%2F" in sign_in_url
    assert title == "Connexion · Jalon"
    assert reset_link == "/accounts/password/reset/"
    assert landed.endswith("/admin/")
    assert site_name == "Administration de Jalon"
    assert seen == CLEAN
    assert errors == []


@pytest.mark.parametrize("width", WIDTHS)
def test_an_officer_who_forgot_their_password_sets_a_new_one_and_signs_in(
    visit, staff_93, settings, width
):
    settings.STAFF_REQUIRE_MFA = True
    phone = phone_codes(staff_93)

    def steps(page, log):
        walk = Walk(page, width)
        page.get_by_role("link", name="Mot de passe oublié ?").click()
        page.get_by_role("heading", name="Réinitialisation du mot de passe").wait_for()
        walk.look()
        lang = page.locator("html").get_attribute("lang")
        page.get_by_label("Courriel").fill(staff_93.email)
        page.get_by_role("button", name="M'envoyer un code").click()
        page.get_by_role("heading", name="Entrez le code de réinitialisation").wait_for()
        walk.look()
        # The e-mail went through Django's test outbox (same process as the live server).
        code = re.search(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", mail.outbox[-1].body, re.M).group(1)
        page.get_by_label("Code").fill(code)
        page.get_by_role("button", name="Confirmer").click()
        page.get_by_role("heading", name="Choisissez un nouveau mot de passe").wait_for()
        walk.look()
        page.get_by_label("Nouveau mot de passe", exact=True).fill(NEW_PASSWORD)
        page.get_by_label("Nouveau mot de passe (confirmation)").fill(NEW_PASSWORD)
        page.get_by_role("button", name="Modifier le mot de passe").click()
        page.get_by_role("heading", name="Mot de passe modifié").wait_for()
        walk.look()
        page.get_by_role("link", name="Connexion").click()
        page.get_by_label("Courriel").wait_for()
        _sign_in(page, walk, staff_93.email, NEW_PASSWORD, phone)
        return lang, page.url, walk.report(), log.errors

    lang, landed, seen, errors = visit("/accounts/login/?next=/admin/", steps, width=width)
    assert lang == "fr"
    assert landed.endswith("/admin/")
    assert seen == CLEAN
    assert errors == []


@pytest.mark.parametrize("width", WIDTHS)
def test_the_sign_up_address_says_who_makes_accounts_and_leads_to_sign_in(visit, width):
    def steps(page, log):
        walk = Walk(page, width)
        page.get_by_role("heading", name="Pas de création de compte ici").wait_for()
        walk.look()
        text = page.locator("main").inner_text()
        page.get_by_role("link", name="Aller à la page de connexion").click()
        page.get_by_role("heading", name="Connexion à Jalon").wait_for()
        walk.look()
        return text, walk.report(), log.errors

    text, seen, errors = visit("/accounts/signup/", steps, width=width)
    assert "créés par le département" in text and "l'application Jalon" in text
    assert seen == CLEAN
    assert errors == []


def test_an_officer_signs_out_from_the_sign_in_pages_header(visit, staff_93):
    def steps(page, log):
        walk = Walk(page, 360)
        page.get_by_label("Courriel").fill(staff_93.email)
        page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Connexion").click()
        page.locator("#site-name").wait_for()
        page.goto(page.url.replace("/admin/", "/accounts/logout/"))
        page.get_by_role("heading", name="Se déconnecter").wait_for()
        walk.look()
        back = page.get_by_role("link", name="Administration").get_attribute("href")
        page.get_by_role("main").get_by_role("button", name="Se déconnecter").click()
        page.get_by_role("heading", name="Connexion à Jalon").wait_for()
        return back, walk.report(), log.errors

    back, seen, errors = visit("/accounts/login/?next=/admin/", steps, width=360)
    assert back == "/admin/"
    assert seen == CLEAN
    assert errors == []
