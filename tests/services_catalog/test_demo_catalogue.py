"""The demo catalogue that ``make run`` loads must be believable and valid."""

from datetime import date

import pytest

from services_catalog import services
from services_catalog.demo import DEMO_SOURCE, load_demo_catalogue
from services_catalog.models import Entry

pytestmark = pytest.mark.django_db


def test_demo_catalogue_loads_once_and_is_idempotent(api_client):
    first = load_demo_catalogue()
    assert first["entries created"] >= 35
    second = load_demo_catalogue()
    assert set(second) == {"entries unchanged", "structures unchanged"}

    demo = Entry.objects.filter(source=DEMO_SOURCE)
    assert demo.exclude(status=Entry.Status.PUBLISHED).count() == 0
    national_rights = demo.filter(departement__isnull=True, kind=Entry.Kind.RIGHT)
    assert national_rights.count() >= 15
    assert all(entry.source_url.startswith("https://") for entry in national_rights)
    for code in ("93", "75"):
        assert demo.filter(departement_id=code, kind=Entry.Kind.OFFER).count() >= 10


def test_a_care_leaver_in_93_sees_their_rights(client_for, young_person):
    load_demo_catalogue()
    profile = young_person.profile
    profile.birth_date = date(2007, 3, 14)
    profile.care_leaver = True
    profile.jeune_majeur_contract = True
    profile.save()
    body = client_for(young_person).get("/api/v1/me/rights/", {"page_size": 100}).json()
    titles = [row["entry"]["title"] for row in body["results"]]
    assert any("pécule" in title.lower() for title in titles)
    assert any("jeune majeur" in title.lower() for title in titles)
    assert body["results"][0]["deadline"] is not None  # the nearest deadline comes first


def test_searching_the_demo_catalogue(api_client):
    load_demo_catalogue()
    results = api_client.get("/api/v1/catalogue/entries/", {"q": "logement", "departement": "93"})
    assert results.status_code == 200
    assert results.json()["count"] >= 3


def test_demo_reload_keeps_what_staff_archived():
    load_demo_catalogue()
    entry = Entry.objects.filter(source=DEMO_SOURCE).first()
    services.entry_archive(entry=entry)
    load_demo_catalogue()
    entry.refresh_from_db()
    assert entry.status == Entry.Status.ARCHIVED
