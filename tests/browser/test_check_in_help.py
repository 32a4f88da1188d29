"""A young person's monthly check-in asks for help; it reaches their référent: a discreet
e-mail that names no one, then, in a real browser, the call for help on "Mes jeunes"
(and every page passes axe-core)."""

import pytest
from django.core import mail
from django.core.cache import cache

from mentoring.agenda import reminders
from tests.browser.axe import accessibility_violations
from tests.conftest import PASSWORD, totp_code_for_secret, totp_enrol

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_check_in_asking_for_help_reaches_the_referent(visit, referent, young_person, client_for):
    answered = client_for(young_person).post(
        "/api/v1/me/check-ins/",
        {"housing": "temporary", "activity": "none", "resources": "not_enough", "needs_help": True},
        format="json",
    )
    assert answered.status_code == 201
    stats = reminders.dispatch()
    assert stats.sent == 1
    [message] = [m for m in mail.outbox if referent.email in m.to]
    assert "demande de l'aide" in message.subject
    # Discreet: neither the young person's name nor their answers on a lock screen.
    assert young_person.first_name not in message.subject + message.body
    assert "logement" not in (message.subject + message.body).lower()

    secret = totp_enrol(referent)

    def code():
        shown = totp_code_for_secret(secret)
        cache.delete(f"allauth.mfa.totp.used?user={referent.pk}&code={shown}")
        return shown

    def steps(page, log):
        page.get_by_label("Courriel").fill(referent.email)
        page.get_by_label("Mot de passe").fill(PASSWORD)
        page.get_by_role("button", name="Connexion").click()
        page.get_by_label("Code").fill(code())
        page.get_by_role("button", name="Connexion").click()
        page.get_by_role("heading", name="Mes jeunes").first.wait_for()
        problems = accessibility_violations(page)
        return problems, page.locator("main").inner_text(), log.errors

    problems, shown, errors = visit("/accounts/login/?next=/pro/", steps, width=360)
    assert problems == [] and errors == []
    assert "A demandé de l'aide le" in shown
