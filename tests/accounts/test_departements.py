"""GET /api/v1/departements/: the reference list, open to anyone."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import DepartementContact

pytestmark = pytest.mark.django_db


def test_all_101_departements_are_listed(api_client):
    response = api_client.get("/api/v1/departements/", {"page_size": 200})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 101
    codes = [row["code"] for row in body["results"]]
    assert {"01", "2A", "2B", "75", "93", "971", "976"} <= set(codes)
    assert "20" not in codes
    seine_saint_denis = next(row for row in body["results"] if row["code"] == "93")
    assert seine_saint_denis == {
        "code": "93",
        "name": "Seine-Saint-Denis",
        "region_code": "11",
        "region_name": "Île-de-France",
    }


def test_list_is_paginated(api_client):
    body = api_client.get("/api/v1/departements/").json()
    assert len(body["results"]) == 20
    assert body["next"].endswith("page=2")


def test_detail_shows_the_departements_contacts_only(api_client):
    DepartementContact.objects.create(departement_id="93", kind="ase_service", name="ASE 93")
    DepartementContact.objects.create(departement_id="75", kind="ase_service", name="ASE 75")
    response = api_client.get("/api/v1/departements/93/")
    assert response.status_code == 200
    assert [contact["name"] for contact in response.json()["contacts"]] == ["ASE 93"]
    assert api_client.get("/api/v1/departements/2a/").json()["name"] == "Corse-du-Sud"


def test_unknown_departement_is_404_in_the_error_format(api_client):
    response = api_client.get("/api/v1/departements/99/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("path", ["%00/", "9%003/", "abc/", "20/"])
def test_odd_codes_in_the_path_are_404(api_client, path):
    response = api_client.get(f"/api/v1/departements/{path}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_list_query_count_does_not_grow_with_page_size(api_client):
    def queries(page_size: int) -> int:
        with CaptureQueriesContext(connection) as context:
            response = api_client.get("/api/v1/departements/", {"page_size": page_size})
        assert len(response.json()["results"]) == page_size
        return len(context.captured_queries)

    assert queries(5) == queries(101)
