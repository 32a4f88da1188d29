"""The app's offline copy of the catalogue learns of every change (ETags, updated_since)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from services_catalog import services
from services_catalog.models import Entry, Structure

pytestmark = pytest.mark.django_db

ENTRIES = "/admin/services_catalog/entry/"
LIST = "/api/v1/catalogue/entries/"


def test_renaming_a_structure_changes_the_lists_etag(api_client, make_entry):
    structure = Structure.objects.create(departement_id="93", name="Ancien nom")
    make_entry("Offre", kind=Entry.Kind.OFFER, structure=structure)
    first = api_client.get(LIST)
    structure.name = "Nouveau nom"
    structure.save()
    services.structure_touch_entries(structure=structure)
    again = api_client.get(LIST, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200
    assert again.json()["results"][0]["structure"]["name"] == "Nouveau nom"


def test_entries_becoming_valid_today_reach_offline_copies(api_client, make_entry):
    entry = make_entry("Nouvelle aide", valid_from=timezone.localdate())
    long_ago = timezone.now() - timedelta(days=10)
    Entry.objects.filter(pk=entry.pk).update(updated_at=long_ago)
    since = (timezone.now() - timedelta(hours=1)).isoformat()
    assert api_client.get(LIST, {"updated_since": since}).json()["results"] == []
    assert services.entries_touch_newly_valid() == 1
    assert [
        row["id"] for row in api_client.get(LIST, {"updated_since": since}).json()["results"]
    ] == [entry.pk]
