"""The young person's consent, as the référent meets it: nothing before acceptance, scope
changes at once, a new decision at 18, an end date, a closed account, one access-log line
per reading; and the référents' part of the export and of an erasure.

The référent's side is read through the selectors the ``/pro/`` pages call
(``young_people_links_for_user``, ``young_person_link_get_for_user``, ``young_person_file``)
and the vault's own question (``linked_referent_ids``); the young person's side through the
API with a real session token.
"""

import zoneinfo
from datetime import date, datetime, time, timedelta

import pytest
import time_machine
from django.http import Http404
from django.utils import timezone

from referents import selectors, services
from referents.models import DemarcheProposal, Link, LinkInvitation, Note, Scope
from services_catalog import services as catalogue
from services_catalog.models import Demarche
from tests.conftest import PASSWORD
from tests.vault import conftest as vault_fixtures
from tests.vault import samples
from vault import selectors as vault_selectors
from vault.models import Document, Share

from .links import (
    REFERENTS,
    account_invitation,
    catalogue_entry,
    code_invitation,
    link,
)

pytestmark = pytest.mark.django_db

make_document = vault_fixtures.make_document  # the vault tests' fixture, shared
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
SHARES = "/api/v1/vault/documents/{}/shares/"
ACCESS_LOG = "/api/v1/vault/access-log/"


def noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=PARIS)


def sees(referent, young_person) -> bool:
    """Whether the référent's "Mes jeunes" lists the young person, and the vault agrees."""
    listed = [
        found.young_person_id for found in selectors.young_people_links_for_user(user=referent)
    ]
    vault_says = referent.pk in selectors.linked_referent_ids(young_person.pk)
    assert (young_person.pk in listed) == vault_says
    return vault_says


def referents_file(referent, link_id):
    """What the référent's page of the young person shows (Http404 when nothing)."""
    return selectors.young_person_file(
        selectors.young_person_link_get_for_user(user=referent, link_id=link_id)
    )


def share_with(client, document, referent):
    return client.post(
        SHARES.format(document.id), {"kind": "referent", "referent": referent.pk}, format="json"
    )


def test_documents_shared_through_an_ended_link_do_not_come_back_with_a_new_one(
    client_for, young_person, referent_unlinked, make_document
):
    client = client_for(young_person)
    document = make_document(young_person, title="Carte Vitale")
    first = link(referent_unlinked, young_person, ["profile"])
    shared = share_with(client, document, referent_unlinked).json()
    assert shared["referent"] == referent_unlinked.pk and shared["is_active"]

    assert client.delete(f"{REFERENTS}{first.pk}/").status_code == 204
    (listed,) = client.get(SHARES.format(document.id)).json()
    assert listed["is_active"] is False  # the young person sees it closed
    second = link(referent_unlinked, young_person, ["profile"])

    # A new consent: nothing of the old link's shares shows or opens.
    assert referents_file(referent_unlinked, second.pk).documents == []
    with pytest.raises(Http404):
        vault_selectors.share_get_for_user(user=referent_unlinked, share_id=shared["id"])


# --- Nothing before acceptance --------------------------------------------------------------


def test_nothing_is_visible_to_the_referent_before_the_young_person_accepts(
    client_for, young_person, referent_unlinked, make_document
):
    young_person.profile.birth_date = date(2000, 5, 4)
    young_person.profile.save()
    document = make_document(young_person, title="Carte Vitale")
    client = client_for(young_person)
    invitation, code = code_invitation(referent_unlinked, scopes=Scope.values)
    account_invitation(referent_unlinked, young_person)

    # The young person looks the code up, sees the invitation sent to their account...
    assert client.post(REFERENTS + "code/", {"code": code}, format="json").status_code == 200
    assert len(client.get(REFERENTS + "invitations/").json()) == 1
    # ... and nothing is linked: the référent sees nobody, and no share can name them.
    assert not sees(referent_unlinked, young_person)
    refused = share_with(client, document, referent_unlinked)
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "not_linked_referent"
    assert not Share.objects.filter(kind=Share.Kind.REFERENT).exists()

    accepted = client.post(
        f"{REFERENTS}invitations/{invitation.pk}/accept/",
        {"code": code, "scopes": ["profile"]},
        format="json",
    )
    assert accepted.status_code == 201, accepted.content
    assert sees(referent_unlinked, young_person)
    assert referents_file(referent_unlinked, accepted.json()["id"]).profile["first_name"] == (
        "Aminata"
    )
    assert share_with(client, document, referent_unlinked).status_code == 201
    [shared] = vault_selectors.referent_shares_from(
        referent=referent_unlinked, young_person_id=young_person.pk
    )
    assert shared.document_id == document.id

    # Ended: nothing again, the share closes with the link, and no new one can be made.
    assert client.delete(f"{REFERENTS}{accepted.json()['id']}/").status_code == 204
    assert not sees(referent_unlinked, young_person)
    assert (
        vault_selectors.referent_shares_from(
            referent=referent_unlinked, young_person_id=young_person.pk
        )
        == []
    )
    with pytest.raises(Http404):
        vault_selectors.share_get_for_user(user=referent_unlinked, share_id=shared.pk)
    assert share_with(client, document, referent_unlinked).status_code == 409


