"""Requests, proposals and the life of a match, through the API and the admin."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts import services as account_services
from accounts.models import User
from mentoring import selectors, services
from mentoring.exceptions import MatchConflict
from mentoring.models import DepartementMentoring, Match, MentoringRequest
from vault.models import Share
from vault.services import share_with_mentor

from .conftest import MATCHES, REQUEST
from .factories import request_data, service_request_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def asked(mentee, client_for):
    response = client_for(mentee).post(REQUEST, request_data(), format="json")
    assert response.status_code == 201, response.json()
    return MentoringRequest.objects.get(young_person=mentee)


def _ask(young_person):
    return services.request_create(young_person=young_person, data=service_request_data())


def _confirm(mentoring_request, mentor):
    return services.match_create(request=mentoring_request, mentor=mentor, origin="coordinator")


def test_a_young_person_asks_once(asked, mentee, client_for):
    client = client_for(mentee)
    assert client.get(REQUEST).json()["status"] == "waiting"
    response = client.post(REQUEST, request_data(), format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "already_matched"
    assert MentoringRequest.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [("needs", []), ("needs", ["flying"]), ("availability", ["never"]), ("commune_code", "x")],
)
def test_bad_requests_change_nothing(mentee, client_for, field, value):
    response = client_for(mentee).post(REQUEST, request_data(**{field: value}), format="json")
    assert response.status_code == 400
    assert not MentoringRequest.objects.exists()


def test_a_young_person_without_departement_is_told_so(young_person, client_for):
    young_person.profile.departement = None
    young_person.profile.save()
    response = client_for(young_person).post(REQUEST, request_data(), format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "no_departement"


@pytest.mark.parametrize("role", ["mentor", "staff_93", "coordinator_93"])
def test_only_young_people_ask(request, client_for, role):
    client = client_for(request.getfixturevalue(role))
    assert client.post(REQUEST, request_data(), format="json").status_code == 403
    assert client.get(f"{REQUEST}proposals/").status_code == 403


def test_proposals_explain_their_score(
    asked, approved_mentor, approve, other_mentor, mentee, client_for
):
    approve(other_mentor)
    other_mentor.mentor_profile.status = "suspended"
    other_mentor.mentor_profile.save()
    proposals = client_for(mentee).get(f"{REQUEST}proposals/").json()
    assert [p["mentor"]["id"] for p in proposals] == [approved_mentor.pk]
    score = proposals[0]["score"]
    assert set(score["parts"]) == {"domains", "language", "distance", "availability", "preference"}
    assert round(sum(score["parts"].values()), 1) == score["total"]
    assert "email" not in proposals[0]["mentor"]


def test_the_coordinator_confirms_a_pair_in_the_admin(asked, approved_mentor, coordinator_93):
    client = Client()
    client.force_login(coordinator_93)
    page = client.get(f"/admin/mentoring/mentoringrequest/{asked.pk}/change/")
    assert approved_mentor.first_name in page.content.decode()
    response = client.post(
        f"/admin/mentoring/mentoringrequest/{asked.pk}/confirm/{approved_mentor.pk}/"
    )
    assert response.status_code == 302
    match = Match.objects.get()
    assert (match.status, match.origin) == ("active", "coordinator")
    asked.refresh_from_db()
    assert asked.status == "matched"
    assert selectors.active_mentor_for(asked.young_person) == approved_mentor


def test_coordinators_of_another_departement_cannot_confirm(asked, approved_mentor, coordinator_75):
    client = Client()
    client.force_login(coordinator_75)
    assert client.get(f"/admin/mentoring/mentoringrequest/{asked.pk}/change/").status_code in (
        302,
        404,
    )
    client.post(f"/admin/mentoring/mentoringrequest/{asked.pk}/confirm/{approved_mentor.pk}/")
    assert not Match.objects.exists()


def test_young_people_pick_where_the_departement_says_so(
    asked, approved_mentor, mentee, client_for
):
    client = client_for(mentee)
    response = client.post(f"{REQUEST}pick/", {"mentor": approved_mentor.pk}, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "pairing_by_coordinator"

    DepartementMentoring.objects.create(departement_id="93", pairing="young_person_picks")
    response = client.post(f"{REQUEST}pick/", {"mentor": approved_mentor.pk}, format="json")
    assert response.status_code == 201, response.json()
    match = Match.objects.get()
    assert match.status == "proposed"
    assert selectors.active_mentor_for(mentee) is None  # not until the mentor accepts

    mentor_client = client_for(approved_mentor)
    assert client.post(f"{MATCHES}{match.pk}/accept/").status_code == 403  # not the mentee's call
    response = mentor_client.post(f"{MATCHES}{match.pk}/accept/")
    assert response.json()["status"] == "active"
    assert selectors.active_mentor_for(mentee) == approved_mentor


def test_a_declined_pick_lets_the_young_person_pick_again(
    asked, approved_mentor, approve, other_mentor, mentee, client_for
):
    approve(other_mentor)
    DepartementMentoring.objects.create(departement_id="93", pairing="young_person_picks")
    client = client_for(mentee)
    match_id = client.post(f"{REQUEST}pick/", {"mentor": approved_mentor.pk}, format="json").json()[
        "id"
    ]
    again = client.post(f"{REQUEST}pick/", {"mentor": other_mentor.pk}, format="json")
    assert again.status_code == 409  # one at a time
    response = client_for(approved_mentor).post(
        f"{MATCHES}{match_id}/decline/", {"feedback": "Pas disponible ce mois-ci"}, format="json"
    )
    assert response.json()["end_reason"] == "declined"
    again = client.post(f"{REQUEST}pick/", {"mentor": other_mentor.pk}, format="json")
    assert again.status_code == 201


def test_picking_someone_not_proposed_is_refused(asked, mentee, other_mentor, client_for):
    DepartementMentoring.objects.create(departement_id="93", pairing="young_person_picks")
    response = client_for(mentee).post(
        f"{REQUEST}pick/", {"mentor": other_mentor.pk}, format="json"
    )
    assert response.status_code == 409
    assert not Match.objects.exists()


def test_one_match_per_young_person(asked, approved_mentor, approve, other_mentor):
    approve(other_mentor)
    _confirm(asked, approved_mentor)
    with pytest.raises(MatchConflict) as refused:
        _confirm(asked, other_mentor)
    assert refused.value.code == "request_not_waiting"
    assert Match.objects.count() == 1


def test_a_mentor_never_exceeds_their_capacity(approved_mentor, make_mentee, client_for):
    people = [make_mentee("lina@example.org"), make_mentee("omar@example.org")]
    requests = [_ask(person) for person in people]
    _confirm(requests[0], approved_mentor)
    with pytest.raises(MatchConflict) as refused:
        _confirm(requests[1], approved_mentor)
    assert refused.value.code == "mentor_full"
    assert selectors.proposals_for(requests[1]) == []


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL's row locks"
)
# Committed transactions: the reference data (départements) must come back afterwards.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_confirmations_at_once_keep_the_capacity(approve, mentor, make_mentee):
    approve(mentor)
    mentees = [make_mentee(f"m{i}@example.org") for i in range(4)]
    requests = [_ask(person) for person in mentees]
    barrier = threading.Barrier(len(requests))

    def confirm(mentoring_request):
        barrier.wait()
        try:
            _confirm(mentoring_request, mentor)
            return "confirmed"
        except MatchConflict as refused:
            return refused.code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        outcomes = sorted(pool.map(confirm, requests))
    assert outcomes == ["confirmed"] + ["mentor_full"] * 3
    assert Match.objects.filter(mentor=mentor, status="active").count() == 1


def test_pause_resume_and_end_with_feedback(
    asked, approved_mentor, mentee, client_for, make_document
):
    match = _confirm(asked, approved_mentor)
    share = share_with_mentor(document=make_document(mentee))
    client = client_for(mentee)

    assert client.post(f"{MATCHES}{match.pk}/pause/").json()["status"] == "paused"
    assert selectors.active_mentor_for(mentee) is None
    assert client.post(f"{MATCHES}{match.pk}/pause/").status_code == 409
    assert client.post(f"{MATCHES}{match.pk}/resume/").json()["status"] == "active"

    response = client.post(
        f"{MATCHES}{match.pk}/end/",
        {"reason": "goals_reached", "feedback": "Merci !"},
        format="json",
    )
    assert response.json()["status"] == "ended"
    match.refresh_from_db()
    assert (match.end_reason, match.young_person_feedback) == ("goals_reached", "Merci !")
    # Ending a match revokes what the young person shared with the mentor.
    assert Share.objects.get(pk=share.pk).revoked_at is not None
    mentor_client = client_for(approved_mentor)
    response = mentor_client.post(
        f"{MATCHES}{match.pk}/feedback/", {"feedback": "Belle rencontre"}, format="json"
    )
    assert response.status_code == 200
    match.refresh_from_db()
    assert match.mentor_feedback == "Belle rencontre"
    assert mentor_client.post(f"{MATCHES}{match.pk}/resume/").status_code == 409


def test_bad_end_reasons_change_nothing(asked, approved_mentor, mentee, client_for):
    match = _confirm(asked, approved_mentor)
    for body in ({"reason": "bored"}, {"reason": "declined"}, {}):
        response = client_for(mentee).post(f"{MATCHES}{match.pk}/end/", body, format="json")
        assert response.status_code == 400
    match.refresh_from_db()
    assert match.status == "active"


def test_the_mentor_sees_only_what_they_need_of_their_mentee(
    asked, approved_mentor, mentee, client_for
):
    match = _confirm(asked, approved_mentor)
    body = client_for(approved_mentor).get(f"{MATCHES}{match.pk}/").json()
    assert body["my_role"] == "mentor"
    assert body["mentee"] == {
        "first_name": "Aminata",
        "age_band": "16-17",
        "commune_code": "93008",
        "needs": ["housing"],
    }
    text = str(body)
    assert mentee.email not in text
    assert str(mentee.profile.birth_date) not in text


@pytest.mark.parametrize(
    "role", ["other_young_person", "other_mentor", "staff_93", "coordinator_93", "superuser"]
)
def test_nobody_else_reaches_a_match(request, asked, approved_mentor, client_for, role):
    match = _confirm(asked, approved_mentor)
    client = client_for(request.getfixturevalue(role))
    assert client.get(MATCHES).json()["results"] == []
    assert client.get(f"{MATCHES}{match.pk}/").status_code == 404
    for action in ("accept", "pause", "end", "feedback"):
        response = client.post(f"{MATCHES}{match.pk}/{action}/", {"reason": "other"}, format="json")
        assert response.status_code == 404
    match.refresh_from_db()
    assert match.status == "active"


def test_anonymous_is_401(api_client):
    assert api_client.get(MATCHES).status_code == 401
    assert api_client.get(REQUEST).status_code == 401


def test_a_closed_account_ends_its_matches(asked, approved_mentor, mentee, client_for):
    _confirm(asked, approved_mentor)
    account_services.user_erase(user=User.objects.get(pk=approved_mentor.pk))
    # The young person keeps their side, ended, the mentor detached (until the purge of
    # SAFETY_REPORT_RETENTION_DAYS).
    match = Match.objects.get()
    assert (match.status, match.end_reason) == ("ended", "account_closed")
    assert match.mentor_id is None
    assert match.mentor_erased_at is not None
    # The young person may ask again.
    response = client_for(mentee).post(REQUEST, request_data(), format="json")
    assert response.status_code == 201


def test_mentoring_is_in_the_personal_data_export(asked, approved_mentor, mentee, client_for):
    _confirm(asked, approved_mentor)
    export = client_for(mentee).get("/api/v1/me/export/").json()["mentoring"]
    assert export["requests"][0]["needs"] == ["housing"]
    assert export["matches"][0]["with"] == approved_mentor.first_name
    mentor_export = client_for(approved_mentor).get("/api/v1/me/export/").json()["mentoring"]
    assert mentor_export["mentor_application"]["status"] == "approved"


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(MATCHES)
    assert response.status_code == 200
    return len(queries)


def test_the_list_of_matches_costs_the_same_for_one_row_or_five(
    mentor, approve, make_mentee, client_for
):
    approve(mentor, capacity=5)
    client = client_for(mentor)
    mentees = [make_mentee(f"mentee{n}@example.org") for n in range(5)]

    def pair(young_person):
        request = services.request_create(young_person=young_person, data=service_request_data())
        services.match_create(request=request, mentor=mentor, origin="coordinator")

    pair(mentees[0])
    one = _list_queries(client)
    for young_person in mentees[1:]:
        pair(young_person)
    assert len(client.get(MATCHES).json()["results"]) == 5
    assert _list_queries(client) == one


@pytest.mark.parametrize(
    "url",
    [
        f"{MATCHES}{'9' * 19}/",
        f"{MATCHES}{'9' * 19}/end/",
        f"/api/v1/mentoring/meetings/{'9' * 19}/ics/",
        f"/api/v1/me/appointments/{'9' * 19}/",
    ],
)
def test_huge_ids_are_404(mentee, client_for, url):
    response = client_for(mentee).get(url)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
