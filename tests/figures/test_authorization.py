"""Who reads the figures: a département's staff (its curators) theirs, national editors
and superusers all (endpoint x role matrix, see tests/authorization.py)."""

import pytest

from tests.authorization import World, cases, check

pytestmark = pytest.mark.django_db

# fmt: off
MATRIX = {
    #   anon   yp yp75  mtr  m75  ref rfew runl rend  r75 co93 st93 st75 pa93  nat   su
    ("GET", "departements/{code}/stats/"):
        (401, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 200, 403, 403, 200, 200),
    ("GET", "stats/"):
        (401, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 200, 200),
}
# fmt: on


@pytest.fixture
def world(young_person, other_young_person):
    return World(args={"code": "93"})


@pytest.mark.parametrize(("key", "statuses"), cases(MATRIX))
def test_matrix(key, statuses, world, request):
    check(key, statuses, world=world, request=request)
