"""Past versions of an entry in the admin: scoped like the entry, and read only."""

import pytest

from services_catalog.models import Entry

pytestmark = pytest.mark.django_db

ENTRIES = "/admin/services_catalog/entry/"
LIST = "/api/v1/catalogue/entries/"


@pytest.fixture
def paris_entry(make_entry):
    entry = make_entry(
        "Mission locale de Paris",
        kind=Entry.Kind.OFFER,
        scope=Entry.Scope.DEPARTEMENTS,
        departement_id="75",
        zone_departements=["75"],
        internal_note="secret",
    )
    entry.title = "Mission locale de Paris (v2)"
    entry.save()
    return entry


def test_past_versions_are_scoped_and_read_only(client, staff_93, staff_75, paris_entry):
    version = paris_entry.history.last()
    url = f"{ENTRIES}{paris_entry.pk}/history/{version.history_id}/"
    client.force_login(staff_93)
    assert client.get(url).status_code == 404
    assert client.post(url, {"title": "Piraté", "departement": "93"}).status_code == 404
    paris_entry.refresh_from_db()
    assert (paris_entry.title, paris_entry.departement_id) == ("Mission locale de Paris (v2)", "75")

    client.force_login(staff_75)
    assert client.get(url).status_code == 200
    assert client.post(url, {"title": "Revert"}).status_code == 403


def test_partner_cannot_see_other_versions(client, partner_75, paris_entry):
    client.force_login(partner_75)
    version = paris_entry.history.last()
    url = f"{ENTRIES}{paris_entry.pk}/history/{version.history_id}/"
    assert client.get(url).status_code == 404  # not their proposal


def test_a_version_id_that_is_not_one_is_not_found(client, superuser, paris_entry):
    client.force_login(superuser)
    assert client.get(f"{ENTRIES}{paris_entry.pk}/history/abc/").status_code == 404
    assert client.get(f"{ENTRIES}abc/history/").status_code == 404
