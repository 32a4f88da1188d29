"""GET/PATCH /api/v1/me/: the signed-in person's account and profile."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from accounts.models import YoungPersonProfile

pytestmark = pytest.mark.django_db

ME = "/api/v1/me/"


def _profile_state(user) -> dict:
    profile = YoungPersonProfile.objects.get(user=user)
    return {
        "birth_date": profile.birth_date,
        "departement": profile.departement_id,
        "postcode": profile.postcode,
        "languages": profile.languages,
        "in_care": profile.in_care,
        "first_name": profile.user.first_name,
    }


def test_anonymous_gets_401_in_the_error_format(api_client):
    response = api_client.get(ME)
    assert response.status_code == 401
    assert response["WWW-Authenticate"]
    error = response.json()["error"]
    assert error["status"] == 401
    assert error["code"] == "not_authenticated"
    assert error["message"]
    assert error["fields"] == {}


@pytest.mark.parametrize("token", ["", "not-a-real-token", "x" * 300])
def test_bad_token_gets_401(api_client, young_person, token):
    response = api_client.get(ME, HTTP_X_SESSION_TOKEN=token)
    assert response.status_code == 401


def test_young_person_reads_own_account_and_profile(client_for, young_person):
    response = client_for(young_person).get(ME)
    assert response.status_code == 200
    body = response.json()
    assert body["email"] == young_person.email
    assert body["first_name"] == "Aminata"
    assert body["role"] == "young_person"
    assert body["profile"]["departement"] == "93"
    assert body["profile"]["care_leaver"] is False
    assert "password" not in body


def test_mentor_has_no_profile(client_for, mentor):
    body = client_for(mentor).get(ME).json()
    assert body["role"] == "mentor"
    assert body["profile"] is None


def test_patch_updates_profile_and_account(client_for, young_person):
    birth_date = date(timezone.localdate().year - 19, 5, 17)
    response = client_for(young_person).patch(
        ME,
        {
            "first_name": "  Ami ",
            "profile": {
                "birth_date": birth_date.isoformat(),
                "departement": "75",
                "postcode": "75019",
                "care_leaver": True,
                "languages": ["fr", "ar", "fr"],
                "notify_by_sms": True,
            },
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["first_name"] == "Ami"
    assert body["profile"]["age"] in (18, 19)
    assert body["profile"]["languages"] == ["fr", "ar"]

    young_person.refresh_from_db()
    profile = young_person.profile
    assert young_person.first_name == "Ami"
    assert profile.birth_date == birth_date
    assert profile.departement_id == "75"
    assert profile.postcode == "75019"
    assert profile.care_leaver is True
    assert profile.in_care is False  # untouched
    assert profile.notify_by_sms is True


def test_a_patch_that_changes_nothing_writes_nothing(client_for, young_person):
    profile = YoungPersonProfile.objects.get(user=young_person)
    response = client_for(young_person).patch(
        ME,
        {"first_name": young_person.first_name, "profile": {"in_care": profile.in_care}},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert YoungPersonProfile.objects.get(user=young_person).updated_at == profile.updated_at


def test_patch_changes_only_the_signed_in_person(client_for, young_person, other_young_person):
    before = _profile_state(other_young_person)
    client = client_for(young_person)
    response = client.patch(ME, {"profile": {"in_care": True}}, format="json")
    assert response.status_code == 200
    assert _profile_state(other_young_person) == before
    assert client.get(ME).json()["email"] == young_person.email


def test_no_id_in_the_body_reaches_another_profile(client_for, young_person, other_young_person):
    before = _profile_state(other_young_person)
    response = client_for(young_person).patch(
        ME, {"id": other_young_person.pk, "email": other_young_person.email}, format="json"
    )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert fields["id"][0]["code"] == "read_only"
    assert fields["email"][0]["code"] == "read_only"
    assert _profile_state(other_young_person) == before
    young_person.refresh_from_db()
    assert young_person.email == "aminata@example.org"


def _assert_rejected(client, user, payload, field, code=None, **extra):
    before = _profile_state(user)
    response = client.patch(ME, payload, **extra)
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["status"] == 400
    assert error["code"] in ("invalid", "parse_error")
    if field is not None:
        assert field in error["fields"], error
        if code:
            assert error["fields"][field][0]["code"] == code
    assert _profile_state(user) == before
    return error


def test_malformed_json_is_400_and_changes_nothing(client_for, young_person):
    client = client_for(young_person)
    error = _assert_rejected(
        client,
        young_person,
        '{"first_name": "Zed", "profile": {',
        None,
        content_type="application/json",
    )
    assert error["code"] == "parse_error"


def test_unknown_fields_are_refused(client_for, young_person):
    client = client_for(young_person)
    _assert_rejected(
        client,
        young_person,
        {"first_name": "Zed", "nickname": "Z"},
        "nickname",
        "unknown_field",
        format="json",
    )
    _assert_rejected(
        client,
        young_person,
        {"profile": {"in_care": True, "favourite_colour": "blue"}},
        "profile.favourite_colour",
        "unknown_field",
        format="json",
    )


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"profile": {"in_care": "maybe"}}, "profile.in_care"),
        ({"profile": {"birth_date": "17/05/2006"}}, "profile.birth_date"),
        ({"profile": {"languages": "fr"}}, "profile.languages"),
        ({"profile": {"languages": ["klingon"]}}, "profile.languages.0"),
        ({"profile": {"postcode": "7501"}}, "profile.postcode"),
        ({"profile": "yes"}, "profile.non_field_errors"),
        ({"first_name": ["A"]}, "first_name"),
        ({"first_name": "x" * 81}, "first_name"),
    ],
)
def test_wrong_types_are_refused(client_for, young_person, payload, field):
    _assert_rejected(client_for(young_person), young_person, payload, field, format="json")


def test_birth_date_in_the_future_is_refused(client_for, young_person):
    tomorrow = timezone.localdate() + timedelta(days=1)
    _assert_rejected(
        client_for(young_person),
        young_person,
        {"profile": {"birth_date": tomorrow.isoformat(), "in_care": True}},
        "profile.birth_date",
        "future_date",
        format="json",
    )


def test_implausible_birth_date_is_refused(client_for, young_person):
    _assert_rejected(
        client_for(young_person),
        young_person,
        {"profile": {"birth_date": "1950-01-01"}},
        "profile.birth_date",
        "implausible_date",
        format="json",
    )


def test_unknown_departement_code_is_refused(client_for, young_person):
    _assert_rejected(
        client_for(young_person),
        young_person,
        {"profile": {"departement": "99", "in_care": True}},
        "profile.departement",
        "does_not_exist",
        format="json",
    )


def test_mentor_cannot_write_a_profile(client_for, mentor):
    response = client_for(mentor).patch(ME, {"profile": {"in_care": True}}, format="json")
    assert response.status_code == 400
    assert "profile" in response.json()["error"]["fields"]
    assert not YoungPersonProfile.objects.filter(user=mentor).exists()


def test_messages_follow_accept_language(client_for, young_person):
    client = client_for(young_person)
    payload = {"profile": {"birth_date": "2999-01-01"}}
    french = client.patch(ME, payload, format="json", HTTP_ACCEPT_LANGUAGE="fr")
    english = client.patch(ME, payload, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["error"]["message"] == "The submitted data is not valid."
    assert french.json()["error"]["message"] == "Les données envoyées ne sont pas valides."
    assert (
        english.json()["error"]["fields"]["profile.birth_date"][0]["message"]
        == "The birth date cannot be in the future."
    )
    assert (
        french.json()["error"]["fields"]["profile.birth_date"][0]["message"]
        == "La date de naissance ne peut pas être dans le futur."
    )


@pytest.mark.parametrize("code", ["ZZ", 93, "20"])
def test_odd_departement_codes_are_refused_cleanly(client_for, young_person, code):
    _assert_rejected(
        client_for(young_person),
        young_person,
        {"profile": {"departement": code}},
        "profile.departement",
        "does_not_exist",
        format="json",
    )


@pytest.mark.parametrize("code", ["9\x003", "\x00"])
def test_a_departement_code_holding_a_null_character_is_refused_as_unparsable(
    client_for, young_person, code
):
    # The API's JSON parser refuses any string holding a null character, before a field
    # sees it: no column can store it (PostgreSQL's text refuses it).
    error = _assert_rejected(
        client_for(young_person),
        young_person,
        {"profile": {"departement": code}},
        None,
        format="json",
    )
    assert error["code"] == "parse_error"


def test_non_ascii_digits_are_not_a_postcode(client_for, young_person):
    _assert_rejected(
        client_for(young_person),
        young_person,
        {"profile": {"postcode": "٧٥٠١٩"}},
        "profile.postcode",
        format="json",
    )
