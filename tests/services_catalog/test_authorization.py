"""Who reaches what in the catalogue: the published catalogue is open to anyone; rights and
procedures are the young person's own (endpoint x role matrix, see tests/authorization.py)."""

import pytest

from services_catalog import services
from services_catalog.models import Entry
from tests.authorization import World, cases, check

pytestmark = pytest.mark.django_db

# fmt: off
MATRIX = {
    #   anon   yp yp75  mtr  m75  ref rfew runl rend  r75 co93 st93 st75 pa93  nat   su
    ("GET", "catalogue/entries/"):
        (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "catalogue/entries/{entry_id}/"):
        (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    # "Signaler une erreur": anyone, signed in or not, on an entry the app shows.
    ("POST", "catalogue/entries/{entry_id}/reports/"):
        (201, 201, 201, 201, 201, 201, 201, 201, 201, 201, 201, 201, 201, 201, 201, 201),
    ("GET", "catalogue/export/data-inclusion/"):
        (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "me/rights/"):
        (401, 200, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    # Anyone signed in has a list of procedures (empty but for young people); only young
    # people start one.
    ("GET", "me/demarches/"):
        (401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("POST", "me/demarches/"):
        (401, 201, 201, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    ("GET", "me/demarches/{demarche_id}/"):
        (401, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    ("PATCH", "me/demarches/{demarche_id}/"):
        (401, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    ("DELETE", "me/demarches/{demarche_id}/"):
        (401, 204, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
}
# fmt: on
BODIES = {
    ("POST", "catalogue/entries/{entry_id}/reports/"): lambda objects: {"kind": "wrong_hours"},
    ("POST", "me/demarches/"): lambda objects: {"entry": objects["other_entry"].pk},
    ("PATCH", "me/demarches/{demarche_id}/"): lambda objects: {"status": "done"},
}


@pytest.fixture
def world(young_person, make_entry):
    """A published offer of 93 that the 93 young person follows as a procedure."""
    entry = make_entry(
        "Atelier budget",
        kind=Entry.Kind.OFFER,
        departement_id="93",
        scope=Entry.Scope.DEPARTEMENTS,
        zone_departements=["93"],
        steps=["Appeler la mission locale"],
    )
    demarche = services.demarche_start(user=young_person, entry=entry)
    return World(
        args={"entry_id": entry.pk, "demarche_id": demarche.pk},
        query={"catalogue/export/data-inclusion/": "departement=93"},
        objects={"other_entry": make_entry("Aide au logement")},
    )


@pytest.mark.parametrize(("key", "statuses"), cases(MATRIX))
def test_matrix(key, statuses, world, request):
    check(key, statuses, world=world, request=request, bodies=BODIES)
