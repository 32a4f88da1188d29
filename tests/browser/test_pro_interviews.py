"""A référent records the interview at 17 in a real browser: from the young person's page
to their steps, schedules it, then notes it was held; every page passes axe-core."""

from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from autonomy.models import Interview
from tests.browser.axe import accessibility_violations
from tests.conftest import PASSWORD, totp_code_for_secret, totp_enrol

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_referent_schedules_and_records_the_interview_at_17(visit, referent, young_person):
    profile = young_person.profile
    profile.birth_date, profile.in_care = date(2009, 1, 1), True
    profile.save()
    secret = totp_enrol(referent)
    starts = (timezone.localtime() + timedelta(days=7)).strftime("%Y-%m-%dT10:00")

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
        page.get_by_role("link", name="Aminata").first.click()
        page.get_by_role("link", name="Les étapes prévues par la loi et les entretiens").click()
        page.get_by_role("heading", name="Les étapes de Aminata").wait_for()
        problems = accessibility_violations(page)
        first = page.locator("li.card", has=page.get_by_role("heading", name="Entretien à 17 ans"))
        first.get_by_label("Date et heure").fill(starts)
        first.get_by_label("Lieu").fill("Service ASE de Bobigny")
        first.get_by_role("button", name="Planifier l'entretien").click()
        page.get_by_text("C'est planifié").wait_for()
        first = page.locator("li.card", has=page.get_by_role("heading", name="Entretien à 17 ans"))
        first.get_by_label("Tenu le").fill("2026-11-20")
        first.get_by_role("button", name="Noter qu'il a eu lieu").click()
        page.get_by_text("Enregistré : l'entretien a eu lieu.").wait_for()
        problems += accessibility_violations(page)
        return problems, page.locator("main").inner_text(), log.errors

    problems, shown, errors = visit("/accounts/login/?next=/pro/", steps, width=360)
    assert problems == [] and errors == []
    assert "Tenu le 20 novembre 2026." in shown
    interview = Interview.objects.get(young_person=young_person, kind="interview_17")
    # Held before its date: the appointment and its reminders are gone.
    assert interview.held_on == date(2026, 11, 20) and interview.appointment is None
