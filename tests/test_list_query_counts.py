"""Every list of the API costs the same number of queries for one row as for six.

Each case builds one row for its caller, asks the list through the test client with a
real session token, adds five rows and asks again: the two counts must be equal. The
matrices of ``tests/<app>/test_authorization.py`` fail for a GET route that answers a
list and has no case here.
"""

from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Departement
from accounts.roles import Role
from autonomy import services as autonomy
from autonomy.models import AssessmentItem, Domain
from mentoring import agenda, conversations
from mentoring import services as mentoring
from mentoring.models import Notification
from referents import services as referents
from referents.models import Profession, ReferentProfile
from services_catalog import services as catalogue
from services_catalog.models import Entry, EntryClosure, Structure
from tests.authorization import API_PREFIX, client_as
from tests.mentoring.factories import mentor_application, mentoring_match
from tests.referents import links as referent_links
from tests.vault.conftest import make_document  # noqa: F401 - a fixture, shared
from vault import services as vault

pytestmark = pytest.mark.django_db

SOON = timezone.now() + timedelta(days=7)


def _entry(index: int, **fields) -> Entry:
    fields = {
        "kind": Entry.Kind.RIGHT,
        "summary": "Résumé.",
        "body": "Description détaillée.",
        "scope": Entry.Scope.NATIONAL,
        **fields,
    }
    return catalogue.entry_create(title=f"Aide numéro {index}", publish=True, **fields)


# Each case: ``setup(request)`` returns ``(caller or None, route, add)``, where
# ``add(index)`` gives the caller's list its row number ``index``.


def departements(request):
    # The 101 départements come with the migrations: keep 93, give five others back.
    others = list(Departement.objects.exclude(code="93").order_by("code")[:5])
    Departement.objects.exclude(code="93").delete()

    def add(index):
        if index > 1:
            others[index - 2].save()

    return None, "departements/", add


def _entry_closed_soon(index: int) -> Entry:
    """An entry with hours and two closures ahead: the list tells of the first."""
    entry = _entry(index, horaires_accueil="Mo-Fr 09:00-17:00; PH off")
    today = timezone.localdate()
    for start, hours in ((today, "10:00-12:00"), (today + timedelta(days=10), "")):
        catalogue.entry_closure_save(
            closure=EntryClosure(
                entry=entry, starts_on=start, ends_on=start, message="Fermé.", hours=hours
            )
        )
    return entry


def catalogue_entries(request):
    return None, "catalogue/entries/", _entry_closed_soon


def data_inclusion_export(request):
    def add(index):
        _entry(
            index,
            kind=Entry.Kind.OFFER,
            departement_id="93",
            scope=Entry.Scope.DEPARTEMENTS,
            zone_departements=["93"],
        )

    return None, "catalogue/export/data-inclusion/?departement=93", add


def my_rights(request):
    return request.getfixturevalue("young_person"), "me/rights/", _entry_closed_soon


def my_demarches(request):
    young_person = request.getfixturevalue("young_person")

    def add(index):
        catalogue.demarche_start(user=young_person, entry=_entry(index, steps=["Étape"]))

    return young_person, "me/demarches/", add


def vault_documents(request):
    young_person = request.getfixturevalue("young_person")
    document_for = request.getfixturevalue("make_document")
    return young_person, "vault/documents/", lambda index: document_for(young_person)


def vault_shares(request):
    young_person = request.getfixturevalue("young_person")
    document = request.getfixturevalue("make_document")(young_person)

    def add(index):
        vault.share_link_create(document=document)

    return young_person, f"vault/documents/{document.id}/shares/", add


def vault_access_log(request):
    young_person = request.getfixturevalue("young_person")
    document = request.getfixturevalue("make_document")(young_person)

    def add(index):
        if index > 1:  # the upload is the first event
            vault.share_link_create(document=document)

    return young_person, "vault/access-log/", add


def _pair(request, state="active"):
    return mentoring_match(
        young_person=request.getfixturevalue("young_person"),
        mentor=request.getfixturevalue("mentor"),
        coordinator=request.getfixturevalue("coordinator_93"),
        state=state,
        picked=True,
    )


