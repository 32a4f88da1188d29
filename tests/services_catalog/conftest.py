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
