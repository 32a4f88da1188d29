"""/api/v1/me/demarches/: procedures a young person follows, step by step."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from services_catalog import services
from services_catalog.models import Demarche

pytestmark = pytest.mark.django_db

URL = "/api/v1/me/demarches/"
PASSWORD = "correct-horse-battery-42"


@pytest.fixture
def pecule(make_entry):
    return make_entry("Pécule", steps=["Demander le formulaire", "Joindre un RIB", "Envoyer"])


@pytest.fixture
def started(client_for, young_person, pecule):
    client = client_for(young_person)
    response = client.post(URL, {"entry": pecule.pk}, format="json")
    assert response.status_code == 201, response.content
    return client, response.json()


def test_save_tick_and_finish_a_procedure(started, pecule):
    client, demarche = started
    assert demarche["status"] == "in_progress"
    assert [step["done"] for step in demarche["steps"]] == [False, False, False]

    first, second, _third = (step["id"] for step in demarche["steps"])
    response = client.patch(
        f"{URL}{demarche['id']}/", {"completed_steps": [first, second]}, format="json"
    )
    assert response.status_code == 200
    assert [step["done"] for step in response.json()["steps"]] == [True, True, False]

    response = client.patch(f"{URL}{demarche['id']}/", {"status": "done"}, format="json")
    assert response.json()["status"] == "done"
    assert response.json()["closed_at"] is not None
    assert client.get(URL).json()["results"][0]["status"] == "done"


def test_saving_twice_is_refused(started, pecule):
    client, _demarche = started
    response = client.post(URL, {"entry": pecule.pk}, format="json")
    assert response.status_code == 400
    assert "entry" in response.json()["error"]["fields"]
    assert Demarche.objects.count() == 1


def test_drafts_and_unknown_entries_cannot_be_saved(client_for, young_person, make_entry):
    draft = make_entry("Brouillon", publish=False)
    client = client_for(young_person)
    for entry_id in (draft.pk, 999999):
        response = client.post(URL, {"entry": entry_id}, format="json")
        assert response.status_code == 400
        assert response.json()["error"]["fields"]["entry"][0]["code"] == "does_not_exist"
    assert not Demarche.objects.exists()


def test_steps_of_another_entry_are_refused(started, make_entry):
    client, demarche = started
    other = make_entry("Autre", steps=["Autre étape"])
    foreign_step = other.steps.get().pk
    response = client.patch(
        f"{URL}{demarche['id']}/", {"completed_steps": [foreign_step]}, format="json"
    )
    assert response.status_code == 400
    assert not Demarche.objects.get().completed_steps.exists()


@pytest.mark.parametrize(
    "payload",
    [{"status": "finished"}, {"completed_steps": "all"}, {"note": "x"}, {"completed_steps": [0]}],
)
def test_bad_updates_are_refused(started, payload):
    client, demarche = started
    response = client.patch(f"{URL}{demarche['id']}/", payload, format="json")
    assert response.status_code == 400
    assert Demarche.objects.get().status == "in_progress"


@pytest.mark.parametrize("who", ["other_young_person", "mentor", "staff_93"])
def test_nobody_else_reaches_a_procedure(started, client_for, request, who):
    _client, demarche = started
    outsider = client_for(request.getfixturevalue(who))
    detail = f"{URL}{demarche['id']}/"
    assert outsider.get(detail).status_code == 404
    assert outsider.patch(detail, {"status": "abandoned"}, format="json").status_code == 404
    assert outsider.delete(detail).status_code == 404
    assert outsider.get(URL).json()["results"] == []
    assert Demarche.objects.get().status == "in_progress"


def test_anonymous_gets_401(api_client, started):
    _client, demarche = started
    assert api_client.get(URL).status_code == 401
    assert api_client.get(f"{URL}{demarche['id']}/").status_code == 401


def test_forget_a_procedure(started):
    client, demarche = started
    assert client.delete(f"{URL}{demarche['id']}/").status_code == 204
    assert not Demarche.objects.exists()


def test_archived_entry_stays_in_the_procedure(started, pecule):
    client, demarche = started
    services.entry_archive(entry=pecule)
    body = client.get(f"{URL}{demarche['id']}/").json()
    assert body["entry"]["still_published"] is False


def test_export_and_erasure_include_procedures(started, young_person):
    client, _demarche = started
    export = client.get("/api/v1/me/export/").json()
    assert export["demarches"][0]["entry_title"] == "Pécule"
    client.delete("/api/v1/me/", {"password": PASSWORD}, format="json")
    assert not Demarche.objects.exists()


def test_list_query_count_does_not_grow(client_for, young_person, make_entry):
    client = client_for(young_person)
    for number in range(12):
        entry = make_entry(f"Aide {number}", steps=["Un", "Deux"])
        services.demarche_start(user=young_person, entry=entry)

    def queries(page_size):
        with CaptureQueriesContext(connection) as context:
            assert len(client.get(URL, {"page_size": page_size}).json()["results"]) == page_size
        return len(context.captured_queries)

    queries(1)  # the day's first request also records the day's activity
    assert queries(2) == queries(12)
