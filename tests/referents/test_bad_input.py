"""Bad input to every write of the young person's référent API: a 4xx in the one error
format, a message in French, and nothing changed (no link, scope, end date, invitation,
proposal or démarche moves)."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from referents import selectors, services
from referents.models import Link
from services_catalog import services as catalogue

from .links import REFERENTS, account_invitation, catalogue_entry, code_invitation, link, snapshot

pytestmark = pytest.mark.django_db

YESTERDAY = (timezone.localdate() - timedelta(days=1)).isoformat()


@pytest.fixture
def world(young_person, referent, referent_unlinked, client_for):
    """The young person linked ``referent``; ``referent_unlinked`` sent an invitation to
    their account and gave them a code; a proposal waits for an answer."""
    [link] = selectors.links_for_user(user=young_person)
    invitation = account_invitation(referent_unlinked, young_person)
    by_code, code = code_invitation(referent_unlinked)
    proposal = services.demarche_propose(link=link, entry_id=catalogue_entry().pk)
    return {
        "client": client_for(young_person),
        "link": link,
        "invitation": invitation,
        "by_code": by_code,
        "code": code,
        "proposal": proposal,
    }


def assert_refused(response, status, code, field=None):
    """The one error format, a French message, and the field at fault named."""
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["status"] == status
    assert error["code"] == code
    assert error["message"]
    if field is None:
        assert error["fields"] == {}
    else:
        assert field in error["fields"], error
        assert all(problem["message"] for problem in error["fields"][field])
    return error


# --- PATCH me/referents/{id}/ -------------------------------------------------------------

LINK_BODIES = {
    "unknown field": ({"scopes": ["profile"], "referent": 1}, "referent"),
    "read-only field": ({"status": "active"}, "status"),
    "scopes not a list": ({"scopes": "profile"}, "scopes"),
    "scope not a string": ({"scopes": [1]}, "scopes.0"),
    "unknown scope": ({"scopes": ["profile", "vault"]}, "scopes.1"),
    "end date not a date": ({"ends_on": "demain"}, "ends_on"),
    "end date in the past": ({"ends_on": YESTERDAY}, "ends_on"),
    "nothing to change": ({}, "non_field_errors"),
    "not an object": (["profile"], "non_field_errors"),
}


@pytest.mark.parametrize(("body", "field"), LINK_BODIES.values(), ids=LINK_BODIES.keys())
def test_a_bad_change_of_a_link_changes_nothing(world, body, field):
    before = snapshot()
    response = world["client"].patch(f"{REFERENTS}{world['link'].pk}/", body, format="json")
    assert_refused(response, 400, "invalid", field)
    assert snapshot() == before


def test_an_unknown_scope_is_explained_in_french(world):
    response = world["client"].patch(
        f"{REFERENTS}{world['link'].pk}/", {"scopes": ["vault"]}, format="json"
    )
    [problem] = assert_refused(response, 400, "invalid", "scopes.0")["fields"]["scopes.0"]
    assert problem["code"] == "invalid_choice"
    assert "n'est pas un choix valide" in problem["message"]


def test_a_past_end_date_is_explained_in_french(world):
    response = world["client"].patch(
        f"{REFERENTS}{world['link'].pk}/", {"ends_on": YESTERDAY}, format="json"
    )
    [problem] = assert_refused(response, 400, "invalid", "ends_on")["fields"]["ends_on"]
    assert problem["message"] == "La date de fin doit être aujourd'hui ou plus tard."


# --- POST me/referents/code/ --------------------------------------------------------------

CODE_BODIES = {
    "no code": ({}, "code"),
    "unknown field": ({"code": "ABCD-EFGH", "scopes": []}, "scopes"),
    "code not a string": ({"code": ["ABCD"]}, "code"),
    "code too long": ({"code": "A" * 21}, "code"),
    "empty code": ({"code": ""}, "code"),
}


@pytest.mark.parametrize(("body", "field"), CODE_BODIES.values(), ids=CODE_BODIES.keys())
def test_a_malformed_code_is_refused(world, body, field):
    before = snapshot()
    response = world["client"].post(REFERENTS + "code/", body, format="json")
    assert_refused(response, 400, "invalid", field)
    assert snapshot() == before


def test_a_wrong_code_is_refused_in_french(world):
    before = snapshot()
    response = world["client"].post(REFERENTS + "code/", {"code": "ZZZZ-ZZZZ"}, format="json")
    error = assert_refused(response, 400, "invitation_invalid")
    assert error["message"].startswith("Ce code d'invitation n'est pas valide")
    assert snapshot() == before


def test_the_right_code_is_found_whatever_its_spacing_and_case(world):
    typed = " " + world["code"].lower().replace("-", " ") + " "
    response = world["client"].post(REFERENTS + "code/", {"code": typed}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["id"] == world["by_code"].pk


def test_too_many_wrong_codes_are_refused_even_the_right_one_then(world):
    client = world["client"]
    before = snapshot()
    for attempt in range(services.CODE_ATTEMPTS_PER_HOUR):
        wrong = client.post(REFERENTS + "code/", {"code": f"ZZZZ-ZZ{attempt:02d}"}, format="json")
        assert_refused(wrong, 400, "invitation_invalid")

    right = client.post(REFERENTS + "code/", {"code": world["code"]}, format="json")
    error = assert_refused(right, 429, "too_many_code_attempts")
    assert error["message"] == "Trop de codes erronés. Réessayez dans une heure."
    # Accepting with the code is refused as well: guessing cannot go on there either.
    accept = client.post(
        f"{REFERENTS}invitations/{world['by_code'].pk}/accept/",
        {"code": world["code"], "scopes": ["profile"]},
        format="json",
    )
    assert_refused(accept, 429, "too_many_code_attempts")
    assert snapshot() == before


def test_wrong_codes_at_acceptance_count_too(world):
    client = world["client"]
    url = f"{REFERENTS}invitations/{world['by_code'].pk}/accept/"
    for attempt in range(services.CODE_ATTEMPTS_PER_HOUR):
        wrong = client.post(url, {"code": f"ZZZZ-ZZ{attempt:02d}", "scopes": []}, format="json")
        assert_refused(wrong, 400, "invitation_invalid")
    looked_up = client.post(REFERENTS + "code/", {"code": world["code"]}, format="json")
    assert_refused(looked_up, 429, "too_many_code_attempts")
    assert not Link.objects.filter(invitation=world["by_code"]).exists()


# --- POST me/referents/invitations/{id}/accept/ ------------------------------------------

ACCEPT_BODIES = {
    "no scopes": ({}, "scopes"),
    "unknown field": ({"scopes": [], "label": "Moi"}, "label"),
    "scopes not a list": ({"scopes": "profile"}, "scopes"),
    "unknown scope": ({"scopes": ["everything"]}, "scopes.0"),
    "too many scopes": ({"scopes": ["profile"] * 5}, "scopes"),
    "end date not a date": ({"scopes": [], "ends_on": "2027-02-30"}, "ends_on"),
    "end date in the past": ({"scopes": [], "ends_on": YESTERDAY}, "ends_on"),
    "code not a string": ({"scopes": [], "code": ["K7Q4-M2XP"]}, "code"),
}


@pytest.mark.parametrize(("body", "field"), ACCEPT_BODIES.values(), ids=ACCEPT_BODIES.keys())
def test_a_bad_acceptance_links_no_one(world, body, field):
    before = snapshot()
    url = f"{REFERENTS}invitations/{world['invitation'].pk}/accept/"
    assert_refused(world["client"].post(url, body, format="json"), 400, "invalid", field)
    assert snapshot() == before


def test_a_code_invitation_is_not_accepted_without_its_code(world):
    before = snapshot()
    url = f"{REFERENTS}invitations/{world['by_code'].pk}/accept/"
    response = world["client"].post(url, {"scopes": ["profile"]}, format="json")
    assert_refused(response, 404, "not_found")
    wrong = world["client"].post(url, {"scopes": [], "code": "ZZZZ-ZZZZ"}, format="json")
    assert_refused(wrong, 400, "invitation_invalid")
    assert snapshot() == before


def test_a_code_opens_only_its_own_invitation(world):
    """The right code with another invitation's id in the address links nothing."""
    before = snapshot()
    url = f"{REFERENTS}invitations/{world['invitation'].pk}/accept/"
    response = world["client"].post(url, {"scopes": [], "code": world["code"]}, format="json")
    assert_refused(response, 400, "invitation_invalid")
    assert snapshot() == before


