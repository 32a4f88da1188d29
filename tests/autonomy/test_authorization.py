"""Who reaches the path to autonomy: each young person their own timeline, projet,
assessments and check-ins only; the goals shared in a match, its two members only; every
other role is refused and nothing is written (endpoint x role matrix, see
tests/authorization.py)."""

from datetime import date

import pytest

from autonomy import services
from autonomy.models import Domain, Interview
from tests.authorization import World, cases, check
from tests.mentoring.factories import mentoring_match

pytestmark = pytest.mark.django_db

# The young person of 93 left care in 2026; the young person of 75 never said when, so
# asking for the six-month interview is refused to them (409), and writes nothing.
# fmt: off
YOUNG_PEOPLE_200 = (401, 200, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403)
OWNER_ONLY_200 = (401, 200, 404, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403)
MATCH_MEMBERS_200 = (
    401, 200, 404, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404
)
MATRIX = {
    #   anon   yp yp75  mtr  m75  ref rfew runl rend  r75 co93 st93 st75 pa93  nat   su
    ("GET", "me/timeline/"):
        (401, 200, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    ("POST", "me/timeline/six-months-interview/"):
        (401, 201, 409, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    # "me/" routes: each young person their own (the young person of 75 too).
    ("GET", "me/projet/"): YOUNG_PEOPLE_200,
    ("PATCH", "me/projet/"): YOUNG_PEOPLE_200,
    ("GET", "me/projet/history/"): YOUNG_PEOPLE_200,
    ("GET", "me/projet/print/"): YOUNG_PEOPLE_200,
    ("PUT", "me/projet/domains/{domain}/"): YOUNG_PEOPLE_200,
    ("POST", "me/projet/goals/"):
        (401, 201, 201, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    # The goal and the action are the young person of 93's: a 404 to the one of 75.
    ("PATCH", "me/projet/goals/{goal_id}/"): OWNER_ONLY_200,
    ("DELETE", "me/projet/goals/{goal_id}/"):
        (401, 204, 404, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    ("POST", "me/projet/goals/{goal_id}/actions/"):
        (401, 201, 404, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    ("PATCH", "me/projet/actions/{action_id}/"): OWNER_ONLY_200,
    ("DELETE", "me/projet/actions/{action_id}/"):
        (401, 204, 404, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    ("GET", "me/assessments/"): YOUNG_PEOPLE_200,
    ("POST", "me/assessments/"):
        (401, 201, 201, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    ("GET", "me/assessments/suggestions/"): YOUNG_PEOPLE_200,
    ("GET", "me/check-ins/"): YOUNG_PEOPLE_200,
    ("POST", "me/check-ins/"):
        (401, 201, 201, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    # The match's two members only; a référent, even linked with every scope, sees the
    # projet in the professional space, not through the match.
    ("GET", "mentoring/matches/{match_id}/goals/"): MATCH_MEMBERS_200,
    ("POST", "mentoring/matches/{match_id}/goals/{goal_id}/progress/"): MATCH_MEMBERS_200,
    ("GET", "mentoring/matches/{match_id}/help/"): MATCH_MEMBERS_200,
}
# fmt: on

BODIES = {
    ("PATCH", "me/projet/"): lambda objects: {
        "review_on": "2027-03-01",
        "trusted_person": {"name": "Awa Diallo", "relation": "ma tante"},
    },
    ("PUT", "me/projet/domains/{domain}/"): lambda objects: {"wishes": "Un studio à Bobigny"},
    ("POST", "me/projet/goals/"): lambda objects: {"domain": "housing", "title": "Un studio"},
    ("PATCH", "me/projet/goals/{goal_id}/"): lambda objects: {"status": "in_progress"},
    ("POST", "me/projet/goals/{goal_id}/actions/"): lambda objects: {"title": "Dossier CAF"},
    ("PATCH", "me/projet/actions/{action_id}/"): lambda objects: {"status": "done"},
    ("POST", "me/assessments/"): lambda objects: {"answers": [{"item": "housing-apl", "level": 2}]},
    ("POST", "me/check-ins/"): lambda objects: {"housing": "stable"},
    ("POST", "mentoring/matches/{match_id}/goals/{goal_id}/progress/"): lambda objects: {
        "status": "reached"
    },
}


@pytest.fixture
def world(young_person, mentor, coordinator_93):
    young_person.profile.care_ended_on = date(2026, 6, 30)
    young_person.profile.save()
    _request, match = mentoring_match(
        young_person=young_person, mentor=mentor, coordinator=coordinator_93, state="active"
    )
    me = services.author_young_person(young_person)
    goal = services.goal_add(
        young_person=young_person,
        author=me,
        data={"domain": Domain.HOUSING, "title": "Un studio", "shared_with_mentor": True},
    )
    action = services.action_add(goal=goal, author=me, data={"title": "Dossier Action Logement"})
    return World(
        args={
            "domain": "housing",
            "goal_id": goal.pk,
            "action_id": action.pk,
            "match_id": match.pk,
        },
        objects={},
    )


@pytest.mark.parametrize(("key", "statuses"), cases(MATRIX))
def test_matrix(key, statuses, world, request):
    check(key, statuses, world=world, request=request, bodies=BODIES)


def test_asking_twice_is_one_request(world, client_for, young_person):
    client = client_for(young_person)
    first = client.post("/api/v1/me/timeline/six-months-interview/").json()
    again = client.post("/api/v1/me/timeline/six-months-interview/").json()
    assert first["requested_at"] == again["requested_at"] is not None
    assert Interview.objects.filter(young_person=young_person).count() == 1
