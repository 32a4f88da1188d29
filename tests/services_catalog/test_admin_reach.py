"""Département staff reach their own départements in the admin, never the country."""

import pytest

from services_catalog import services
from services_catalog.models import Entry
from tests.services_catalog.conftest import entry_form_data

pytestmark = pytest.mark.django_db

ENTRIES = "/admin/services_catalog/entry/"
LIST = "/api/v1/catalogue/entries/"


def test_local_staff_cannot_make_an_entry_national_or_reach_other_communes(client, staff_93):
    client.force_login(staff_93)
    national = client.post(
        f"{ENTRIES}add/", entry_form_data(scope="national", zone_departements=[])
    )
    assert "scope" in national.context["adminform"].form.errors
    communes = client.post(
        f"{ENTRIES}add/",
        entry_form_data(scope="communes", zone_departements=[], zone_communes="93008,13055"),
    )
    assert "13055" in str(communes.context["adminform"].form.errors["zone_communes"])
    assert not Entry.objects.exists()


def test_local_staff_cannot_publish_a_national_entry(make_entry, staff_93):
    entry = make_entry("Pour toute la France", publish=False, departement_id="93")
    with pytest.raises(services.PermissionDenied):
        services.entry_publish(entry=entry, by=staff_93)


def test_saving_keeps_zone_departements_the_user_cannot_see(client, staff_93, make_entry):
    entry = make_entry(
        "Offre 93 et 75",
        kind=Entry.Kind.OFFER,
        scope=Entry.Scope.DEPARTEMENTS,
        departement_id="93",
        zone_departements=["93", "75"],
    )
    client.force_login(staff_93)
    response = client.post(
        f"{ENTRIES}{entry.pk}/change/", entry_form_data(title="Offre 93 et 75 (bis)")
    )
    assert response.status_code == 302
    assert set(entry.zone_departements.values_list("code", flat=True)) == {"93", "75"}