def test_an_invitation_accepted_once_is_not_accepted_twice(world):
    url = f"{REFERENTS}invitations/{world['by_code'].pk}/accept/"
    body = {"scopes": ["profile"], "code": world["code"]}
    assert world["client"].post(url, body, format="json").status_code == 201
    before = snapshot()
    assert_refused(world["client"].post(url, body, format="json"), 400, "invitation_invalid")
    assert snapshot() == before


def test_a_second_invitation_of_a_linked_referent_is_refused(world, referent, young_person):
    again, code = code_invitation(referent)
    before = snapshot()
    response = world["client"].post(
        f"{REFERENTS}invitations/{again.pk}/accept/",
        {"scopes": ["profile"], "code": code},
        format="json",
    )
    error = assert_refused(response, 409, "already_linked")
    assert error["message"] == "Vous êtes déjà en lien avec ce professionnel."
    assert snapshot() == before


# --- Answers given twice, links ended ----------------------------------------------------


def test_a_proposal_answered_once_cannot_be_answered_again(world):
    client = world["client"]
    url = f"{REFERENTS}proposals/{world['proposal'].pk}/"
    assert client.post(url + "accept/").status_code == 200
    before = snapshot()
    for action in ("accept/", "decline/"):
        error = assert_refused(client.post(url + action), 409, "already_answered")
        assert error["message"] == "Cette proposition a déjà reçu une réponse."
    assert snapshot() == before


