"""Calendar files of meetings and appointments: they parse back to what was stored."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from mentoring import services
from mentoring.agenda.ics import appointment_ics, ics_response, meeting_ics
from mentoring.models import Appointment, Meeting

from .factories import service_request_data

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
# The day clocks go forward in Paris.
STARTS_AT = datetime(2026, 3, 29, 10, 0, tzinfo=PARIS)
NOTES = "Apporter : pièce d'identité, justificatif; avis d'imposition\nÉtage 2, bureau « B »"


@pytest.fixture
def match(mentee, approved_mentor):
    request = services.request_create(young_person=mentee, data=service_request_data())
    return services.match_create(request=request, mentor=approved_mentor, origin="coordinator")


@pytest.fixture
def make_meeting(match, mentee):
    def _make(status=Meeting.Status.ACCEPTED, **overrides):
        return Meeting.objects.create(
            match=match,
            proposed_by=mentee,
            starts_at=STARTS_AT,
            duration_minutes=90,
            place="Café de la gare, Bobigny",
            video_url="https://visio.example.org/rencontre-42",
            status=status,
            reminder_offsets=[1440, 60],
            **overrides,
        )

    return _make


@pytest.fixture
def appointment(mentee):
    return Appointment.objects.create(
        owner=mentee,
        title="Rendez-vous CAF",
        starts_at=STARTS_AT,
        duration_minutes=45,
        place="CAF, 2 rue de Paris, Bobigny",
        notes=NOTES,
        reminder_offsets=[1440, 60],
    )


def _event(data: bytes):
    calendar = Calendar.from_ical(data)
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return calendar, events[0]


def _assert_well_formed(data: bytes):
    assert data.endswith(b"\r\n")
    for line in data.split(b"\r\n")[:-1]:
        assert b"\n" not in line and b"\r" not in line
        assert len(line) <= 75


def test_a_meeting_parses_back_to_its_time_place_and_reminders(
    make_meeting, mentee, approved_mentor
):
    meeting = make_meeting()
    data = meeting_ics(meeting, for_user=mentee)
    _assert_well_formed(data)
    calendar, event = _event(data)

    assert calendar["PRODID"] == "-//Jalon//Jalon//FR"
    assert calendar["VERSION"] == "2.0"
    assert calendar["METHOD"] == "PUBLISH"
    assert event["UID"] == f"meeting-{meeting.pk}@jalon"
    assert event.start == STARTS_AT
    assert event.start.utcoffset() == timedelta(hours=2)  # summer time already
    assert event.end == STARTS_AT + timedelta(minutes=90)
    assert event["DTSTART"].params["TZID"] == "Europe/Paris"
    assert event["DTSTAMP"].dt.utcoffset() == timedelta(0)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]
    assert event["LOCATION"] == "Café de la gare, Bobigny"
    assert event["URL"] == "https://visio.example.org/rencontre-42"
    assert "https://visio.example.org/rencontre-42" in event["DESCRIPTION"]
    assert event["SEQUENCE"] == int(meeting.updated_at.timestamp())

    alarms = event.walk("VALARM")
    assert [alarm["TRIGGER"].dt for alarm in alarms] == [
        timedelta(hours=-24),
        timedelta(hours=-1),
    ]
    assert {str(alarm["ACTION"]) for alarm in alarms} == {"DISPLAY"}
    assert {str(alarm["DESCRIPTION"]) for alarm in alarms} == {str(event["SUMMARY"])}


def test_the_summary_names_the_other_member(make_meeting, mentee, approved_mentor):
    meeting = make_meeting()
    _, for_mentee = _event(meeting_ics(meeting, for_user=mentee))
    _, for_mentor = _event(meeting_ics(meeting, for_user=approved_mentor))
    assert approved_mentor.first_name in for_mentee["SUMMARY"]
    assert mentee.first_name not in for_mentee["SUMMARY"]
    assert mentee.first_name in for_mentor["SUMMARY"]
    assert approved_mentor.first_name not in for_mentor["SUMMARY"]


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (Meeting.Status.PROPOSED, "TENTATIVE"),
        (Meeting.Status.ACCEPTED, "CONFIRMED"),
        (Meeting.Status.DECLINED, "CANCELLED"),
        (Meeting.Status.CANCELLED, "CANCELLED"),
    ],
)
def test_the_status_follows_the_meeting(make_meeting, mentee, status, expected):
    _, event = _event(meeting_ics(make_meeting(status=status), for_user=mentee))
    assert event["STATUS"] == expected


def test_a_cancelled_meeting_is_cancelled_in_the_calendar(make_meeting, mentee):
    data = meeting_ics(make_meeting(status=Meeting.Status.CANCELLED), for_user=mentee)
    assert b"\r\nSTATUS:CANCELLED\r\n" in data


def test_a_meeting_without_video_has_no_url(make_meeting, mentee):
    meeting = make_meeting(status=Meeting.Status.ACCEPTED)
    meeting.video_url = ""
    _, event = _event(meeting_ics(meeting, for_user=mentee))
    assert "URL" not in event
    assert "DESCRIPTION" not in event


def test_a_later_change_has_a_greater_sequence(make_meeting, mentee):
    meeting = make_meeting()
    _, before = _event(meeting_ics(meeting, for_user=mentee))
    Meeting.objects.filter(pk=meeting.pk).update(
        updated_at=meeting.updated_at + timedelta(minutes=5),
        starts_at=STARTS_AT + timedelta(days=1),
    )
    meeting.refresh_from_db()
    _, after = _event(meeting_ics(meeting, for_user=mentee))
    assert after["SEQUENCE"] > before["SEQUENCE"]
    assert after.start == STARTS_AT + timedelta(days=1)


def test_an_appointment_parses_back_with_its_notes_exactly(appointment):
    data = appointment_ics(appointment)
    _assert_well_formed(data)
    calendar, event = _event(data)

    assert event["UID"] == f"appointment-{appointment.pk}@jalon"
    assert event["SUMMARY"] == "Rendez-vous CAF"
    assert event["STATUS"] == "CONFIRMED"
    assert event["LOCATION"] == "CAF, 2 rue de Paris, Bobigny"
    assert event["DESCRIPTION"] == NOTES
    assert event.start == STARTS_AT
    assert event.end == STARTS_AT + timedelta(minutes=45)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]
    assert [alarm["TRIGGER"].dt for alarm in event.walk("VALARM")] == [
        timedelta(hours=-24),
        timedelta(hours=-1),
    ]


def test_long_notes_are_folded_and_unfold_exactly(appointment):
    appointment.notes = ("Pièces à fournir, dans l'ordre ; " * 20 + "\nfin").strip()
    data = appointment_ics(appointment)
    _assert_well_formed(data)
    _, event = _event(data)
    assert event["DESCRIPTION"] == appointment.notes


def test_the_response_downloads_a_calendar_file(appointment):
    response = ics_response(appointment_ics(appointment), "rendez-vous.ics")
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="rendez-vous.ics"'
    assert response["Cache-Control"] == "no-store"
    assert response.content.startswith(b"BEGIN:VCALENDAR\r\n")


@pytest.mark.parametrize("method", ["put", "patch", "delete", "post"])
def test_an_appointments_calendar_file_only_reads(appointment, mentee, client_for, method):
    url = f"/api/v1/me/appointments/{appointment.pk}/ics/"
    response = getattr(client_for(mentee), method)(url, {"title": "Changé"}, format="json")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"
    appointment.refresh_from_db()
    assert appointment.title == "Rendez-vous CAF"


@pytest.mark.parametrize("method", ["put", "patch", "delete", "post"])
def test_a_meetings_calendar_file_only_reads(make_meeting, mentee, client_for, method):
    meeting = make_meeting()
    url = f"/api/v1/mentoring/meetings/{meeting.pk}/ics/"
    response = getattr(client_for(mentee), method)(url, {"place": "Ailleurs"}, format="json")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"
    meeting.refresh_from_db()
    assert (meeting.place, meeting.status) == ("Café de la gare, Bobigny", "accepted")
