"""An entry's invariants hold wherever it is written: the admin form, the service, imports."""

import pytest
from django.core.exceptions import ValidationError

from services_catalog import services
from services_catalog.models import Entry
from tests.services_catalog.conftest import entry_form_data

pytestmark = pytest.mark.django_db

ENTRIES = "/admin/services_catalog/entry/"

# Each invariant: the admin form's fields, the service's arguments, the field refused.
INVARIANTS = {
    "departements_need_a_zone": (
        {"scope": "departements", "zone_departements": []},
        {"scope": Entry.Scope.DEPARTEMENTS, "zone_departements": []},
        "zone_departements",
    ),
    "communes_need_a_list": (
        {"scope": "communes", "zone_departements": [], "zone_communes": ""},
        {"scope": Entry.Scope.COMMUNES, "zone_communes": ""},
        "zone_communes",
    ),
    "a_radius_needs_a_place": (
        {"scope": "radius", "zone_departements": [], "radius_km": "5"},
        {"scope": Entry.Scope.RADIUS, "radius_km": 5.0},
        "radius_km",
    ),
    "a_deadline_needs_an_age": (
        {"deadline_kind": "before_age"},
        {"deadline_kind": Entry.DeadlineKind.BEFORE_AGE, "zone_departements": ["93"]},
        "deadline_age",
    ),
}


def _service_fields(**overrides) -> dict:
    return {
        "kind": Entry.Kind.OFFER,
        "departement_id": "93",
        "title": "Atelier budget",
        "summary": "Apprendre à gérer son budget.",
        "body": "Un atelier gratuit chaque mois.",
        **overrides,
    }


@pytest.mark.parametrize("invariant", INVARIANTS)
def test_the_admin_form_refuses(client, staff_93, invariant):
    form_fields, _, field = INVARIANTS[invariant]
    client.force_login(staff_93)
    response = client.post(f"{ENTRIES}add/", entry_form_data(**form_fields))
    assert field in response.context["adminform"].form.errors
    assert not Entry.objects.exists()


@pytest.mark.parametrize("publish", [False, True])
@pytest.mark.parametrize("invariant", INVARIANTS)
def test_the_service_refuses_what_the_form_refuses(invariant, publish):
    _, service_fields, field = INVARIANTS[invariant]
    with pytest.raises(ValidationError) as refused:
        services.entry_create(publish=publish, **_service_fields(**service_fields))
    assert field in refused.value.message_dict
    assert not Entry.objects.exists()


@pytest.mark.parametrize("invariant", INVARIANTS)
def test_an_import_refuses_to_break_an_entry(invariant):
    entry, created = services.entry_upsert(
        source="dora", source_id="dora--1", zone_departements=["93"], **_service_fields()
    )
    assert created == "created"
    _, service_fields, field = INVARIANTS[invariant]
    with pytest.raises(ValidationError) as refused:
        services.entry_upsert(
            source="dora",
            source_id="dora--1",
            **{"zone_departements": [], **_service_fields(**service_fields)},
        )
    assert field in refused.value.message_dict
    entry.refresh_from_db()
    assert (entry.scope, entry.deadline_kind) == (Entry.Scope.DEPARTEMENTS, "")
    assert list(entry.zone_departements.values_list("code", flat=True)) == ["93"]


def test_a_valid_entry_is_created_and_published():
    entry = services.entry_create(
        publish=True, zone_departements=["93"], **_service_fields(deadline_kind="")
    )
    assert entry.status == Entry.Status.PUBLISHED
