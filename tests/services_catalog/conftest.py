import pytest

from services_catalog import services
from services_catalog.models import Entry


@pytest.fixture
def make_entry(db):
    """Create a published entry with sensible defaults: ``make_entry(title=..., ...)``."""

    def _make(title="Aide au logement", *, publish=True, **fields):
        defaults = {
            "kind": Entry.Kind.RIGHT,
            "summary": f"{title}: résumé.",
            "body": f"{title}: description détaillée pour les jeunes.",
            "scope": Entry.Scope.NATIONAL,
        }
        return services.entry_create(title=title, publish=publish, **{**defaults, **fields})

    return _make


def entry_form_data(**overrides) -> dict:
    """POST data of the admin's entry form: an offer of 93, no step, then ``overrides``."""
    data = {
        "kind": "offer",
        "departement": "93",
        "title": "Atelier budget",
        "summary": "Apprendre à gérer son budget.",
        "body": "Un atelier gratuit chaque mois.",
        # Checkboxes: none ticked is none sent.
        "publics": [],
        "modes_accueil": [],
        "modes_mobilisation": [],
        "mobilisable_par": [],
        "situations": [],
        "documents": [],
        "scope": "departements",
        "zone_departements": ["93"],
        "steps-TOTAL_FORMS": "0",
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "1000",
        "closures-TOTAL_FORMS": "0",
        "closures-INITIAL_FORMS": "0",
        "closures-MIN_NUM_FORMS": "0",
        "closures-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data
