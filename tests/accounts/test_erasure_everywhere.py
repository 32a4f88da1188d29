"""``DELETE /api/v1/me/`` works for every role and leaves nothing that names the person.

Each test runs in a real transaction (``transaction=True``), so the foreign keys are
checked at commit as in production, and erases through the API with a real session
token. Afterwards every table of the database is searched for the person
(``tests.accounts.traces``): e-mail, first name, display name, monthly pseudonyms, id.
"""

import io
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import services as account_services
from accounts.models import Departement, User
from accounts.roles import ADMIN_ROLES, Role
from backend.pseudonyms import pseudonym, user_subject
from mentoring import services as mentoring_services
from mentoring.models import Match, MentorProfile
from services_catalog.models import SearchEvent
from tests.conftest import PASSWORD, login_token
from tests.vault import samples
from vault import keys
from vault import services as vault_services
from vault.uploads import encrypt_file

from .traces import Person, traces_of

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

APPLICATION = "/api/v1/mentoring/mentor-application/"
REQUEST = "/api/v1/mentoring/request/"
MATCHES = "/api/v1/mentoring/matches/"


def make_person(pk, email, role=Role.YOUNG_PERSON, *, first_name, departements=()):
    """An account with a chosen id, far from any other, so a search for it finds only it."""
    user = User(
        pk=pk,
        email=email,
        first_name=first_name,
        role=role,
        is_staff=role in ADMIN_ROLES,
    )
    user.set_password(PASSWORD)
    user.save()
    user.departements.set(Departement.objects.filter(code__in=departements))
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    account_services.young_person_profile_ensure(user=user)
    return user


def signed_in(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_X_SESSION_TOKEN=login_token(client, user.email))
    return client


def erase(user, client: APIClient | None = None):
    client = client or signed_in(user)
    return client.delete("/api/v1/me/", {"password": PASSWORD}, format="json")


def staff_edited(staff, obj, message="Modifié"):
    """What the admin writes when ``staff`` saves ``obj`` (Django's own log)."""
    LogEntry.objects.log_actions(
        user_id=staff.pk,
        queryset=[obj],
        action_flag=CHANGE,
        change_message=message,
        single_object=True,
    )


def make_coordinator():
    return make_person(
        7340301,
        "ghislaine.coord@example.org",
        Role.COORDINATOR,
        first_name="Ghislaine",
        departements=["93"],
    )


def make_youth():
    user = make_person(7340302, "zoubida.jeune@example.org", first_name="Zoubida")
    user.profile.departement_id = "93"
    user.profile.birth_date = timezone.localdate() - timedelta(days=365 * 19)
    user.profile.postcode = "93000"
    user.profile.commune_code = "93008"
    user.profile.save()
    return user


def make_volunteer():
    return make_person(7340303, "barnabe.benevole@example.org", Role.MENTOR, first_name="Barnabé")


@pytest.fixture
def coordinator():
    return make_coordinator()


@pytest.fixture
def youth():
    return make_youth()


@pytest.fixture
def volunteer():
    return make_volunteer()


def apply_as_mentor(volunteer, client):
    response = client.post(
        APPLICATION,
        {
            "departement": "93",
            "organisation": "Les amis de Barnabé",
            "domains": ["housing"],
            "languages": ["fr"],
            "commune_code": "93008",
            "latitude": 48.91,
            "longitude": 2.44,
            "meeting_mode": "both",
            "availability": ["wed_evening"],
            "gender": "male",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    return MentorProfile.objects.get(user=volunteer)


def approve(profile, coordinator):
    decided = mentoring_services.mentor_decide(
        profile=profile,
        status="approved",
        by=coordinator,
        honourability_checked_on=timezone.localdate() - timedelta(days=3),
        note=f"Entretien avec {profile.user.first_name} ({profile.user.email}) concluant.",
    )
    staff_edited(coordinator, decided, "Candidature approuvée")
    return decided


def active_match(youth, volunteer, coordinator):
    """A young person who searched the catalogue, asked for a mentor and talks with them."""
    young = signed_in(youth)
    assert young.get("/api/v1/catalogue/entries/", {"q": "logement"}).status_code == 200
    response = young.post(
        REQUEST,
        {
            "needs": ["housing"],
            "languages": ["fr"],
            "commune_code": "93008",
            "latitude": 48.9,
            "longitude": 2.45,
            "meeting_mode": "both",
            "availability": ["wed_evening"],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    request = youth.mentoring_requests.get()
    match = mentoring_services.match_create(request=request, mentor=volunteer, origin="coordinator")
    if match.status != Match.Status.ACTIVE:
        match = mentoring_services.match_accept(match=match)
    mentor = signed_in(volunteer)
    url = f"{MATCHES}{match.pk}/messages/"
    assert (
        young.post(url, {"body": "Bonjour Barnabé, ici Zoubida"}, format="json").status_code == 201
    )
    assert mentor.post(url, {"body": "Bonjour Zoubida !"}, format="json").status_code == 201
    staff_edited(coordinator, match, "Binôme confirmé")
    staff_edited(coordinator, youth, "Compte vérifié")
    return match, young, mentor


def admin_session(user):
    """A signed-in admin browser: a ``django_session`` row of its own."""
    browser = Client()
    browser.force_login(user)
    return browser


def assert_no_trace(person: Person):
    assert traces_of(person) == []


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
