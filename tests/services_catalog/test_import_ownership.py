"""data·inclusion imports: a département's records stay its own, and stay as staff left them."""

import json

import pytest

from accounts.models import Departement
from services_catalog.data_inclusion import import_file
from services_catalog.models import Entry, Structure

pytestmark = pytest.mark.django_db

ENTRIES = "/admin/services_catalog/entry/"
LIST = "/api/v1/catalogue/entries/"


def _service_file(identifier: str, **fields) -> str:
    return json.dumps(
        {
            "structures": [
                {"source": "dora", "id": "dora--s", "nom": "Structure", "date_maj": "2025-01-01"}
            ],
            "services": [
                {
                    "source": "dora",
                    "structure_id": "dora--s",
                    "id": identifier,
                    "nom": "Un service",
                    "description": "Une description suffisante.",
                    "date_maj": "2025-01-01",
                    **fields,
                }
            ],
        },
        indent=2,
    )


def test_import_cannot_take_over_another_departements_records():
    import_file(text=_service_file("dora--1"), departement=Departement.objects.get(code="93"))
    report = import_file(
        text=_service_file("dora--1", nom="Repris par 75"),
        departement=Departement.objects.get(code="75"),
    )
    assert report.created == report.updated == 0
    assert len(report.errors) == 2  # the structure and the service
    assert all("another département" in reason for _line, reason in report.errors)
    entry = Entry.objects.get(source_id="dora--1")
    assert (entry.title, entry.departement_id) == ("Un service", "93")
    assert Structure.objects.get(source_id="dora--s").departement_id == "93"


def test_duplicate_records_in_one_file_are_refused():
    text = json.dumps(
        [
            {
                "source": "dora",
                "structure_id": "dora--s",
                "id": "dora--1",
                "nom": "Un service",
                "description": "Une description suffisante.",
                "date_maj": "2025-01-01",
            },
            {
                "source": "dora",
                "structure_id": "dora--s",
                "id": "dora--1",
                "nom": "Le même",
                "description": "Une description suffisante.",
                "date_maj": "2025-01-01",
            },
        ],
        indent=2,
    )
    Structure.objects.create(source="dora", source_id="dora--s", name="S", departement_id="93")
    departement = Departement.objects.get(code="93")
    first = import_file(text=text, departement=departement)
    assert first.created == 1
    assert "twice" in first.errors[0][1]
    second = import_file(text=text, departement=departement)
    assert (second.updated, second.unchanged) == (0, 1)


def test_reimport_keeps_the_steps_staff_added():
    departement = Departement.objects.get(code="93")
    import_file(text=_service_file("dora--1"), departement=departement)
    entry = Entry.objects.get(source_id="dora--1")
    entry.steps.create(position=1, text="Prendre rendez-vous")
    report = import_file(text=_service_file("dora--1"), departement=departement)
    assert report.unchanged == 1
    assert list(entry.steps.values_list("text", flat=True)) == ["Prendre rendez-vous"]
