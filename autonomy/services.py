"""Writes of the path to autonomy: the young person asks for their six-month interview;
a référent schedules an interview and records that it was held."""

from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import selectors as accounts_selectors
from accounts.dates import birthday
from mentoring.agenda import services as agenda

from . import selectors
from .exceptions import InterviewAlreadyHeld, InterviewRefused, NotLeftCare
from .models import Interview

# How far ahead a référent may set an interview.
SCHEDULE_HORIZON = timedelta(days=730)


@transaction.atomic
def six_months_interview_request(*, user) -> Interview:
    """The young person asks for the interview six months after leaving care (CASF art.
    L.222-5-2-1 lets them). Asking twice changes nothing."""
    profile = accounts_selectors.profile_for(user)
    if profile is None or profile.care_ended_on is None:
        raise NotLeftCare()
    interview, _created = Interview.objects.select_for_update().get_or_create(
        young_person=user, kind=Interview.Kind.SIX_MONTHS
    )
    if interview.held_on is not None:
        raise InterviewAlreadyHeld()
    if interview.requested_at is None:
        interview.requested_at = timezone.now()
        interview.save(update_fields=["requested_at", "updated_at"])
    return interview


# --- What a référent records (from /pro/) ----------------------------------------------------


def _step_of(link, kind: str, today: date):
    """The young person's step of ``kind``, if the law gives them one now."""
    if kind not in Interview.Kind.values:
        raise InterviewRefused()
    profile = accounts_selectors.profile_for(link.young_person)
    if kind == Interview.Kind.SIX_MONTHS and (profile is None or profile.care_ended_on is None):
        raise NotLeftCare(_("The young person's profile does not say when care ended."))
    steps = selectors.steps_of(profile, {}, today) if profile is not None else []
    step = next((step for step in steps if step.kind == kind), None)
    if step is None:
        raise InterviewRefused(
            _("The young person's profile gives them no such interview."), code="no_such_step"
        )
    return step


def _interview_for(link, kind: str) -> Interview:
    interview, _created = Interview.objects.select_for_update().get_or_create(
        young_person=link.young_person, kind=kind
    )
    return interview


@transaction.atomic
def interview_schedule(*, link, kind: str, starts_at: datetime, place: str) -> Interview:
    """A référent sets the interview's date: it becomes one of the young person's
    appointments, shared with their référents, with its reminders."""
    now = timezone.now()
    if starts_at <= now:
        raise InterviewRefused(_("Choose a date in the future."), code="past_date")
    if starts_at > now + SCHEDULE_HORIZON:
        raise InterviewRefused(_("Choose a date within the next two years."), code="too_far")
    step = _step_of(link, kind, timezone.localdate())
    if step.status == "missed":
        raise InterviewRefused(
            _("The interview at 17 is for a minor: the young person is 18 now."), code="missed"
        )
    interview = _interview_for(link, kind)
    if interview.held_on is not None:
        raise InterviewAlreadyHeld()
    data = {"title": str(Interview.Kind(kind).label), "starts_at": starts_at, "place": place}
    if interview.appointment is None:
        # Shared with the référents when made; the young person may unshare it after,
        # and a new date keeps their choice.
        data["shared_with_referents"] = True
    interview.appointment = agenda.appointment_save(
        owner=link.young_person, data=data, appointment=interview.appointment
    )
    interview.scheduled_for = starts_at
    interview.recorded_by = link.referent
    interview.save()
    return interview


@transaction.atomic
def interview_record_held(*, link, kind: str, held_on: date) -> Interview:
    """A référent records that the interview took place (on a day not in the future)."""
    today = timezone.localdate()
    if held_on > today:
        raise InterviewRefused(_("An interview cannot be held in the future."), code="future_date")
    _step_of(link, kind, today)
    profile = accounts_selectors.profile_for(link.young_person)
    earliest = (
        profile.care_ended_on
        if kind == Interview.Kind.SIX_MONTHS
        else birthday(profile.birth_date, 16)
    )
    if held_on < earliest:
        raise InterviewRefused(_("This date is too early for this interview."), code="too_early")
    interview = _interview_for(link, kind)
    interview.held_on = held_on
    interview.recorded_by = link.referent
    if interview.appointment is not None and interview.appointment.starts_at > timezone.now():
        # Held before its date: no reminder of an interview that took place.
        agenda.appointment_delete(appointment=interview.appointment)
        interview.appointment = None
    interview.save()
    return interview
