"""How far each translation of an entry is (to translate, machine-translated, reviewed),
for the curators: set in the entry's form, shown in the list, filtered by language."""

import pytest
from django.core.exceptions import ValidationError

from services_catalog.models import Entry

from .conftest import entry_form_data

pytestmark = pytest.mark.django_db

ENTRIES = "/admin/services_catalog/entry/"


def test_staff_set_the_state_of_each_translation_and_find_what_is_left_to_review(client, staff_93):
    client.force_login(staff_93)
    added = client.post(
        f"{ENTRIES}add/",
        entry_form_data(translation_state_ar="reviewed", translation_state_ps="machine"),
    )
    assert added.status_code == 302, added.content
    entry = Entry.objects.get(title="Atelier budget")
    # A language not sent stays as it was: absent, that is to translate.
    assert entry.translation_states == {"ar": "reviewed", "ps": "machine"}
    listed = client.get(ENTRIES).content.decode()
    assert "1 / 5" in listed
    reviewed_in_arabic = client.get(f"{ENTRIES}?to_translate=ar")
    assert reviewed_in_arabic.status_code == 200
    assert "Atelier budget" not in reviewed_in_arabic.content.decode()
    machine_in_pashto = client.get(f"{ENTRIES}?to_translate=ps")
    assert machine_in_pashto.status_code == 200
    assert "Atelier budget" in machine_in_pashto.content.decode()


def test_an_unknown_state_is_refused_and_changes_nothing(client, staff_93):
    client.force_login(staff_93)
    refused = client.post(f"{ENTRIES}add/", entry_form_data(translation_state_ar="perfect"))
    assert refused.status_code == 200  # the form again, with its error
    assert not Entry.objects.filter(title="Atelier budget").exists()

    entry = Entry(translation_states={"de": "reviewed"})
    with pytest.raises(ValidationError):
        entry.clean_fields(
            exclude=[f.name for f in Entry._meta.fields if f.name != "translation_states"]
        )


def test_entries_without_any_state_are_still_to_review(client, staff_93):
    from services_catalog import services

    services.entry_create(
        title="Aide sans état",
        publish=True,
        kind=Entry.Kind.OFFER,
        summary="Résumé.",
        body="Description.",
        scope=Entry.Scope.DEPARTEMENTS,
        departement_id="93",
        zone_departements=["93"],
    )
    client.force_login(staff_93)
    filtered = client.get(f"{ENTRIES}?to_translate=ar")
    assert filtered.status_code == 200
    assert "Aide sans état" in filtered.content.decode()


def test_a_partner_cannot_mark_its_own_proposal_reviewed(client, partner_93):
    client.force_login(partner_93)
    added = client.post(f"{ENTRIES}add/", entry_form_data(translation_state_ar="reviewed"))
    assert added.status_code == 302, added.content
    assert Entry.objects.get(title="Atelier budget").translation_states.get("ar") != "reviewed"
