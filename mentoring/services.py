"""Writes on mentoring. Views, admin actions, commands and tasks all call these."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import MentorProfile
from .selectors import honourability_valid_since

Status = MentorProfile.Status

# What a mentor says of themselves; the rest (status, check, decision) is the coordinator's.
APPLICATION_FIELDS = (
    "departement",
    "organisation",
    "domains",
    "languages",
    "commune_code",
    "latitude",
    "longitude",
    "max_distance_km",
    "meeting_mode",
    "availability",
    "capacity",
    "gender",
)


@transaction.atomic
def mentor_apply(*, user, data: dict) -> MentorProfile:
    """Create or update ``user``'s application from validated ``data``.

    Moving to another département sends the application back to vetting there: its
    coordinator has not vetted this person.
    """
    profile = MentorProfile.objects.select_for_update().filter(user=user).first()
    if profile is None:
        profile = MentorProfile(user=user)
    elif "departement" in data and data["departement"] != profile.departement:
        profile.status = Status.PENDING
        profile.decided_at = profile.decided_by = None
    for name in APPLICATION_FIELDS:
        if name in data:
            setattr(profile, name, data[name])
    profile.full_clean()
    profile.save()
    return profile


@transaction.atomic
def mentor_decide(
    *,
    profile: MentorProfile,
    status: str,
    by,
    note: str = "",
    honourability_checked_on=None,
) -> MentorProfile:
    """Record a coordinator's decision on a mentor (approve, reject, suspend).

    Approving needs an honourability check recent enough (required to work with minors).
    """
    if honourability_checked_on is not None:
        profile.honourability_checked_on = honourability_checked_on
    if status == Status.APPROVED:
        checked = profile.honourability_checked_on
        if checked is None or checked < honourability_valid_since():
            raise ValidationError(
                {
                    "honourability_checked_on": ValidationError(
                        _("Approving a mentor needs a recent honourability check."),
                        code="honourability_check_missing",
                    )
                }
            )
    profile.status = status
    profile.decision_note = note or profile.decision_note
    profile.decided_at = timezone.now()
    profile.decided_by = by
    profile.full_clean()
    profile.save()
    return profile
