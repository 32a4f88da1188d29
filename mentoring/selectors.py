"""Reads on mentoring; other apps rely on ``active_mentor_for``."""

from datetime import date, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import MentorProfile


def active_mentor_for(young_person):
    """The mentor of ``young_person``'s active match, or None.

    Matches arrive with the mentoring capability; until then nobody has an active mentor,
    and the vault's tests stand in for a match by replacing this function. Ending a match
    must call ``vault.services.shares_revoke_for_mentor``: a share is not tied to one
    match, so without it a later match with the same mentor would show old shares again.
    """
    return None


def honourability_valid_since(today: date | None = None) -> date:
    """The oldest honourability check that still lets a mentor be matched."""
    today = today or timezone.localdate()
    return today - timedelta(days=settings.MENTORING_HONOURABILITY_MAX_AGE_DAYS)


def mentor_is_matchable(profile: MentorProfile, today: date | None = None) -> bool:
    """Approved, with an honourability check recent enough."""
    return (
        profile.status == MentorProfile.Status.APPROVED
        and profile.honourability_checked_on is not None
        and profile.honourability_checked_on >= honourability_valid_since(today)
    )


def matchable_mentors(today: date | None = None) -> QuerySet[MentorProfile]:
    """The mentors a young person may be paired with (``mentor_is_matchable``, in SQL)."""
    return MentorProfile.objects.filter(
        Q(status=MentorProfile.Status.APPROVED)
        & Q(honourability_checked_on__gte=honourability_valid_since(today))
    )


def mentor_profile_of(user) -> MentorProfile | None:
    return MentorProfile.objects.filter(user=user).select_related("departement").first()