def test_a_declined_invitation_links_no_one(client_for, young_person, referent_unlinked):
    invitation = account_invitation(referent_unlinked, young_person)
    client = client_for(young_person)

    assert client.post(f"{REFERENTS}invitations/{invitation.pk}/decline/").status_code == 204

    assert not sees(referent_unlinked, young_person)
    assert client.get(REFERENTS + "invitations/").json() == []
    assert client.get(REFERENTS).json() == []
    # Declined is final: it cannot be accepted afterwards.
    late = client.post(
        f"{REFERENTS}invitations/{invitation.pk}/accept/", {"scopes": []}, format="json"
    )
    assert late.status_code == 404
    assert not Link.objects.exists()


def test_an_invitation_to_another_account_is_not_the_young_persons(
    client_for, young_person, other_young_person, referent_unlinked
):
    invitation = account_invitation(referent_unlinked, other_young_person)
    client = client_for(young_person)

    assert client.get(REFERENTS + "invitations/").json() == []
    response = client.post(
        f"{REFERENTS}invitations/{invitation.pk}/accept/", {"scopes": []}, format="json"
    )
    assert response.status_code == 404
    assert not Link.objects.exists()


# --- Scopes, at once ------------------------------------------------------------------------


def test_scope_changes_take_effect_at_once(client_for, young_person, referent):
    young_person.profile.birth_date = date(2004, 1, 15)
    young_person.profile.save()
    catalogue.demarche_start(user=young_person, entry=catalogue_entry("Demander le pécule"))
    [the_link] = selectors.links_for_user(user=young_person)
    client = client_for(young_person)
    url = f"{REFERENTS}{the_link.pk}/"

    seen = referents_file(referent, the_link.pk)
    assert seen.profile["first_name"] == "Aminata"
    assert [demarche["title"] for demarche in seen.demarches] == ["Demander le pécule"]

    response = client.patch(url, {"scopes": ["profile"]}, format="json")
    assert response.status_code == 200
    assert response.json()["scopes"] == ["profile"]
    seen = referents_file(referent, the_link.pk)
    assert seen.profile["first_name"] == "Aminata"
    assert seen.demarches is None
    assert seen.appointments is None

    assert client.patch(url, {"scopes": []}, format="json").status_code == 200
    seen = referents_file(referent, the_link.pk)
    assert (seen.profile, seen.demarches, seen.appointments) == (None, None, None)
    assert seen.attention == []  # not even a birthday coming up
    # Still linked (the young person may give scopes back): the référent sees a name only
    # in their own label, and reading shows nothing, so the log does not grow.
    assert sees(referent, young_person)
    services.young_person_file_read(
        link=selectors.young_person_link_get_for_user(user=referent, link_id=the_link.pk)
    )
    assert client.get(ACCESS_LOG).json()["results"] == []

    assert client.patch(url, {"scopes": ["demarches"]}, format="json").status_code == 200
    seen = referents_file(referent, the_link.pk)
    assert seen.profile is None
    assert [demarche["title"] for demarche in seen.demarches] == ["Demander le pécule"]


def test_a_link_with_the_profile_scope_shows_no_procedures(young_person, referent_few_scopes):
    catalogue.demarche_start(user=young_person, entry=catalogue_entry("Demander le pécule"))
    [few] = selectors.young_people_links_for_user(user=referent_few_scopes)

    seen = selectors.young_person_file(few)

    assert seen.profile["first_name"] == "Aminata"
    assert seen.demarches is None
    assert seen.appointments is None


