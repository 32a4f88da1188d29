"""Writes of the path to autonomy: the young person asks for their six-month interview."""

from django.db import transaction
from django.utils import timezone

from accounts import selectors as accounts_selectors

from .exceptions import InterviewAlreadyHeld, NotLeftCare
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
