"""A référent writes the projet with the young person in a real browser: from the young
person's page to their projet, adds a goal and an action, changes its status, then fills
the assessment next to the young person's; every page passes axe-core, on a phone's width."""

import pytest
from django.core.cache import cache

from autonomy import services
from autonomy.models import Action, Assessment, Goal
from tests.browser.axe import accessibility_violations
from tests.conftest import PASSWORD, totp_code_for_secret, totp_enrol

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_referent_writes_the_projet_and_the_assessment(visit, referent, young_person):
    services.assessment_submit(
        young_person=young_person,
        author=services.author_young_person(young_person),
        answers={"housing-apl": 3},
    )
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
        page.get_by_role("link", name="Aminata").first.click()
        page.get_by_role("link", name="Le projet d'accès à l'autonomie").click()
        page.get_by_role("heading", name="Projet d'accès à l'autonomie de Aminata").wait_for()
        problems = accessibility_violations(page)
        add = page.locator("section", has=page.get_by_role("heading", name="Ajouter un objectif"))
        add.get_by_label("Domaine").select_option("housing")
        add.get_by_label("Objectif").fill("Entrer en foyer de jeunes travailleurs")
        add.get_by_role("button", name="Ajouter l'objectif").click()
        page.get_by_text("Objectif ajouté. Le ou la jeune le voit dans son projet.").wait_for()
        housing = page.locator("section", has=page.get_by_role("heading", name="Logement"))
        housing.get_by_text("Ajouter une action").click()
        housing.get_by_label("Action", exact=True).fill("Remplir le dossier FJT")
        housing.get_by_label("Qui s'en charge").select_option("referent")
        housing.get_by_role("button", name="Ajouter l'action").click()
        page.get_by_text("Action ajoutée.").wait_for()
        problems += accessibility_violations(page)
        page.get_by_role("link", name="Évaluation de l'autonomie").click()
        page.get_by_role("heading", name="Côte à côte").wait_for()
        item = page.get_by_role("group", name="Je sais demander l'aide au logement de la CAF.")
        item.get_by_label("Avec un peu d'aide").check()
        page.get_by_role("button", name="Enregistrer mon évaluation").click()
        page.get_by_text("Votre évaluation est enregistrée, à côté de la sienne.").wait_for()
        problems += accessibility_violations(page)
        return problems, page.locator("main").inner_text(), log.errors

    problems, shown, errors = visit("/accounts/login/?next=/pro/", steps, width=360)
    assert problems == [] and errors == []
    assert "Je sais faire seul·e" in shown and "Avec un peu d'aide" in shown
    goal = Goal.objects.get(title="Entrer en foyer de jeunes travailleurs")
    assert Action.objects.get(goal=goal).actor == "referent"
    assert Assessment.objects.filter(by_role="referent").count() == 1