def test_only_appointments_marked_as_shared_show_and_only_with_their_scope(
    client_for, young_person, referent, referent_few_scopes
):
    soon = (timezone.now() + timedelta(days=3)).isoformat()
    client = client_for(young_person)
    for title, shared in (("Mission locale", True), ("Médecin", False)):
        response = client.post(
            "/api/v1/me/appointments/",
            {"title": title, "starts_at": soon, "shared_with_referents": shared},
            format="json",
        )
        assert response.status_code == 201, response.content
    [full] = selectors.young_people_links_for_user(user=referent)
    [few] = selectors.young_people_links_for_user(user=referent_few_scopes)

    seen = selectors.young_person_file(full)
    assert [appointment["title"] for appointment in seen.appointments] == ["Mission locale"]
    assert {"kind": "appointment", "on": seen.appointments[0]["starts_at"].date()} in (
        seen.attention
    )
    assert selectors.young_person_file(few).appointments is None


def test_a_referent_exports_their_profile_and_links_without_the_young_persons_data(
    client_for, young_person, referent
):
    young_person.profile.postcode = "93140"
    young_person.profile.save()

    section = client_for(referent).get("/api/v1/me/export/").json()["referents"]

    assert section["profile"]["structure"] == "MECS Les Tilleuls"
    assert section["profile"]["profession"] == "ase_educator"
    [exported] = section["links"]
    assert exported["ended_at"] is None
    assert "93140" not in str(section)
    assert "aminata@example.org" not in str(section)


# --- The 18th birthday ----------------------------------------------------------------------


def _linked_at_17(young_person, referent, birth_date, accepted_on):
    """The young person, born on ``birth_date``, links ``referent`` on ``accepted_on``."""
    young_person.profile.birth_date = birth_date
    young_person.profile.save()
    with time_machine.travel(noon(accepted_on), tick=False):
        the_link = link(referent, young_person, Scope.values)
    assert the_link.made_while_minor
    return the_link


@pytest.mark.parametrize(
    ("birth_date", "eve", "birthday"),
    [
        (date(2009, 6, 10), date(2027, 6, 9), date(2027, 6, 10)),
        # Born on 29 February: in a common year, 18 on 1 March (as ``age_on`` counts).
        (date(2008, 2, 29), date(2026, 2, 28), date(2026, 3, 1)),
    ],
    ids=["10-june", "29-february"],
)
def test_a_link_made_at_17_shows_nothing_from_the_18th_birthday_until_confirmed(
    client_for, young_person, referent_unlinked, birth_date, eve, birthday
):
    the_link = _linked_at_17(young_person, referent_unlinked, birth_date, eve - timedelta(days=100))

    with time_machine.travel(noon(eve), tick=False):
        assert sees(referent_unlinked, young_person)
        assert referents_file(referent_unlinked, the_link.pk).profile["age"] == 17
        assert selectors.link_status(the_link) == "active"

    with time_machine.travel(noon(birthday), tick=False):
        assert not sees(referent_unlinked, young_person)
        with pytest.raises(Http404):
            referents_file(referent_unlinked, the_link.pk)
        client = client_for(young_person)
        [listed] = client.get(REFERENTS).json()
        assert listed["status"] == "awaiting_confirmation"
        assert listed["scopes"] == Scope.values or sorted(listed["scopes"]) == sorted(Scope.values)

        response = client.post(f"{REFERENTS}{the_link.pk}/confirm/")
        assert response.status_code == 200
        assert response.json()["status"] == "active"
        assert sees(referent_unlinked, young_person)
        assert referents_file(referent_unlinked, the_link.pk).profile["age"] == 18


@pytest.mark.parametrize("new_birth_date", [None, date(2012, 1, 1)], ids=["removed", "moved"])
def test_changing_the_birth_date_after_18_does_not_spare_the_adults_decision(
    client_for, young_person, referent_unlinked, new_birth_date
):
    the_link = _linked_at_17(young_person, referent_unlinked, date(2009, 6, 10), date(2027, 3, 1))
    with time_machine.travel(noon(date(2027, 6, 10)), tick=False):
        client = client_for(young_person)
        response = client.patch(
            "/api/v1/me/", {"profile": {"birth_date": new_birth_date}}, format="json"
        )
        assert response.status_code == 200, response.content
        assert not sees(referent_unlinked, young_person)
        assert selectors.link_status(the_link) == "awaiting_confirmation"


@pytest.mark.parametrize(
    ("birth_date", "still_17"),
    [(date(2010, 3, 1), True), (date(2010, 2, 28), False)],
    ids=["born-1-march", "born-28-february"],
)
def test_on_a_29_february_the_rule_counts_birthdays_as_age_on_does(
    client_for, young_person, referent_unlinked, birth_date, still_17
):
    """18 years before a 29 February there is none: the query's bound must not shift the
    birthday by a day either way."""
    the_link = _linked_at_17(young_person, referent_unlinked, birth_date, date(2027, 12, 1))
    with time_machine.travel(noon(date(2028, 2, 29)), tick=False):
        assert sees(referent_unlinked, young_person) is still_17
        assert selectors.link_status(the_link) == (
            "active" if still_17 else "awaiting_confirmation"
        )
    with time_machine.travel(noon(date(2028, 3, 1)), tick=False):
        assert not sees(referent_unlinked, young_person)


