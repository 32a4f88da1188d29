"""``DELETE /api/v1/me/`` works for every role and leaves nothing that names the person.

Each test runs in a real transaction (``transaction=True``), so the foreign keys are
checked at commit as in production, and erases through the API with a real session
token. Afterwards every table of the database is searched for the person
(``tests.accounts.traces``): e-mail, first name, display name, monthly pseudonyms, id.
"""

import io
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from accounts.models import Departement, User
from accounts.roles import Role
from backend.pseudonyms import pseudonym, user_subject
from mentoring.models import MentorProfile
from referents import selectors as referent_selectors
from referents import services as referent_services
from referents.models import LinkInvitation
from services_catalog.models import SearchEvent
from tests.vault import samples
from vault import keys
from vault import services as vault_services
from vault.uploads import encrypt_file

from .erasure import (
    MATCHES,
    active_match,
    admin_session,
    apply_as_mentor,
    approve,
    assert_no_trace,
    erase,
    linked_and_followed,
    make_coordinator,
    make_person,
    make_referent,
    make_volunteer,
    make_youth,
    signed_in,
    staff_edited,
)
from .traces import Person, traces_of

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def coordinator():
    return make_coordinator()


@pytest.fixture
def youth():
    return make_youth()


@pytest.fixture
def volunteer():
    return make_volunteer()


def test_a_mentor_who_applied_erases_their_account(volunteer, coordinator):
    client = signed_in(volunteer)
    approve(apply_as_mentor(volunteer, client), coordinator)
    person = Person.of(volunteer, "Les amis de Barnabé")

    response = erase(volunteer, client)

    assert response.status_code == 204, response.content
    assert not User.objects.filter(pk=volunteer.pk).exists()
    assert client.get("/api/v1/me/").status_code == 401
    assert_no_trace(person)


def test_a_mentor_with_an_active_match_and_messages_erases_their_account(
    youth, volunteer, coordinator
):
    approve(apply_as_mentor(volunteer, signed_in(volunteer)), coordinator)
    _match, young, mentor = active_match(youth, volunteer, coordinator)
    share_a_paper(youth, mentor)
    person = Person.of(volunteer, "Les amis de Barnabé")

    assert erase(volunteer, mentor).status_code == 204

    assert_no_trace(person)
    # The young person's side is still theirs, with the mentor shown as gone.
    listed = young.get(MATCHES)
    assert listed.status_code == 200
    [seen] = listed.json()["results"]
    assert seen["status"] == "ended"
    assert seen["end_reason"] == "account_closed"
    assert seen["mentor"] is None


def share_a_paper(youth, mentor):
    """The young person shares a paper with their mentor, who opens it (access log)."""
    encrypted = encrypt_file(
        io.BytesIO(samples.pdf()),
        file_name="titre-de-sejour.pdf",
        user_key_id=keys.user_key_ensure(youth).id,
        max_size=settings.VAULT_MAX_FILE_SIZE,
        chunk_size=settings.VAULT_CHUNK_SIZE,
    )
    document = vault_services.document_create(
        owner=youth, upload=encrypted, document_type="other", title="Titre de séjour de Zoubida"
    )
    share = vault_services.share_with_mentor(document=document)
    opened = mentor.get(f"/api/v1/vault/shared-with-me/{share.pk}/content/")
    assert opened.status_code == 200


def test_a_young_person_in_a_match_erases_their_account(youth, volunteer, coordinator):
    approve(apply_as_mentor(volunteer, signed_in(volunteer)), coordinator)
    _match, young, mentor = active_match(youth, volunteer, coordinator)
    share_a_paper(youth, mentor)
    admin_session(youth)  # an old browser session too
    month_pseudonym = pseudonym(user_subject(youth.pk))
    person = Person.of(youth, month_pseudonym)

    assert erase(youth, young).status_code == 204

    assert_no_trace(person)
    listed = mentor.get(MATCHES)
    assert listed.status_code == 200
    [seen] = listed.json()["results"]
    assert seen["status"] == "ended"
    assert seen["mentee"]["first_name"] == ""
    # The search stays counted for the figures, under a pseudonym that leads nowhere.
    assert SearchEvent.objects.count() == 1
    assert SearchEvent.objects.get().visitor not in ("", month_pseudonym)


