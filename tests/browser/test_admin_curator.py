"""A partner's proposal reviewed by the curator, in a real browser: the partner writes an
entry and submits it from its page; the curator of 93 finds it from the admin's home,
opens it and publishes it. The home and the entry's page pass axe-core (no serious or
critical violation)."""

import pytest
from django.conf import settings

from services_catalog.models import Entry
from tests.browser.axe import accessibility_violations
from tests.conftest import signed_in_token

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

TITLE = "Permanence juridique gratuite"


def _signed_in(page, base_url, token):
    """The browser holds ``token``'s session, as after the sign-in and its second factor
    (walked by tests/accounts; here the journey after it)."""
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": token, "url": base_url}]
    )


def _serious(page) -> list[str]:
    return [
        line
        for line in accessibility_violations(page)
        if "(serious)" in line or "(critical)" in line
    ]


def test_a_partner_proposes_and_the_curator_publishes_from_the_home(
    visit, live_server, partner_93, staff_93
):
    partner, curator = signed_in_token(partner_93), signed_in_token(staff_93)

    def propose(page, log):
        _signed_in(page, live_server.url, partner)
        page.goto(f"{live_server.url}/admin/services_catalog/entry/add/")
        page.select_option("#id_kind", "offer")
        page.select_option("#id_departement", "93")
        page.fill("#id_title", TITLE)
        page.fill("#id_summary", "Un avocat répond à vos questions, sans rendez-vous.")
        page.fill("#id_body", "Chaque mercredi après-midi, à la maison de la justice.")
        page.select_option("#id_scope", "departements")
        page.select_option("#id_zone_departements_from", "93")
        page.click("#id_zone_departements_add")
        page.get_by_role("button", name="Enregistrer et continuer les modifications").click()
        page.get_by_role("button", name="Soumettre pour relecture").click()
        page.get_by_text("1 fiche soumise.").wait_for()
        # Submitted, the proposal is the curators': no button left for the partner.
        return page.get_by_role("button", name="Soumettre pour relecture").count(), log.errors

    left, errors = visit("/admin/", propose)
    assert left == 0
    assert errors == []
    entry = Entry.objects.get(title=TITLE)
    assert entry.status == Entry.Status.SUBMITTED
    assert entry.proposed_by == partner_93

    def review(page, log):
        _signed_in(page, live_server.url, curator)
        page.goto(f"{live_server.url}/admin/")
        problems = _serious(page)
        page.get_by_role("link", name="1 fiche à relire").click()
        page.get_by_role("link", name=TITLE).click()
        page.get_by_role("button", name="Publier", exact=True).wait_for()
        problems += _serious(page)
        next_step = page.locator("#jalon-next-publish").inner_text()
        page.get_by_role("button", name="Publier", exact=True).click()
        page.get_by_text("1 fiche publiée.").wait_for()
        return problems, next_step, log.errors

    problems, next_step, errors = visit("/admin/", review)
    assert problems == [], "\n".join(problems)
    assert next_step.startswith("La fiche apparaît dans l'application")
    assert errors == []
    entry.refresh_from_db()
    assert entry.status == Entry.Status.PUBLISHED
