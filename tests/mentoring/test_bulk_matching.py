"""Bulk matching of a département's waiting list, by command and admin action."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from mentoring import services
from mentoring.models import Match, MentoringRequest

from .factories import service_request_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting_list(make_mentee):
    """Three requests for housing (one waiting 100 days), one for health nobody covers."""
    now = timezone.now()
    people = {
        name: make_mentee(f"{name}@example.org")
        for name in ("ancienne", "recente", "autre", "sante")
    }
    requests = {}
    for name, person in people.items():
        needs = ["health"] if name == "sante" else ["housing"]
        requests[name] = services.request_create(
            young_person=person, data=service_request_data(needs=needs)
        )
    MentoringRequest.objects.filter(pk=requests["ancienne"].pk).update(
        created_at=now - timedelta(days=100)
    )
    return requests


def test_bulk_matching_fills_capacity_and_says_who_waits_and_why(
    waiting_list, approve, mentor, other_mentor
):
    approve(mentor, capacity=1)
    approve(other_mentor, capacity=1, domains=["studies"])  # fits nobody here
    report = services.bulk_match(departement_id="93")
    assert [m.request_id for m in report.matched] == [waiting_list["ancienne"].pk]
    assert Match.objects.get().mentor == mentor  # the one waiting longest goes first
    assert report.unmatched[waiting_list["sante"].pk] == "no_compatible_mentor"
    assert {report.unmatched[waiting_list[n].pk] for n in ("recente", "autre")} == {"outcompeted"}
    # Run again: the mentor is full now, and says so.
    again = services.bulk_match(departement_id="93")
    assert again.matched == []
    assert again.unmatched[waiting_list["recente"].pk] == "compatible_mentors_full"
    assert Match.objects.filter(mentor=mentor).count() == 1


def test_a_dry_run_changes_nothing(waiting_list, approve, mentor):
    approve(mentor, capacity=2)
    out = io.StringIO()
    call_command("bulk_match", "93", "--dry-run", stdout=out)
    assert "would match 2 pair(s)" in out.getvalue()
    assert "no approved mentor fits" in out.getvalue()
    assert not Match.objects.exists()
    call_command("bulk_match", "93", stdout=out)
    assert Match.objects.filter(status="active", origin="bulk").count() == 2


def test_the_coordinator_runs_it_from_the_admin(waiting_list, approve, mentor, coordinator_93):
    approve(mentor, capacity=3)
    client = Client()
    client.force_login(coordinator_93)
    response = client.post(
        "/admin/mentoring/mentoringrequest/",
        {"action": "bulk_match", "_selected_action": [waiting_list["autre"].pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert Match.objects.count() == 3
    assert "aucun mentor approuvé ne convient : 1" in response.content.decode()


def test_the_requests_list_opens_on_the_waiting_ones(waiting_list, approve, mentor, coordinator_93):
    approve(mentor, capacity=1)
    services.bulk_match(departement_id="93")  # the one waiting longest is matched
    client = Client()
    client.force_login(coordinator_93)

    def listed(query=""):
        response = client.get(f"/admin/mentoring/mentoringrequest/{query}")
        assert response.status_code == 200
        return {request.pk for request in response.context["cl"].result_list}

    waiting = {waiting_list[name].pk for name in ("recente", "autre", "sante")}
    assert listed() == waiting
    assert listed("?status=matched") == {waiting_list["ancienne"].pk}
    assert listed("?status=all") == waiting | {waiting_list["ancienne"].pk}
    page = client.get("/admin/mentoring/mentoringrequest/").content.decode()
    assert escape("En attente d'un mentor") in page and ">Tous<" in page
