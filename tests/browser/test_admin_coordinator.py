"""A mentoring coordinator's journey in the admin panel, in a real browser: from the home's
counter they open the mentors to vet, read a volunteer's application in words, record the
honourability check and approve them from their page; then, from the counter of young
people waiting, they confirm a pair with that mentor. The mentor's page and the request's
page pass axe-core (no serious or critical violation).

The coordinator arrives signed in (a session with their second factor, as
``tests.conftest.signed_in_token`` makes it): the sign-in pages have journeys of their own.
"""

import re
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.utils import timezone

from mentoring import services
from mentoring.models import Match, MentorProfile
from tests.browser.axe import accessibility_violations
from tests.conftest import signed_in_token
from tests.mentoring.factories import in_bobigny, mentor_application, service_request_data

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _signed_in(page, token):
    """The browser holds the coordinator's session cookie, then opens the admin's home."""
    server = urlsplit(page.url)
    origin = f"{server.scheme}://{server.netloc}"
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": token, "url": origin}]
    )
    page.goto(f"{origin}/admin/")


def _serious(problems: list[str]) -> list[str]:
    return [line for line in problems if "(serious)" in line or "(critical)" in line]


def test_a_coordinator_vets_a_mentor_then_confirms_a_pair(
    visit, coordinator_93, mentor, young_person
):
    profile = services.mentor_apply(
        user=mentor,
        data=mentor_application(
            domains=["housing", "job_training"],
            languages=["fr", "ar"],
            availability=["wed_evening", "sat_morning"],
        ),
    )
    request = services.request_create(
        young_person=in_bobigny(young_person), data=service_request_data()
    )
    token = signed_in_token(coordinator_93)
    today = timezone.localdate().strftime("%d/%m/%Y")

    def steps(page, log):
        _signed_in(page, token)
        page.get_by_role("link", name="1 mentor à vérifier").click()
        marc = page.get_by_role("link", name=re.compile(r"^Marc · n°"))
        marc.wait_for()
        listed = page.locator("#result_list tbody tr").all_inner_texts()
        marc.click()
        page.get_by_role("heading", name="Modification de mentor").wait_for()
        application = page.locator("#mentorprofile_form").inner_text()
        problems = accessibility_violations(page)
        page.get_by_label("Contrôle d'honorabilité fait le").fill(today)
        page.get_by_role("button", name="Approuver").click()
        page.get_by_role("button", name="Suspendre").wait_for()
        decided = {
            "status": page.locator(".field-status .readonly").inner_text(),
            "messages": page.locator("ul.messagelist").inner_text(),
            "buttons": page.locator(".jalon-workflow button").all_inner_texts(),
        }
        page.get_by_role("link", name="Accueil").click()
        page.get_by_role("link", name="1 jeune en attente d'un mentor").click()
        page.get_by_role("link", name="Aminata", exact=True).click()
        page.get_by_role("heading", name="Mentors proposés").wait_for()
        problems += accessibility_violations(page)
        page.get_by_role("button", name="Confirmer le binôme avec Marc").click()
        page.locator("ul.messagelist").wait_for()
        confirmed = {
            "messages": page.locator("ul.messagelist").inner_text(),
            "status": page.locator(".field-status .readonly").inner_text(),
        }
        return listed, application, decided, confirmed, problems, log.errors

    listed, application, decided, confirmed, problems, errors = visit("/admin/", steps)

    assert len(listed) == 1 and "En attente de validation" in listed[0]

    assert "Logement, Emploi et formation" in application
    assert "Français, Arabe" in application
    assert "mercredi soir, samedi matin" in application
    assert not re.search(r"housing|job_training|wed_evening|\[\"", application)
    assert decided["status"] == "Approuvé"
    assert "1 mentor mis à jour." in decided["messages"]
    assert decided["buttons"] == ["Suspendre"]  # nothing else applies to an approved mentor
    assert "Le binôme est confirmé." in confirmed["messages"]
    assert confirmed["status"] == "Mise en relation faite"
    assert _serious(problems) == [], "\n".join(problems)
    assert errors == []
    profile.refresh_from_db()
    assert (profile.status, profile.honourability_checked_on) == (
        MentorProfile.Status.APPROVED,
        timezone.localdate(),
    )
    match = Match.objects.get(request=request)
    assert (match.mentor, match.status, match.origin) == (mentor, "active", "coordinator")


def test_suspending_a_mentor_asks_first_and_the_list_says_yes_or_no_in_words(
    visit, coordinator_93, mentor
):
    profile = services.mentor_apply(user=mentor, data=mentor_application())
    services.mentor_decide(
        profile=profile,
        status=MentorProfile.Status.APPROVED,
        by=coordinator_93,
        honourability_checked_on=timezone.localdate(),
    )
    token = signed_in_token(coordinator_93)

    def steps(page, log):
        _signed_in(page, token)
        page.goto(page.url + "mentoring/mentorprofile/")
        # Django's yes/no icon of the "matchable" column, read out in French.
        matchable = page.locator("td.field-is_matchable img").first.get_attribute("alt")
        page.get_by_role("link", name=re.compile(mentor.first_name)).first.click()
        questions = []
        page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
        page.get_by_role("button", name="Suspendre").click()
        page.wait_for_timeout(300)
        kept = page.url
        page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.accept()))
        page.get_by_role("button", name="Suspendre").click()
        page.locator("ul.messagelist li").first.wait_for()
        return {"matchable": matchable, "questions": questions, "kept": kept, "errors": log.errors}

    seen = visit("/admin/login/", steps)
    assert seen["errors"] == []
    assert seen["matchable"] == "Oui"
    assert (
        seen["questions"] == ["Suspendre ce mentor ? Chacun de ses binômes prend fin aussitôt."] * 2
    )
    assert "/change/" in seen["kept"]
    profile.refresh_from_db()
    assert profile.status == MentorProfile.Status.SUSPENDED