def test_a_link_made_as_an_adult_needs_no_confirmation(young_person, referent_unlinked):
    young_person.profile.birth_date = date(2000, 1, 1)
    young_person.profile.save()
    the_link = link(referent_unlinked, young_person, Scope.values)
    assert not the_link.made_while_minor
    assert sees(referent_unlinked, young_person)


# --- End date, closed account ---------------------------------------------------------------


def test_a_link_shows_nothing_after_its_end_date(client_for, young_person, referent_unlinked):
    start = date(2027, 3, 1)
    with time_machine.travel(noon(start), tick=False):
        invitation, code = code_invitation(referent_unlinked)
        response = client_for(young_person).post(
            f"{REFERENTS}invitations/{invitation.pk}/accept/",
            {"code": code, "scopes": ["profile"], "ends_on": "2027-03-10"},
            format="json",
        )
        assert response.status_code == 201, response.content
        assert response.json()["ends_on"] == "2027-03-10"
    the_link = Link.objects.get()

    with time_machine.travel(noon(date(2027, 3, 10)), tick=False):
        assert sees(referent_unlinked, young_person)  # the end date's day included
    with time_machine.travel(noon(date(2027, 3, 11)), tick=False):
        assert not sees(referent_unlinked, young_person)
        assert selectors.link_status(the_link) == "expired"
        # The nightly task writes down what the reads already say.
        assert services.links_end_past_end_date() == 1
        the_link.refresh_from_db()
        assert the_link.end_reason == Link.EndReason.END_DATE
        assert client_for(young_person).get(REFERENTS).json() == []


def test_an_end_date_set_later_applies_too(client_for, young_person, referent):
    [the_link] = selectors.links_for_user(user=young_person)
    tomorrow = date.today() + timedelta(days=1)
    response = client_for(young_person).patch(
        f"{REFERENTS}{the_link.pk}/", {"ends_on": tomorrow.isoformat()}, format="json"
    )
    assert response.status_code == 200
    assert sees(referent, young_person)
    with time_machine.travel(noon(tomorrow + timedelta(days=1)), tick=False):
        assert not sees(referent, young_person)


def test_a_closed_referent_account_ends_its_links(client_for, young_person, referent):
    other = link(referent, young_person_of_75(young_person), ["profile"])

    assert services.referent_deactivate(referent=referent) == 2

    assert not sees(referent, young_person)
    assert not selectors.young_people_links_for_user(user=referent).exists()
    assert client_for(young_person).get(REFERENTS).json() == []
    for ended in Link.objects.filter(referent=referent):
        assert ended.end_reason == Link.EndReason.REFERENT_DEACTIVATED
    other.refresh_from_db()
    assert other.ended_at is not None


def young_person_of_75(young_person):
    """A second young person (of 75), made as the fixtures make them."""
    from accounts import services as accounts_services

    user = accounts_services.user_create(
        email="ines@example.org", password=PASSWORD, first_name="Inès", email_verified=True
    )
    user.profile.departement_id = "75"
    user.profile.save()
    return user


# --- The access log -------------------------------------------------------------------------


def test_each_reading_is_one_line_of_the_young_persons_access_log(
    client_for, young_person, referent, referent_few_scopes
):
    [full] = selectors.young_people_links_for_user(user=referent)
    [few] = selectors.young_people_links_for_user(user=referent_few_scopes)
    client = client_for(young_person)

    services.young_person_file_read(link=full)

    [line] = client.get(ACCESS_LOG).json()["results"]
    assert line["actor"] == "referent"
    assert line["action"] == "read"
    assert line["who"].startswith("Léa")
    assert "MECS Les Tilleuls" in line["who"]
    assert line["scopes"] == sorted(["profile", "demarches", "appointments"])
    assert line["document_id"] is None

    services.young_person_file_read(link=few)
    services.young_person_file_read(link=full, full=False)
    lines = client.get(ACCESS_LOG).json()["results"]
    assert len(lines) == 3
    assert [line["who"].split(",")[0] for line in lines] == ["Léa", "Karim", "Léa"]
    assert lines[1]["scopes"] == ["profile"]


