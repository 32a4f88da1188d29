"""Writes on the agenda: meetings of a pair, appointments, devices and the inbox."""

from django.db import transaction
from django.utils import timezone

from backend.services import model_update

from ..exceptions import MatchConflict
from ..models import Appointment, Device, Match, Meeting, Notification
from . import reminders

APPOINTMENT_FIELDS = (
    "title",
    "starts_at",
    "duration_minutes",
    "place",
    "notes",
    "reminder_offsets",
    "shared_with_referents",
)
MEETING_FIELDS = ("starts_at", "duration_minutes", "place", "video_url", "reminder_offsets")


@transaction.atomic
def appointment_save(*, owner, data: dict, appointment: Appointment | None = None) -> Appointment:
    """Create or change an appointment; its reminders follow."""
    appointment, _changed = model_update(
        appointment or Appointment(owner=owner), fields=APPOINTMENT_FIELDS, data=data
    )
    reminders.schedule_appointment(appointment)
    return appointment


@transaction.atomic
def appointment_delete(*, appointment: Appointment) -> None:
    appointment.delete()  # its reminders go with it


@transaction.atomic
def meeting_propose(*, match: Match, by, data: dict) -> Meeting:
    """Either member proposes a meeting; the other accepts or declines."""
    if match.status != Match.Status.ACTIVE:
        raise MatchConflict("wrong_status")
    meeting, _changed = model_update(
        Meeting(match=match, proposed_by=by), fields=MEETING_FIELDS, data=data
    )
    return meeting


def _locked(meeting: Meeting, *allowed: str) -> Meeting:
    meeting = Meeting.objects.select_for_update().select_related("match").get(pk=meeting.pk)
    if meeting.status not in allowed:
        raise MatchConflict("wrong_status")
    return meeting


@transaction.atomic
def meeting_answer(*, meeting: Meeting, by, accept: bool) -> Meeting:
    """The member who did not propose accepts (reminders for both) or declines."""
    meeting = _locked(meeting, Meeting.Status.PROPOSED)
    if by.pk == meeting.proposed_by_id:
        raise MatchConflict("wrong_status")
    if accept and meeting.match.status != Match.Status.ACTIVE:
        raise MatchConflict("wrong_status")
    meeting.status = Meeting.Status.ACCEPTED if accept else Meeting.Status.DECLINED
    meeting.save(update_fields=["status", "updated_at"])
    reminders.schedule_meeting(meeting)
    return meeting


@transaction.atomic
def meeting_reschedule(*, meeting: Meeting, by, data: dict) -> Meeting:
    """A new time or place: proposed again, to be accepted by the other member."""
    meeting = _locked(meeting, Meeting.Status.PROPOSED, Meeting.Status.ACCEPTED)
    if meeting.match.status != Match.Status.ACTIVE:
        raise MatchConflict("wrong_status")  # no new words from outside an active match
    meeting, _changed = model_update(
        meeting,
        fields=[*MEETING_FIELDS, "proposed_by", "status"],
        data={**data, "proposed_by": by, "status": Meeting.Status.PROPOSED},
    )
    reminders.schedule_meeting(meeting)  # cancels the reminders of the old time
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting: Meeting) -> Meeting:
    meeting = _locked(meeting, Meeting.Status.PROPOSED, Meeting.Status.ACCEPTED)
    meeting.status = Meeting.Status.CANCELLED
    meeting.save(update_fields=["status", "updated_at"])
    reminders.schedule_meeting(meeting)
    return meeting


def device_register(*, user, platform: str, token: str) -> Device:
    """Register a phone for push (a token moves to whoever registers it last)."""
    device, _created = Device.objects.update_or_create(
        token=token, defaults={"user": user, "platform": platform}
    )
    return device


def notifications_mark_read(*, user, ids: list[int] | None = None) -> int:
    """Mark the user's notifications read (all of them when ``ids`` is None)."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())
