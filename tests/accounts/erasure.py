"""People and steps shared by the erasure tests (accounts) and the report retention tests
(mentoring): named users with ids no other number in the database repeats, a real match
made through the API, and the search for what still names them (``traces``)."""

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.contrib.admin.models import CHANGE, LogEntry
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import services as account_services
from accounts.models import Departement, User
from accounts.roles import ADMIN_ROLES, Role
from mentoring import services as mentoring_services
from mentoring.models import Match, MentorProfile
from tests.conftest import PASSWORD, login_token
from tests.mentoring.factories import request_data

from .traces import Person, traces_of

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


def make_referent():
    """A référent of 93 at a MECS, with the ways she chose to be reached."""
    from referents.models import Profession, ReferentProfile
    from services_catalog.models import Structure

    user = make_person(
        7340304, "leocadie.referente@example.org", Role.REFERENT, first_name="Léocadie"
    )
    ReferentProfile.objects.create(
        user=user,
        departement_id="93",
        structure=Structure.objects.create(departement_id="93", name="MECS Les Tilleuls"),
        profession=Profession.ASE_EDUCATOR,
        job_title="Éducatrice référente",
        contact_phone="01 48 00 73 43",
        contact_email="leocadie.pro@mecs.example.org",
    )
    return user


def linked_and_followed(youth, referent):
    """The young person links the référent with a code (labelled with her first name),
    shares a paper with her; the référent reads the file, writes a note and proposes a
    procedure, which the young person accepts. Returns the young person's client."""
    from referents import selectors as referent_selectors
    from referents import services as referent_services
    from services_catalog import services as catalogue
    from services_catalog.models import Entry

    invitation, code = referent_services.invitation_code_create(
        referent=referent, label=f"{youth.first_name}, foyer de Bondy", suggested_scopes=["profile"]
    )
    young = signed_in(youth)
    response = young.post(
        f"/api/v1/me/referents/invitations/{invitation.pk}/accept/",
        {"code": code, "scopes": ["profile", "demarches"]},
        format="json",
    )
    assert response.status_code == 201, response.content
    link = referent_selectors.young_person_link_get_for_user(
        user=referent, link_id=response.json()["id"]
    )
    referent_services.young_person_file_read(link=link)
    referent_services.note_add(link=link, body=f"Bravo {youth.first_name} pour ton dossier CAF.")
    entry = catalogue.entry_create(
        title="Ouvrir un compte bancaire",
        publish=True,
        kind=Entry.Kind.RIGHT,
        summary="Résumé.",
        body="Description.",
        scope=Entry.Scope.NATIONAL,
    )
    proposal = referent_services.demarche_propose(link=link, entry_id=entry.pk)
    assert young.post(f"/api/v1/me/referents/proposals/{proposal.pk}/accept/").status_code == 200
    return young


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
    response = young.post(REQUEST, request_data(), format="json")
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
