"""Loading the demo again updates it in place: ``make run`` keeps what a developer did."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.sessions.models import Session
from django.test import Client

from accounts.models import DepartementContact, User, YoungPersonProfile
from autonomy.models import Assessment, CheckIn, Goal, Interview, Projet, ProjetChange
from demo.accounts import DEMO_PASSWORD
from demo.catalogue import DEMO_SOURCE
from mentoring.models import Appointment, Match, Meeting, MentorProfile, Message
from referents.models import DemarcheProposal, Link, Note, ReferentProfile
from services_catalog.models import Demarche, Entry, Structure
from tests.vault.conftest import DOCUMENTS, upload
from tests.vault.samples import pdf
from vault.models import Document, Share, UserKey

from .common import JEUNE_93, NAMED, app_client, make_run, named_pks

# Each test starts from the demo as make run loaded it (one load for the module).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_loaded")]

MODELS = (
    User,
    EmailAddress,
    YoungPersonProfile,
    DepartementContact,
    Structure,
    Entry,
    UserKey,
    Document,
    MentorProfile,
    MentorProfile.history.model,  # a save with nothing changed would add a line
    Match,
    Message,
    Meeting,
    Appointment,
    ReferentProfile,
    Link,
    Note,
    DemarcheProposal,
    Share,
    Projet,
    Goal,
    ProjetChange,
    Assessment,
    CheckIn,
    Interview,
)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def browser_client(email: str) -> Client:
    """Signed in through allauth's browser sign-in form, as staff reach the admin."""
    client = Client()
    response = client.post("/accounts/login/", {"login": email, "password": DEMO_PASSWORD})
    assert response.status_code == 302, response.content
    return client


def test_loading_again_keeps_the_accounts_ids_and_doubles_nothing():
    pks = named_pks()
    assert sorted(pks) == sorted(NAMED)
    before = counts()
    make_run()
    assert named_pks() == pks
    assert counts() == before


def test_sessions_made_between_two_loads_stay_valid():
    young = app_client(JEUNE_93)
    staff = browser_client("agent.93@demo.jalon.fr")
    assert staff.get("/admin/").status_code == 200
    sessions = set(Session.objects.values_list("session_key", flat=True))
    make_run()
    assert set(Session.objects.values_list("session_key", flat=True)) == sessions
    me = young.get("/api/v1/me/")
    assert me.status_code == 200
    assert me.json()["email"] == JEUNE_93
    assert staff.get("/admin/").status_code == 200


def test_what_a_developer_did_with_the_demo_accounts_stays():
    young = app_client(JEUNE_93)
    added = upload(young, pdf(), name="bail.pdf", document_type="other", title="Bail")
    assert added.status_code == 201, added.content
    entry = Entry.objects.filter(source=DEMO_SOURCE, status=Entry.Status.PUBLISHED).first()
    saved = young.post("/api/v1/me/demarches/", {"entry": entry.pk}, format="json")
    assert saved.status_code == 201, saved.content
    match = Match.objects.get(young_person__email=JEUNE_93)
    sent = young.post(
        f"/api/v1/mentoring/matches/{match.pk}/messages/", {"body": "Merci !"}, format="json"
    )
    assert sent.status_code == 201, sent.content
    before = counts()

    make_run()
    assert counts() == before
    listing = young.get(DOCUMENTS).json()
    assert added.json()["id"] in [document["id"] for document in listing["results"]]
    assert Demarche.objects.filter(pk=saved.json()["id"], user__email=JEUNE_93).exists()
    assert Message.objects.filter(pk=sent.json()["id"]).exists()
    assert Match.objects.get(young_person__email=JEUNE_93).pk == match.pk


def test_what_the_demo_defines_is_brought_back():
    aminata = User.objects.get(email=JEUNE_93)
    aminata.first_name = "Autre"
    aminata.set_password("un-autre-mot-de-passe")
    aminata.save()
    YoungPersonProfile.objects.filter(user=aminata).update(postcode="75001", apprentice=False)
    agent = User.objects.get(email="agent.93@demo.jalon.fr")
    agent.departements.clear()
    # The types are sealed: the one to delete is found once opened.
    for document in Document.objects.filter(owner=aminata):
        if document.document_type == "health_insurance_card":
            document.delete()

    make_run()
    aminata.refresh_from_db()
    assert aminata.first_name == "Aminata"
    assert aminata.check_password(DEMO_PASSWORD)
    assert (aminata.profile.postcode, aminata.profile.apprentice) == ("93200", True)
    assert list(agent.departements.values_list("code", flat=True)) == ["93"]
    assert sorted(
        document.document_type for document in Document.objects.filter(owner=aminata)
    ) == [
        "health_insurance_card",
        "jeune_majeur_contract",
        "residence_permit",
    ]