def vault_shared_with_me(request):
    young_person = request.getfixturevalue("young_person")
    document_for = request.getfixturevalue("make_document")
    _pair(request)

    def add(index):
        vault.share_with_mentor(document=document_for(young_person, title=f"Pièce {index}"))

    return request.getfixturevalue("mentor"), "vault/shared-with-me/", add


def mentoring_proposals(request):
    make_user = request.getfixturevalue("make_user")
    coordinator = request.getfixturevalue("coordinator_93")
    _pair(request, state="waiting")

    def add(index):
        if index == 1:
            return  # the pair's mentor is the first proposal
        other = make_user(f"mentor{index}@example.org", "mentor")
        mentoring.mentor_decide(
            profile=mentoring.mentor_apply(user=other, data=mentor_application()),
            status="approved",
            by=coordinator,
            honourability_checked_on=timezone.localdate() - timedelta(days=10),
        )

    return request.getfixturevalue("young_person"), "mentoring/request/proposals/", add


def mentoring_matches(request):
    make_user = request.getfixturevalue("make_user")
    coordinator = request.getfixturevalue("coordinator_93")
    mentor = request.getfixturevalue("mentor")

    def add(index):
        young_person = make_user(f"jeune{index}@example.org")
        young_person.profile.departement_id = "93"
        young_person.profile.save()
        mentoring_match(
            young_person=young_person, mentor=mentor, coordinator=coordinator, capacity=6
        )

    return mentor, "mentoring/matches/", add


def mentoring_messages(request):
    _request, match = _pair(request)

    def add(index):
        conversations.message_send(match=match, sender=match.mentor, body=f"Message {index}")

    return match.young_person, f"mentoring/matches/{match.pk}/messages/", add


def mentoring_meetings(request):
    _request, match = _pair(request)

    def add(index):
        agenda.meeting_propose(
            match=match,
            by=match.mentor,
            data={"starts_at": SOON + timedelta(days=index), "place": "Médiathèque"},
        )

    return match.young_person, f"mentoring/matches/{match.pk}/meetings/", add


def my_appointments(request):
    young_person = request.getfixturevalue("young_person")

    def add(index):
        agenda.appointment_save(
            owner=young_person,
            data={"title": f"Rendez-vous {index}", "starts_at": SOON + timedelta(days=index)},
        )

    return young_person, "me/appointments/", add


def my_devices(request):
    young_person = request.getfixturevalue("young_person")

    def add(index):
        agenda.device_register(user=young_person, platform="android", token=f"token-{index}")

    return young_person, "me/devices/", add


def my_notifications(request):
    young_person = request.getfixturevalue("young_person")

    def add(index):
        # Delivered reminders write these rows; no service makes one by hand.
        Notification.objects.create(user=young_person, title=f"Rappel {index}")

    return young_person, "me/notifications/", add


def _referent(request, index: int):
    """Référent number ``index`` of 93, at a structure of their own."""
    user = request.getfixturevalue("make_user")(
        f"referent.{index}@example.org", Role.REFERENT, first_name=f"Référent {index}"
    )
    structure = Structure.objects.create(departement_id="93", name=f"Structure {index}")
    ReferentProfile.objects.create(
        user=user, departement_id="93", structure=structure, profession=Profession.SCHOOL
    )
    return user


def my_referents(request):
    young_person = request.getfixturevalue("young_person")

    def add(index):
        referent_links.link(_referent(request, index), young_person, ["profile"])

    return young_person, "me/referents/", add


def my_referent_invitations(request):
    young_person = request.getfixturevalue("young_person")

    def add(index):
        referent_links.account_invitation(_referent(request, index), young_person)

    return young_person, "me/referents/invitations/", add


def my_referent_notes(request):
    young_person = request.getfixturevalue("young_person")
    link = referent_links.link(_referent(request, 0), young_person, ["profile"])

    def add(index):
        referents.note_add(link=link, body=f"Note {index}")

    return young_person, "me/referents/notes/", add


def my_referent_proposals(request):
    young_person = request.getfixturevalue("young_person")

    def add(index):
        # From a référent each, so that each row names its own.
        link = referent_links.link(_referent(request, index), young_person, ["demarches"])
        entry = referent_links.catalogue_entry(f"Démarche {index}")
        referents.demarche_propose(link=link, entry_id=entry.pk)

    return young_person, "me/referents/proposals/", add


