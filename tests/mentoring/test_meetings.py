"""Meetings of a pair: propose, accept, decline, reschedule, cancel, with reminders."""

from datetime import timedelta

import pytest
from django.utils import timezone

from mentoring import services
from mentoring.models import Meeting, Reminder

from .conftest import MATCHES
from .factories import service_request_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def match(mentee, approved_mentor):
    request = services.request_create(young_person=mentee, data=service_request_data())
    return services.match_create(request=request, mentor=approved_mentor, origin="coordinator")


def _propose(client, match, **overrides):
    body = {
        "starts_at": (timezone.now() + timedelta(days=5)).isoformat(),
        "place": "Café de la gare, Bobigny",
        **overrides,
    }
    return client.post(f"{MATCHES}{match.pk}/meetings/", body, format="json")


def test_a_meeting_is_proposed_then_accepted_with_reminders_for_both(
    match, mentee, approved_mentor, client_for
):
    young, mentor = client_for(mentee), client_for(approved_mentor)
    response = _propose(young, match)
    assert response.status_code == 201, response.json()
    meeting_id = response.json()["id"]
    assert not Reminder.objects.exists()  # nothing to remind of until accepted
    # The one who proposed does not accept their own proposal.
    assert young.post(f"/api/v1/mentoring/meetings/{meeting_id}/accept/").status_code == 409
    response = mentor.post(f"/api/v1/mentoring/meetings/{meeting_id}/accept/")
    assert response.json()["status"] == "accepted"
    assert sorted(Reminder.objects.values_list("user_id", "offset_minutes")) == sorted(
        [(mentee.pk, 1440), (mentee.pk, 60), (approved_mentor.pk, 1440), (approved_mentor.pk, 60)]
    )


def test_rescheduling_moves_the_reminders_and_asks_again(
    match, mentee, approved_mentor, client_for
):
    young, mentor = client_for(mentee), client_for(approved_mentor)
    meeting_id = _propose(young, match).json()["id"]
    mentor.post(f"/api/v1/mentoring/meetings/{meeting_id}/accept/")
    new_time = timezone.now() + timedelta(days=8)
    response = mentor.post(
        f"/api/v1/mentoring/meetings/{meeting_id}/reschedule/",
        {"starts_at": new_time.isoformat()},
        format="json",
    )
    assert response.json()["status"] == "proposed"
    assert not Reminder.objects.filter(state="pending").exists()
    young.post(f"/api/v1/mentoring/meetings/{meeting_id}/accept/")
    pending = Reminder.objects.filter(state="pending", offset_minutes=60)
    assert {r.due_at for r in pending} == {new_time - timedelta(hours=1)}


@pytest.mark.parametrize("body", [{}, {"reminder_offsets": [60]}, None])
def test_a_reschedule_that_changes_nothing_is_refused_and_the_meeting_stays_accepted(
    match, mentee, approved_mentor, client_for, body
):
    """An empty reschedule would propose the accepted meeting again: 400, nothing moves."""
    young, mentor = client_for(mentee), client_for(approved_mentor)
    meeting_id = _propose(young, match).json()["id"]
    mentor.post(f"/api/v1/mentoring/meetings/{meeting_id}/accept/")
    reminders = sorted(Reminder.objects.values_list("pk", "state", "due_at"))
    url = f"/api/v1/mentoring/meetings/{meeting_id}/reschedule/"
    response = mentor.post(url, body, format="json") if body is not None else mentor.post(url)
    assert response.status_code == 400
    (error,) = response.json()["error"]["fields"]["non_field_errors"]
    assert error == {
        "code": "required",
        "message": "Indiquez la nouvelle heure ou le nouveau lieu du rendez-vous.",
    }
    assert Meeting.objects.get(pk=meeting_id).status == "accepted"
    assert sorted(Reminder.objects.values_list("pk", "state", "due_at")) == reminders


def test_cancel_and_decline_leave_no_reminder(match, mentee, approved_mentor, client_for):
    young, mentor = client_for(mentee), client_for(approved_mentor)
    first = _propose(young, match).json()["id"]
    mentor.post(f"/api/v1/mentoring/meetings/{first}/accept/")
    assert young.post(f"/api/v1/mentoring/meetings/{first}/cancel/").json()["status"] == (
        "cancelled"
    )
    second = _propose(mentor, match).json()["id"]
    assert young.post(f"/api/v1/mentoring/meetings/{second}/decline/").json()["status"] == (
        "declined"
    )
    assert not Reminder.objects.filter(state="pending").exists()


def test_meetings_need_an_active_match_and_a_place(match, mentee, client_for):
    client = client_for(mentee)
    response = _propose(client, match, place="")
    assert response.status_code == 400
    assert "place" in response.json()["error"]["fields"]
    assert (
        _propose(client, match, place="", video_url="https://visio.example.org/abc").status_code
        == 201
    )
    services.match_pause(match=match, by=mentee)
    assert _propose(client, match).status_code == 409
    assert Meeting.objects.count() == 1


@pytest.mark.parametrize(
    "role", ["other_young_person", "other_mentor", "staff_93", "coordinator_93"]
)
def test_nobody_else_sees_or_touches_a_meeting(request, match, mentee, client_for, role):
    meeting_id = _propose(client_for(mentee), match).json()["id"]
    client = client_for(request.getfixturevalue(role))
    assert client.get(f"/api/v1/mentoring/meetings/{meeting_id}/").status_code == 404
    assert client.post(f"/api/v1/mentoring/meetings/{meeting_id}/accept/").status_code == 404
    assert _propose(client, match).status_code == 404
    assert Meeting.objects.get().status == "proposed"


def test_meetings_and_appointments_export_as_ics(match, mentee, approved_mentor, client_for):
    young = client_for(mentee)
    meeting_id = _propose(young, match).json()["id"]
    response = client_for(approved_mentor).get(f"/api/v1/mentoring/meetings/{meeting_id}/ics/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert "BEGIN:VEVENT" in body and "Aminata" in body
    assert client_for(mentee).get("/api/v1/mentoring/meetings/999999/ics/").status_code == 404
    appointment = young.post(
        "/api/v1/me/appointments/",
        {"title": "Préfecture", "starts_at": timezone.now().isoformat()},
        format="json",
    ).json()
    response = young.get(f"/api/v1/me/appointments/{appointment['id']}/ics/")
    assert "SUMMARY:Préfecture" in response.content.decode()
