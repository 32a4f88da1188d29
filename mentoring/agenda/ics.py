"""Calendar files (iCalendar, RFC 5545) for meetings and appointments."""

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from icalendar import Alarm, Calendar, Event

from ..models import Appointment, Meeting

PRODID = "-//Jalon//Jalon//FR"

MEETING_STATUS = {
    Meeting.Status.PROPOSED: "TENTATIVE",
    Meeting.Status.ACCEPTED: "CONFIRMED",
    Meeting.Status.DECLINED: "CANCELLED",
    Meeting.Status.CANCELLED: "CANCELLED",
}


def _calendar(
    *,
    uid: str,
    summary: str,
    starts_at,
    duration_minutes: int,
    updated_at,
    status: str,
    reminder_offsets,
    place: str = "",
    url: str = "",
    description: str = "",
) -> bytes:
    """One VEVENT in a published VCALENDAR, with its VTIMEZONE and alarms."""
    tz = ZoneInfo(settings.TIME_ZONE)
    start = starts_at.astimezone(tz)
    end = start + timedelta(minutes=duration_minutes)

    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", timezone.now().astimezone(ZoneInfo("UTC")))
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", summary)
    if place:
        event.add("location", place)
    if url:
        event.add("url", url)
    if description:
        event.add("description", description)
    event.add("status", status)
    # A later change gives a greater sequence: calendar apps take the new time.
    event.add("sequence", int(updated_at.timestamp()))
    for minutes in reminder_offsets or []:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("trigger", timedelta(minutes=-int(minutes)))
        alarm.add("description", summary)
        event.add_component(alarm)

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add_component(event)
    # Only the transitions around the event, not decades of them.
    calendar.add_missing_timezones(
        first_date=date(start.year - 1, 1, 1), last_date=date(end.year + 2, 1, 1)
    )
    return calendar.to_ical()


def meeting_ics(meeting: Meeting, *, for_user) -> bytes:
    """The meeting as an iCalendar file for ``for_user``, named after the other member."""
    match = meeting.match
    other = match.mentor if for_user.pk == match.young_person_id else match.young_person
    return _calendar(
        uid=f"meeting-{meeting.pk}@jalon",
        summary=_("Meeting with %(name)s") % {"name": other.first_name},
        starts_at=meeting.starts_at,
        duration_minutes=meeting.duration_minutes,
        updated_at=meeting.updated_at,
        status=MEETING_STATUS.get(meeting.status, "TENTATIVE"),
        reminder_offsets=meeting.reminder_offsets,
        place=meeting.place,
        url=meeting.video_url,
        description=meeting.video_url,
    )


def appointment_ics(appointment: Appointment) -> bytes:
    """The young person's appointment as an iCalendar file."""
    return _calendar(
        uid=f"appointment-{appointment.pk}@jalon",
        summary=appointment.title,
        starts_at=appointment.starts_at,
        duration_minutes=appointment.duration_minutes,
        updated_at=appointment.updated_at,
        status="CONFIRMED",
        reminder_offsets=appointment.reminder_offsets,
        place=appointment.place,
        description=appointment.notes,
    )


def ics_response(data: bytes, filename: str) -> HttpResponse:
    """An HTTP response downloading ``data`` as the calendar file ``filename``."""
    response = HttpResponse(data, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "no-store"
    return response
