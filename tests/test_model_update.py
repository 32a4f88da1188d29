"""model_update: sets what is given, validates, saves only what changed."""

import pytest
from django.core.exceptions import ValidationError

from backend.services import model_update
from services_catalog.models import Structure

pytestmark = pytest.mark.django_db


def test_only_changed_fields_are_saved_and_reported():
    structure = Structure.objects.create(departement_id="93", name="Mission locale")
    Structure.objects.filter(pk=structure.pk).update(telephone="0102030405")  # meanwhile
    structure, changed = model_update(
        structure, fields=["name", "telephone"], data={"name": "Mission locale de Bobigny"}
    )
    assert changed == ["name"]
    structure.refresh_from_db()
    assert (structure.name, structure.telephone) == ("Mission locale de Bobigny", "0102030405")


def test_nothing_changed_writes_nothing():
    structure = Structure.objects.create(departement_id="93", name="Mission locale")
    before = structure.updated_at
    structure, changed = model_update(structure, fields=["name"], data={"name": "Mission locale"})
    assert changed == []
    structure.refresh_from_db()
    assert structure.updated_at == before


def test_an_invalid_change_saves_nothing():
    structure = Structure.objects.create(departement_id="93", name="Mission locale")
    with pytest.raises(ValidationError):
        model_update(structure, fields=["name"], data={"name": ""})
    structure.refresh_from_db()
    assert structure.name == "Mission locale"


def test_a_new_instance_is_saved_whole():
    structure, changed = model_update(
        Structure(departement_id="93"), fields=["name"], data={"name": "Nouvelle"}
    )
    assert structure.pk and changed == ["name"]
