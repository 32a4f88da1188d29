"""Who reaches what in accounts: ``/me/`` is everyone's own account, the départements are
reference data open to anyone (endpoint x role matrix, see tests/authorization.py)."""

import pytest

from tests.authorization import World, cases, check
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

# fmt: off
MATRIX = {
    #   anon   yp yp75  mtr  m75  ref rfew runl rend  r75 co93 st93 st75 pa93  nat   su
    # Every signed-in person reads, changes, exports and erases their own account only.
    ("GET", "me/"):
        (401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("PATCH", "me/"):
        (401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("DELETE", "me/"):
        (401, 204, 204, 204, 204, 204, 204, 204, 204, 204, 204, 204, 204, 204, 204, 204),
    ("GET", "me/export/"):
        (401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "departements/"):
        (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "departements/{code}/"):
        (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    # Every app's words (backend.vocabulary): the same for everyone.
    ("GET", "vocabulary/"):
        (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
}
# fmt: on
BODIES = {
    ("PATCH", "me/"): lambda objects: {"first_name": "Camille"},
    ("DELETE", "me/"): lambda objects: {"password": PASSWORD},
}


@pytest.fixture
def world(young_person):
    return World(args={"code": "93"}, objects={"young_person": young_person})


@pytest.mark.parametrize(("key", "statuses"), cases(MATRIX))
def test_matrix(key, statuses, world, request):
    check(key, statuses, world=world, request=request, bodies=BODIES)


def test_each_person_changes_and_erases_only_their_own_account(client_for, young_person, mentor):
    """What the matrix's 200 and 204 on ``/me/`` mean: the caller's own account."""
    client = client_for(mentor)
    assert (
        client.patch("/api/v1/me/", {"first_name": "Camille"}, format="json").json()["id"]
        == mentor.pk
    )
    young_person.refresh_from_db()
    assert young_person.first_name == "Aminata"
    assert client.delete("/api/v1/me/", {"password": PASSWORD}, format="json").status_code == 204
    young_person.refresh_from_db()
    assert young_person.is_active