def test_a_coordinator_who_vetted_and_matched_erases_their_account(youth, volunteer, coordinator):
    approve(apply_as_mentor(volunteer, signed_in(volunteer)), coordinator)
    active_match(youth, volunteer, coordinator)
    admin_session(coordinator)
    person = Person.of(coordinator)

    assert erase(coordinator).status_code == 204

    assert_no_trace(person)
    # What they decided stands: the mentor is still approved.
    assert MentorProfile.objects.get(user=volunteer).status == "approved"


@pytest.mark.parametrize(
    "role",
    [Role.DEPARTEMENT_STAFF, Role.PARTNER, Role.NATIONAL_EDITOR],
)
def test_every_staff_role_erases_their_account(role, youth):
    staff = make_person(7340309, "hermenegilde@example.org", role, first_name="Herménégilde")
    staff.departements.set(Departement.objects.filter(code="93"))
    admin_session(staff)
    staff_edited(staff, youth, "Relu")
    person = Person.of(staff)

    assert erase(staff).status_code == 204

    assert_no_trace(person)


def test_a_referent_who_followed_a_young_person_erases_their_account(youth):
    referent = make_referent()
    young = linked_and_followed(youth, referent)
    invitation_sent = referent_services.invitation_send(referent=referent, email="x@example.org")
    person = Person.of(
        referent, "leocadie.pro@mecs.example.org", "01 48 00 73 43", "Éducatrice référente"
    )

    assert erase(referent).status_code == 204

    assert_no_trace(person)
    assert not LinkInvitation.objects.filter(pk=invitation_sent.pk).exists()
    # What is the young person's stays theirs: the note (its author's name kept, sealed
    # with the young person's key), the procedure they accepted, their access log.
    [note] = young.get("/api/v1/me/referents/notes/").json()["results"]
    assert note["author"].startswith("Léocadie")
    assert note["body"] == "Bravo Zoubida pour ton dossier CAF."
    assert young.get("/api/v1/me/demarches/").json()["count"] == 1
    [reading] = young.get("/api/v1/vault/access-log/").json()["results"]
    assert reading["who"].startswith("Léocadie")
    assert young.get("/api/v1/me/referents/").json() == []


def test_a_young_person_linked_with_a_referent_erases_their_account(youth):
    referent = make_referent()
    young = linked_and_followed(youth, referent)
    referent_services.invitation_send(referent=referent, email=youth.email)
    person = Person.of(youth, pseudonym(user_subject(youth.pk)))

    assert erase(youth, young).status_code == 204

    assert traces_of(person) == []
    # The référent keeps their account, and nobody in "Mes jeunes".
    assert User.objects.filter(pk=referent.pk, is_active=True).exists()
    assert not referent_selectors.young_people_links_for_user(user=referent).exists()


def test_users_are_shown_to_staff_without_their_e_mail(youth):
    shown = str(youth)
    assert youth.email not in shown
    assert "zoubida.jeune" not in shown
    assert shown.startswith("Zoubida")
    assert str(youth.pk) not in shown  # the number is pseudonymous, not the id
    assert str(User.objects.get(pk=youth.pk)) == shown  # and stable


def test_the_search_finds_a_person_who_is_still_there(youth, volunteer, coordinator):
    """The search itself sees every kind of table an erasure must clean."""
    approve(apply_as_mentor(volunteer, signed_in(volunteer)), coordinator)
    active_match(youth, volunteer, coordinator)
    admin_session(volunteer)

    found = " ".join(traces_of(Person.of(volunteer, "Les amis de Barnabé")))
    for table in (
        "accounts_user.email",
        "account_emailaddress",
        "django_session",
        "django_admin_log.object_repr",
        "mentoring_historicalmentorprofile.decision_note",
        "mentoring_historicalmentorprofile.user_id",
        "mentoring_message.sender_id",
    ):
        assert table in found
    searched = " ".join(traces_of(Person.of(youth, pseudonym(user_subject(youth.pk)))))
    assert "services_catalog_searchevent.visitor" in searched


def test_pseudonyms_of_a_month_not_yet_forgotten_are_replaced_too(youth):
    last_month = timezone.now() - timedelta(days=32)
    theirs = pseudonym(user_subject(youth.pk), last_month)
    SearchEvent.objects.create(created_at=last_month, found=True, visitor=theirs)
    SearchEvent.objects.create(created_at=last_month, found=True, visitor="0123456789abcdef")

    assert erase(youth).status_code == 204

    visitors = set(SearchEvent.objects.values_list("visitor", flat=True))
    assert theirs not in visitors
    assert "0123456789abcdef" in visitors
    assert len(visitors) == 2  # still two people in last month's figures
