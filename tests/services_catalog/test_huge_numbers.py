"""Numbers too large for the database are plain 404s (URLs) or 400s (bodies)."""

import pytest

pytestmark = pytest.mark.django_db

ENTRIES = "/admin/services_catalog/entry/"
LIST = "/api/v1/catalogue/entries/"


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