def test_an_ended_link_is_no_longer_there_to_change(world):
    client = world["client"]
    url = f"{REFERENTS}{world['link'].pk}/"
    assert client.delete(url).status_code == 204
    before = snapshot()
    assert_refused(client.patch(url, {"scopes": ["profile"]}, format="json"), 404, "not_found")
    assert_refused(client.post(url + "confirm/"), 404, "not_found")
    assert_refused(client.delete(url), 404, "not_found")
    assert snapshot() == before


def test_a_declined_invitation_cannot_be_declined_or_accepted_again(world):
    client = world["client"]
    url = f"{REFERENTS}invitations/{world['invitation'].pk}/"
    assert client.post(url + "decline/").status_code == 204
    before = snapshot()
    assert_refused(client.post(url + "decline/"), 404, "not_found")
    assert_refused(client.post(url + "accept/", {"scopes": []}, format="json"), 404, "not_found")
    assert snapshot() == before


@pytest.mark.parametrize("route", ["{link}/", "invitations/{invitation}/accept/"])
def test_a_body_that_is_not_json_is_refused(world, route):
    before = snapshot()
    url = REFERENTS + route.format(link=world["link"].pk, invitation=world["invitation"].pk)
    method = world["client"].patch if route == "{link}/" else world["client"].post
    response = method(url, "scopes=profile", content_type="application/json")
    assert_refused(response, 400, "parse_error")
    assert snapshot() == before


def test_a_proposal_of_a_procedure_already_followed_is_refused(world, young_person):
    catalogue.demarche_start(user=young_person, entry=world["proposal"].entry)
    before = snapshot()
    response = world["client"].post(f"{REFERENTS}proposals/{world['proposal'].pk}/accept/")
    [problem] = assert_refused(response, 400, "invalid", "entry")["fields"]["entry"]
    assert problem["message"] == "Vous suivez déjà cette démarche."
    assert snapshot() == before


def test_a_link_cannot_be_confirmed_before_the_18th_birthday(
    client_for, young_person, referent_unlinked
):
    """A confirmation at 17 would be a minor's: at 18 the adult must still decide."""
    young_person.profile.birth_date = timezone.localdate() - timedelta(days=365 * 18 - 30)
    young_person.profile.save()
    the_link = link(referent_unlinked, young_person, ["profile"])
    assert the_link.made_while_minor
    before = snapshot()

    response = client_for(young_person).post(f"{REFERENTS}{the_link.pk}/confirm/")

    error = assert_refused(response, 409, "not_yet_adult")
    assert error["message"] == "Vous pourrez confirmer ce lien à partir de vos 18 ans."
    assert snapshot() == before
    with time_machine.travel(timezone.now() + timedelta(days=40)):
        assert selectors.link_status(Link.objects.get(pk=the_link.pk)) == "awaiting_confirmation"


@pytest.mark.parametrize("kind", ["by_code", "invitation"])
def test_an_expired_or_withdrawn_invitation_links_no_one(
    world, settings, kind, client_for, young_person
):
    invitation = world[kind]
    body = {"scopes": ["profile"]} | ({"code": world["code"]} if kind == "by_code" else {})
    url = f"{REFERENTS}invitations/{invitation.pk}/accept/"
    # By code, the code is no longer valid; to the account, it is no longer there.
    status, code = (400, "invitation_invalid") if kind == "by_code" else (404, "not_found")
    before = snapshot()

    later = timezone.now() + timedelta(days=settings.REFERENT_LINK_CODE_DAYS, minutes=1)
    with time_machine.travel(later):
        client = client_for(young_person)  # a week on, a new session
        assert_refused(client.post(url, body, format="json"), status, code)
    services.invitation_withdraw(invitation=invitation)
    after_withdrawal = snapshot()
    assert_refused(world["client"].post(url, body, format="json"), status, code)

    assert after_withdrawal["links"] == before["links"]
    assert snapshot() == after_withdrawal
