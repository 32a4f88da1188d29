"""Who reaches which page of the professional space ``/pro/``: page x role, on real objects.

The roles are the API matrices' (``tests.authorization.ROLES``). The world: the young person
of 93 linked ``referent`` (every scope) and shared a document with them; ``referent`` has
an invitation waiting. Every other référent (fewer scopes, not linked, link ended, of 75)
meets the same objects and gets 404 on them, as if they did not exist; the other roles get
the French 403 page; anonymous people are sent to sign in (302). A refused request writes
nothing. A ``/pro/`` URL pattern without a case here fails the walker test.
"""

import re
from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from autonomy import services as autonomy
from referents import services
from tests.authorization import ROLES, writes_to_project_tables
from tests.vault import conftest as vault_fixtures
from tests.vault import samples
from vault import services as vault_services

from .links import catalogue_entry
from .pages import browser_client, session_client

make_document = vault_fixtures.make_document  # the vault tests' fixture, shared

pytestmark = pytest.mark.django_db

LINK = "jeunes/{link_id}/"

# fmt: off
READ = (302, 403, 403, 403, 403, 200, 404, 404, 404, 404, 403, 403, 403, 403, 403, 403)
WRITE = (302, 403, 403, 403, 403, 302, 404, 404, 404, 404, 403, 403, 403, 403, 403, 403)
MATRIX = {
    #   anon   yp yp75  mtr  m75  ref rfew runl rend  r75 co93 st93 st75 pa93  nat   su
    ("GET", ""):
        (302, 403, 403, 403, 403, 200, 200, 200, 200, 200, 403, 403, 403, 403, 403, 403),
    # The welcome page is public (the invited référent has no password yet); a bad form
    # is a 400 for anyone, and signs no one in.
    ("GET", "bienvenue/"):
        (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("POST", "bienvenue/"):
        (400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400),
    ("GET", LINK):
        (302, 403, 403, 403, 403, 200, 404, 404, 404, 404, 403, 403, 403, 403, 403, 403),
    ("POST", LINK + "notes/"):
        (302, 403, 403, 403, 403, 302, 404, 404, 404, 404, 403, 403, 403, 403, 403, 403),
    ("GET", LINK + "proposer/"):
        (302, 403, 403, 403, 403, 200, 404, 404, 404, 404, 403, 403, 403, 403, 403, 403),
    ("POST", LINK + "proposer/"):
        (302, 403, 403, 403, 403, 302, 404, 404, 404, 404, 403, 403, 403, 403, 403, 403),
    ("GET", LINK + "fin/"):
        (302, 403, 403, 403, 403, 200, 404, 404, 404, 404, 403, 403, 403, 403, 403, 403),
    ("POST", LINK + "fin/"):
        (302, 403, 403, 403, 403, 302, 404, 404, 404, 404, 403, 403, 403, 403, 403, 403),
    ("GET", LINK + "documents/{share_id}/"):
        (302, 403, 403, 403, 403, 200, 404, 404, 404, 404, 403, 403, 403, 403, 403, 403),
    # The path to autonomy's steps (their own link needs the profile scope: see
    # tests/autonomy/test_interviews.py).
    ("GET", LINK + "etapes/"):
        (302, 403, 403, 403, 403, 200, 404, 404, 404, 404, 403, 403, 403, 403, 403, 403),
    ("POST", LINK + "etapes/planifier/"):
        (302, 403, 403, 403, 403, 302, 404, 404, 404, 404, 403, 403, 403, 403, 403, 403),
    ("POST", LINK + "etapes/tenu/"):
        (302, 403, 403, 403, 403, 302, 404, 404, 404, 404, 403, 403, 403, 403, 403, 403),
    # The projet and the assessment (their own link needs the projet scope: see
    # tests/autonomy/test_pro_projet.py).
    ("GET", LINK + "projet/"): READ,
    ("GET", LINK + "projet/imprimer/"): READ,
    ("POST", LINK + "projet/objectifs/"): WRITE,
    ("POST", LINK + "projet/objectifs/{goal_id}/statut/"): WRITE,
    ("POST", LINK + "projet/objectifs/{goal_id}/actions/"): WRITE,
    ("POST", LINK + "projet/actions/{action_id}/statut/"): WRITE,
    ("POST", LINK + "projet/souhaits/{domain}/"): WRITE,
    ("POST", LINK + "projet/revue/"): WRITE,
    ("GET", LINK + "autonomie/"): READ,
    ("POST", LINK + "autonomie/evaluer/"): WRITE,
    ("GET", "inviter/"):
        (302, 403, 403, 403, 403, 200, 200, 200, 200, 200, 403, 403, 403, 403, 403, 403),
    ("POST", "inviter/"):
        (302, 403, 403, 403, 403, 200, 200, 200, 200, 200, 403, 403, 403, 403, 403, 403),
    ("POST", "invitations/{invitation_id}/retirer/"):
        (302, 403, 403, 403, 403, 302, 404, 404, 404, 404, 403, 403, 403, 403, 403, 403),
    ("GET", "liens/"):
        (302, 403, 403, 403, 403, 200, 200, 200, 200, 200, 403, 403, 403, 403, 403, 403),
    ("GET", "profil/"):
        (302, 403, 403, 403, 403, 200, 200, 200, 200, 200, 403, 403, 403, 403, 403, 403),
    ("POST", "profil/"):
        (302, 403, 403, 403, 403, 302, 302, 302, 302, 302, 403, 403, 403, 403, 403, 403),
}
# fmt: on
BODIES = {
    ("POST", "bienvenue/"): lambda world: {"email": "nobody@example.org"},
    ("POST", LINK + "notes/"): lambda world: {"body": "Pense au rendez-vous de jeudi."},
    ("POST", LINK + "proposer/"): lambda world: {"entry": world["entry"].pk},
    ("POST", "inviter/"): lambda world: {"kind": "code", "code-label": "Nour"},
    ("POST", LINK + "etapes/planifier/"): lambda world: {
        "kind": "interview_17",
        "starts_at": (timezone.localtime() + timedelta(days=30)).strftime("%Y-%m-%dT10:00"),
        "place": "Service ASE",
    },
    ("POST", LINK + "etapes/tenu/"): lambda world: {
        "kind": "interview_17",
        "held_on": "2026-01-15",
    },
    ("POST", "profil/"): lambda world: {"contact_way": "email", "contact_email": "pro@ex.org"},
    ("POST", LINK + "projet/objectifs/"): lambda world: {"domain": "housing", "title": "Un FJT"},
    ("POST", LINK + "projet/objectifs/{goal_id}/statut/"): lambda world: {"status": "reached"},
    ("POST", LINK + "projet/objectifs/{goal_id}/actions/"): lambda world: {
        f"action-{world['goal_id']}-title": "Dossier FJT",
        f"action-{world['goal_id']}-actor": "referent",
    },
    ("POST", LINK + "projet/actions/{action_id}/statut/"): lambda world: {"status": "done"},
    ("POST", LINK + "projet/souhaits/{domain}/"): lambda world: {
        "wishes-housing-domain": "housing",
        "wishes-housing-text": "Un studio près du lycée",
    },
    ("POST", LINK + "projet/revue/"): lambda world: {"review_on": "2027-01-15"},
    ("POST", LINK + "autonomie/evaluer/"): lambda world: {"housing-apl": "2"},
}


def pro_routes() -> list[str]:
    """Every URL pattern of ``/pro/`` as ``jeunes/{link_id}/``."""
    (pro,) = [
        entry
        for entry in get_resolver().url_patterns
        if isinstance(entry, URLResolver) and str(entry.pattern) == "pro/"
    ]
    routes = []
    for pattern in pro.url_patterns:
        assert isinstance(pattern, URLPattern)
        route = str(pattern.pattern)
        routes.append(re.sub(r"<\w+:(\w+)>", r"{\1}", route))
    return routes


def test_every_page_of_the_professional_space_has_its_cases():
    covered = {route for _method, route in MATRIX}
    assert set(pro_routes()) - covered == set()
    assert covered - set(pro_routes()) == set()


@pytest.fixture
def world(referent, young_person, make_document):
    from referents import selectors

    link = selectors.young_people_links_for_user(user=referent).get()
    # In care at 17: the interview at 17 is one of their steps (the path to autonomy's pages).
    profile = young_person.profile
    profile.birth_date, profile.in_care = date(2009, 1, 1), True
    profile.save()
    invitation, _code = services.invitation_code_create(referent=referent, label="Nour")
    document = make_document(young_person, samples.png(), name="carte.png", title="Carte")
    share = vault_services.share_with_referent(document=document, referent_id=referent.pk)
    me = autonomy.author_young_person(young_person)
    goal = autonomy.goal_add(
        young_person=young_person, author=me, data={"domain": "housing", "title": "Un studio"}
    )
    action = autonomy.action_add(goal=goal, author=me, data={"title": "Demande de logement"})
    return {
        "link_id": link.pk,
        "goal_id": goal.pk,
        "action_id": action.pk,
        "domain": "housing",
        "invitation_id": invitation.pk,
        "share_id": share.pk,
        "entry": catalogue_entry(),
    }


@pytest.mark.parametrize(
    ("key", "statuses"), [pytest.param(k, v, id=f"{k[0]} /pro/{k[1]}") for k, v in MATRIX.items()]
)
def test_page_matrix(key, statuses, world, request):
    method, route = key
    url = "/pro/" + route.format(**world)
    body = BODIES.get(key, lambda world: {})(world)
    problems = []
    clients = {
        role: session_client(None if role == "anonymous" else request.getfixturevalue(role))
        for role in ROLES
    }
    for role, expected in zip(ROLES, statuses, strict=True):
        with transaction.atomic():
            cache.clear()
            with CaptureQueriesContext(connection) as queries:
                if method == "GET":
                    response = clients[role].get(url)
                else:
                    response = clients[role].post(url, body)
            if response.status_code != expected:
                problems.append(f"{role}: expected {expected}, got {response.status_code}")
            refused = expected >= 400 or (role == "anonymous" and expected == 302)
            if refused and (written := writes_to_project_tables(queries.captured_queries)):
                problems.append(f"{role}: refused with {expected} but wrote to {written}")
            if role == "anonymous" and expected == 302:
                assert response["Location"].startswith("/accounts/login/"), response["Location"]
            if expected == 403:
                assert "référents".encode() in response.content or b"referent" in response.content
            transaction.set_rollback(True)
    assert not problems, f"{method} {url}:\n  " + "\n  ".join(problems)


def test_methods_a_page_does_not_answer_are_refused(referent, world):
    client = browser_client(referent)
    served = {(method, route) for method, route in MATRIX}
    for route in pro_routes():
        url = "/pro/" + route.format(**world)
        for method in ("GET", "POST"):
            if (method, route) not in served:
                response = getattr(client, method.lower())(url)
                assert response.status_code == 405, (method, url, response.status_code)