def test_a_link_without_scope_that_lists_shared_documents_is_one_line_too(
    client_for, young_person, referent_unlinked, make_document
):
    client = client_for(young_person)
    bare = link(referent_unlinked, young_person, [])
    services.young_person_file_read(link=bare)
    assert client.get(ACCESS_LOG).json()["results"] == []  # nothing of them was shown

    share_with(client, make_document(young_person, title="RIB"), referent_unlinked)
    services.young_person_file_read(link=bare)
    reads = [line for line in client.get(ACCESS_LOG).json()["results"] if line["action"] == "read"]
    assert [line["scopes"] for line in reads] == [["documents"]]


# --- Export and erasure ---------------------------------------------------------------------


@pytest.fixture
def accompanied(young_person, referent, make_document, client_for):
    """The young person of 93 with a note, an accepted and an open proposal of their
    référent, and a document shared with them."""
    [the_link] = selectors.links_for_user(user=young_person)
    services.note_add(link=the_link, body="Rendez-vous CAF jeudi, pense à ton RIB.")
    accepted = services.demarche_propose(link=the_link, entry_id=catalogue_entry().pk)
    services.proposal_accept(proposal=accepted)
    services.demarche_propose(link=the_link, entry_id=catalogue_entry("Demander la CSS").pk)
    document = make_document(young_person, samples.pdf(), title="RIB")
    client = client_for(young_person)
    assert share_with(client, document, referent).status_code == 201
    return {"link": the_link, "document": document, "client": client}


def test_the_export_has_the_referents_links_notes_and_proposals(accompanied, referent_ended):
    response = accompanied["client"].get("/api/v1/me/export/")

    assert response.status_code == 200
    section = response.json()["referents"]
    by_referent = {found["referent"].split(",")[0]: found for found in section["links"]}
    assert set(by_referent) == {"Léa", "Bruno"}
    assert by_referent["Léa"]["ended_at"] is None
    assert sorted(by_referent["Léa"]["scopes"]) == sorted(Scope.values)
    assert by_referent["Bruno"]["end_reason"] == "young_person"
    [note] = section["notes"]
    assert note["body"] == "Rendez-vous CAF jeudi, pense à ton RIB."
    assert note["author"].startswith("Léa")
    assert {(found["entry"], found["status"]) for found in section["proposals"]} == {
        ("Ouvrir un compte bancaire", "accepted"),
        ("Demander la CSS", "proposed"),
    }


def test_a_young_persons_erasure_takes_their_links_notes_proposals_and_invitations(
    accompanied, young_person, referent, referent_unlinked, other_young_person
):
    account_invitation(referent_unlinked, young_person)
    kept = account_invitation(referent_unlinked, other_young_person)
    someone_elses = link(referent, other_young_person, ["profile"])

    response = accompanied["client"].delete("/api/v1/me/", {"password": PASSWORD}, format="json")

    assert response.status_code == 204
    assert list(Link.objects.values_list("pk", flat=True)) == [someone_elses.pk]
    assert not Note.objects.exists()
    assert not DemarcheProposal.objects.exists()
    assert list(LinkInvitation.objects.filter(kind="account").values_list("pk", flat=True)) == [
        kept.pk
    ]
    # The code the young person accepted goes too: its label names them.
    assert list(LinkInvitation.objects.filter(referent=referent).values_list("pk", flat=True)) == [
        someone_elses.invitation_id
    ]
    assert [
        found.young_person for found in selectors.young_people_links_for_user(user=referent)
    ] == [other_young_person]


def test_a_referents_erasure_leaves_the_young_persons_data_intact(
    accompanied, young_person, referent, client_for
):
    referent_client = client_for(referent)

    response = referent_client.delete("/api/v1/me/", {"password": PASSWORD}, format="json")

    assert response.status_code == 204
    client = accompanied["client"]
    # Their note stays, with its author's name as it was.
    [note] = client.get(REFERENTS + "notes/").json()["results"]
    assert note["body"] == "Rendez-vous CAF jeudi, pense à ton RIB."
    assert note["author"].startswith("Léa")
    # The procedure they proposed and the young person accepted is the young person's.
    assert client.get("/api/v1/me/demarches/").json()["count"] == 1
    assert Demarche.objects.filter(user=young_person).count() == 1
    # The document stays in the vault; only the share with the référent is gone.
    assert Document.objects.filter(pk=accompanied["document"].pk, owner=young_person).exists()
    assert not Share.objects.filter(kind=Share.Kind.REFERENT).exists()
    listed = client.get("/api/v1/vault/documents/").json()["results"]
    assert [found["title"] for found in listed] == ["RIB"]
    # And the link is gone from their list.
    assert client.get(REFERENTS).json() == []
