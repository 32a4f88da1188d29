"""Holes found in review: each test is a way in that must stay shut."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Departement
from accounts.roles import Role
from services_catalog import services
from services_catalog.data_inclusion import import_file
from services_catalog.models import Entry, Structure
from tests.services_catalog.conftest import entry_form_data

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


@pytest.mark.parametrize(
    "url",
    [
        f"{LIST}?page=99999999999999999999",
        f"{LIST}?page=9223372036854775807",
        f"{LIST}99999999999999999999/",
    ],
)
def test_huge_numbers_are_404(api_client, url):
    response = api_client.get(url)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_huge_ids_in_bodies_are_400(client_for, young_person, make_entry):
    entry = make_entry("Pécule", steps=["Un"])
    client = client_for(young_person)
    assert client.post("/api/v1/me/demarches/", {"entry": 10**20}, format="json").status_code == 400
    demarche = client.post("/api/v1/me/demarches/", {"entry": entry.pk}, format="json").json()
    response = client.patch(
        f"/api/v1/me/demarches/{demarche['id']}/", {"completed_steps": [10**20]}, format="json"
    )
    assert response.status_code == 400


def test_partner_cannot_see_other_versions(client, make_user, paris_entry):
    partner = make_user("asso@example.org", Role.PARTNER, departements=["75"])
    client.force_login(partner)
    version = paris_entry.history.last()
    url = f"{ENTRIES}{paris_entry.pk}/history/{version.history_id}/"
    assert client.get(url).status_code == 404  # not their proposal
