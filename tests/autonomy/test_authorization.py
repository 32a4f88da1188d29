"""Who reaches the timeline: each young person their own only; every other role is
refused and nothing is written (endpoint x role matrix, see tests/authorization.py)."""

from datetime import date

import pytest

from autonomy.models import Interview
from tests.authorization import World, cases, check

pytestmark = pytest.mark.django_db

# The young person of 93 left care in 2026; the young person of 75 never said when, so
# asking for the six-month interview is refused to them (409), and writes nothing.
# fmt: off
MATRIX = {
    #   anon   yp yp75  mtr  m75  ref rfew runl rend  r75 co93 st93 st75 pa93  nat   su
    ("GET", "me/timeline/"):
        (401, 200, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    ("POST", "me/timeline/six-months-interview/"):
        (401, 201, 409, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
}
# fmt: on


@pytest.fixture
def world(young_person):
    young_person.profile.care_ended_on = date(2026, 6, 30)
    young_person.profile.save()
    return World(args={}, objects={})


@pytest.mark.parametrize(("key", "statuses"), cases(MATRIX))
def test_matrix(key, statuses, world, request):
    check(key, statuses, world=world, request=request)


def test_asking_twice_is_one_request(world, client_for, young_person):
    client = client_for(young_person)
    first = client.post("/api/v1/me/timeline/six-months-interview/").json()
    again = client.post("/api/v1/me/timeline/six-months-interview/").json()
    assert first["requested_at"] == again["requested_at"] is not None
    assert Interview.objects.filter(young_person=young_person).count() == 1
