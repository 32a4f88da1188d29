"""GDPR: the young person takes all their data with them, or erases it all."""

from datetime import date

import pytest
from allauth.account.models import EmailAddress

from accounts.models import User, YoungPersonProfile
from backend import personal_data
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_export_contains_account_and_profile(client_for, young_person):
    young_person.profile.birth_date = date(2006, 5, 17)
    young_person.profile.care_leaver = True
    young_person.profile.languages = ["fr", "ti"]
    young_person.profile.save()

    response = client_for(young_person).get("/api/v1/me/export/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="jalon-export-')
    assert response["Cache-Control"] == "no-store"
    export = response.json()
    assert export["account"]["email"] == young_person.email
    assert export["account"]["first_name"] == "Aminata"
    assert export["profile"]["birth_date"] == "2006-05-17"
    assert export["profile"]["departement"] == "93"
    assert export["profile"]["situation"]["care_leaver"] is True
    assert export["profile"]["languages"] == ["fr", "ti"]


def test_export_is_only_ever_the_requesters_data(client_for, young_person, other_young_person):
    export = client_for(young_person).get("/api/v1/me/export/").json()
    assert other_young_person.email not in str(export)


def test_export_has_a_section_from_each_apps_personal_data_module(client_for, young_person):
    export = client_for(young_person).get("/api/v1/me/export/").json()
    # Each app's ``personal_data.py``, found by name, in the order of INSTALLED_APPS.
    assert list(export) == [
        "format",
        "exported_at",
        "account",
        "profile",
        "activity_days",
        "demarches",
        "catalogue_error_reports",
        "vault",
        "mentoring",
        "referents",
        "autonomy",
    ]
    assert export["demarches"] == []


def test_the_apps_that_erase_something_first_are_found_by_name():
    import accounts.personal_data
    import autonomy.personal_data
    import mentoring.personal_data
    import referents.personal_data
    import services_catalog.personal_data
    import vault.personal_data

    assert personal_data.erasers() == {
        "activity_days": accounts.personal_data.erase,
        "demarches": services_catalog.personal_data.erase,
        "vault": vault.personal_data.erase,
        "mentoring": mentoring.personal_data.erase,
        "referents": referents.personal_data.erase,
        "autonomy": autonomy.personal_data.erase,
    }


def test_anonymous_cannot_export(api_client):
    assert api_client.get("/api/v1/me/export/").status_code == 401


def test_delete_erases_user_and_profile_and_kills_the_token(client_for, young_person):
    client = client_for(young_person)
    response = client.delete("/api/v1/me/", {"password": PASSWORD}, format="json")
    assert response.status_code == 204
    assert not User.objects.filter(pk=young_person.pk).exists()
    assert not YoungPersonProfile.objects.filter(user_id=young_person.pk).exists()
    assert not EmailAddress.objects.filter(email=young_person.email).exists()
    assert client.get("/api/v1/me/").status_code == 401


def test_delete_runs_registered_erasers_first(client_for, young_person, monkeypatch):
    seen = []
    monkeypatch.setattr(
        personal_data,
        "erasers",
        lambda: {"vault": lambda user: seen.append(User.objects.filter(pk=user.pk).exists())},
    )
    response = client_for(young_person).delete("/api/v1/me/", {"password": PASSWORD}, format="json")
    assert response.status_code == 204
    assert seen == [True]  # ran while the account still existed


@pytest.mark.parametrize(
    ("payload", "code"),
    [({"password": "not-my-password"}, "wrong_password"), ({}, "required")],
)
def test_delete_needs_the_password(client_for, young_person, payload, code):
    response = client_for(young_person).delete("/api/v1/me/", payload, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["password"][0]["code"] == code
    assert User.objects.filter(pk=young_person.pk).exists()


def test_one_person_deleting_leaves_others_untouched(client_for, young_person, other_young_person):
    client_for(young_person).delete("/api/v1/me/", {"password": PASSWORD}, format="json")
    assert YoungPersonProfile.objects.filter(user=other_young_person).exists()
    assert client_for(other_young_person).get("/api/v1/me/").status_code == 200


def test_password_guessing_on_erasure_is_throttled(client_for, young_person):
    client = client_for(young_person)
    statuses = [
        client.delete("/api/v1/me/", {"password": f"guess-{n}"}, format="json").status_code
        for n in range(11)
    ]
    assert statuses[:10] == [400] * 10
    assert statuses[10] == 429
    assert User.objects.filter(pk=young_person.pk).exists()