# Route (as the authorization matrices name it) -> case.
def projet_history(request):
    young_person = request.getfixturevalue("young_person")
    me = autonomy.author_young_person(young_person)

    def add(index):
        autonomy.goal_add(
            young_person=young_person,
            author=me,
            data={"domain": "housing", "title": f"But {index}"},
        )

    return young_person, "me/projet/history/", add


def assessment_suggestions(request):
    """One low domain more at each new self-assessment: one suggestion row more."""
    young_person = request.getfixturevalue("young_person")
    domains = list(Domain.values)
    keys = {
        domain: AssessmentItem.objects.filter(domain=domain).values_list("key", flat=True)[0]
        for domain in domains
    }

    def add(index):
        autonomy.assessment_submit(
            young_person=young_person,
            author=autonomy.author_young_person(young_person),
            answers={keys[domain]: 0 for domain in domains[:index]},
        )

    return young_person, "me/assessments/suggestions/", add


def my_check_ins(request):
    young_person = request.getfixturevalue("young_person")

    def add(index):
        autonomy.check_in_submit(
            young_person=young_person,
            data={"housing": "stable", "needs_help": index == 1},
            today=date(2026, index, 15),
        )

    return young_person, "me/check-ins/", add


def mentoring_match_goals(request):
    _request, match = _pair(request)
    me = autonomy.author_young_person(match.young_person)

    def add(index):
        autonomy.goal_add(
            young_person=match.young_person,
            author=me,
            data={"domain": "housing", "title": f"But {index}", "shared_with_mentor": True},
        )

    return match.mentor, f"mentoring/matches/{match.pk}/goals/", add


LIST_CASES = {
    "departements/": departements,
    "catalogue/entries/": catalogue_entries,
    "catalogue/export/data-inclusion/": data_inclusion_export,
    "me/rights/": my_rights,
    "me/demarches/": my_demarches,
    "vault/documents/": vault_documents,
    "vault/documents/{document_id}/shares/": vault_shares,
    "vault/access-log/": vault_access_log,
    "vault/shared-with-me/": vault_shared_with_me,
    "mentoring/request/proposals/": mentoring_proposals,
    "mentoring/matches/": mentoring_matches,
    "mentoring/matches/{match_id}/messages/": mentoring_messages,
    "mentoring/matches/{match_id}/meetings/": mentoring_meetings,
    "me/appointments/": my_appointments,
    "me/devices/": my_devices,
    "me/notifications/": my_notifications,
    "me/referents/": my_referents,
    "me/referents/invitations/": my_referent_invitations,
    "me/referents/notes/": my_referent_notes,
    "me/referents/proposals/": my_referent_proposals,
    "me/projet/history/": projet_history,
    "me/assessments/suggestions/": assessment_suggestions,
    "me/check-ins/": my_check_ins,
    "mentoring/matches/{match_id}/goals/": mentoring_match_goals,
}
# A list shorter than six rows at most.
MOST_ROWS = {"mentoring/request/proposals/": 5}
XFAIL: dict[str, str] = {}


def _rows(data) -> int:
    if isinstance(data, list):
        return len(data)
    if "results" in data:
        return len(data["results"])
    return len(data["services"])  # data·inclusion: one service per entry


def _queries(client, url: str, rows: int) -> list[str]:
    # Cold: lists whose answers are cached (the catalogue's) are measured computing them.
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content
    assert _rows(response.json()) == rows, response.json()
    return [query["sql"] for query in queries.captured_queries]


@pytest.mark.parametrize(
    "route",
    [
        pytest.param(
            route,
            marks=[pytest.mark.xfail(strict=True, reason=XFAIL[route])] if route in XFAIL else [],
        )
        for route in LIST_CASES
    ],
)
def test_a_list_costs_the_same_queries_for_one_row_as_for_six(route, request):
    caller, path, add = LIST_CASES[route](request)
    client = client_as(caller)
    url = API_PREFIX + path
    add(1)
    client.get(url)  # the first request of the day also records the caller's activity
    one = _queries(client, url, rows=1)
    rows = MOST_ROWS.get(route, 6)
    for index in range(2, rows + 1):
        add(index)
    many = _queries(client, url, rows=rows)
    assert len(many) == len(one), "\n".join(
        [f"{len(one)} queries for one row:", *one, "", f"{len(many)} for {rows}:", *many]
    )
