"""Writes of the path to autonomy: the young person asks for their six-month interview;
a référent schedules an interview and records that it was held."""

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import selectors as accounts_selectors
from mentoring.agenda import services as agenda

from .exceptions import InterviewAlreadyHeld, InterviewRefused, NotLeftCare
from .models import Interview


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


def _interview_for(link, kind: str) -> Interview:
    """The young person's interview of ``kind``, locked, if the law gives them one."""
    if kind not in Interview.Kind.values:
        raise InterviewRefused()
    if kind == Interview.Kind.SIX_MONTHS:
        profile = accounts_selectors.profile_for(link.young_person)
        if profile is None or profile.care_ended_on is None:
            raise NotLeftCare(_("The young person's profile does not say when care ended."))
    interview, _created = Interview.objects.select_for_update().get_or_create(
        young_person=link.young_person, kind=kind
    )
    return interview


@transaction.atomic
def interview_schedule(*, link, kind: str, starts_at: datetime, place: str) -> Interview:
    """A référent sets the interview's date: it becomes one of the young person's
    appointments, shared with their référents, with its reminders."""
    if starts_at <= timezone.now():
        raise InterviewRefused(_("Choose a date in the future."), code="past_date")
    interview = _interview_for(link, kind)
    if interview.held_on is not None:
        raise InterviewAlreadyHeld()
    data = {
        "title": str(Interview.Kind(kind).label),
        "starts_at": starts_at,
        "place": place,
        "shared_with_referents": True,
    }
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
    if held_on > timezone.localdate():
        raise InterviewRefused(_("An interview cannot be held in the future."), code="future_date")
    interview = _interview_for(link, kind)
    interview.held_on = held_on
    interview.recorded_by = link.referent
    interview.save()
    return interview
