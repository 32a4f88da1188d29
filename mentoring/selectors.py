"""Reads on mentoring; the vault relies on ``active_mentor_ids`` (through ``vault.ports``)."""

from datetime import date, timedelta

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from .conversations import with_bodies
from .matching import MentorCandidate, Proposal, RequestNeeds, propose
from .models import (
    Appointment,
    Conversation,
    DepartementMentoring,
    Device,
    Match,
    Meeting,
    MentoringRequest,
    MentorProfile,
    Message,
    Notification,
)


def active_mentor_for(young_person):
    """The mentor of ``young_person``'s active match, or None (paused matches give none).

    The vault asks the same, for many young people at once, through ``active_mentor_ids``.
    """
    match = (
        Match.objects.filter(young_person=young_person, status=Match.Status.ACTIVE)
        .select_related("mentor")
        .first()
    )
    return match.mentor if match else None


def active_mentor_ids(young_person_ids) -> dict[int, int]:
    """``{young person id: their active mentor's id}`` for those who have one, one query.

    What the vault asks (``vault.ports``) before it lets a mentor see a share; paused
    matches give none. Ending a match revokes those shares (``services.match_end``).
    """
    return dict(
        Match.objects.filter(
            young_person_id__in=young_person_ids, status=Match.Status.ACTIVE
        ).values_list("young_person_id", "mentor_id")
    )


CURRENT_MATCH_STATUSES = (Match.Status.PROPOSED, Match.Status.ACTIVE, Match.Status.PAUSED)


def pairing_of(departement_id: str) -> str:
    """How ``departement_id`` pairs people (the coordinator confirms, by default)."""
    setting = DepartementMentoring.objects.filter(departement_id=departement_id).first()
    return setting.pairing if setting else DepartementMentoring.Pairing.COORDINATOR


def _as_float(value) -> float | None:
    return float(value) if value is not None else None


def mentor_candidates(departement_id: str, today: date | None = None) -> list[MentorCandidate]:
    """The département's matchable mentors, with their free places, for the matcher."""
    profiles = (
        matchable_mentors(today)
        .filter(departement_id=departement_id)
        .annotate(
            taken=Count(
                "user__matches_as_mentor",
                filter=Q(user__matches_as_mentor__status__in=CURRENT_MATCH_STATUSES),
            )
        )
        .order_by("user_id")
    )
    return [mentor_candidate(profile, taken=profile.taken) for profile in profiles]


def mentor_candidate(profile: MentorProfile, *, taken: int) -> MentorCandidate:
    return MentorCandidate(
        id=profile.user_id,
        domains=frozenset(profile.domains),
        languages=frozenset(profile.languages),
        latitude=_as_float(profile.latitude),
        longitude=_as_float(profile.longitude),
        commune_code=profile.commune_code,
        max_distance_km=profile.max_distance_km,
        meeting_mode=profile.meeting_mode,
        availability=frozenset(profile.availability),
        gender=profile.gender,
        free_slots=max(0, profile.capacity - taken),
    )


def request_needs(request: MentoringRequest) -> RequestNeeds:
    profile = getattr(request.young_person, "profile", None)
    return RequestNeeds(
        id=request.pk,
        needs=frozenset(request.needs),
        languages=frozenset(request.languages),
        latitude=_as_float(request.latitude),
        longitude=_as_float(request.longitude),
        commune_code=request.commune_code,
        meeting_mode=request.meeting_mode,
        preferred_gender=request.preferred_gender,
        availability=frozenset(request.availability),
        waiting_since=timezone.localdate(request.created_at),
        birth_date=profile.birth_date if profile else None,
    )


def proposals_for(request: MentoringRequest, *, limit: int = 5) -> list[Proposal]:
    """The best mentors for ``request`` with room for a mentee, with their score's parts."""
    return propose(request_needs(request), mentor_candidates(request.departement_id), limit=limit)


def current_request_of(young_person) -> MentoringRequest | None:
    """The young person's waiting request, or else their latest one."""
    requests = MentoringRequest.objects.filter(young_person=young_person)
    return (
        requests.filter(status=MentoringRequest.Status.WAITING).first()
        or requests.order_by("-created_at").first()
    )


# --- Access: one helper per protected resource, used by every view ---------------------
# ``<resources>_for_user(*, user)``: what ``user`` may see, as a queryset (the lists);
# ``<resource>_get_for_user(*, user, <resource>_id)``: one of them, or Http404 (never 403:
# no hint that it exists).


def matches_for_user(*, user) -> QuerySet[Match]:
    """The matches ``user`` is in, as mentee or as mentor, current ones first."""
    return (
        Match.objects.filter(Q(young_person=user) | Q(mentor=user))
        # Everything MatchSerializer reads, so a list costs the same for any number of rows.
        .select_related(
            "young_person", "young_person__profile", "mentor", "mentor__mentor_profile", "request"
        )
        .order_by("ended_at", "-proposed_at")
    )


def match_get_for_user(*, user, match_id: int) -> Match:
    """A match ``user`` is in (meetings, messages and reports are reached through it)."""
    return _get_or_404(matches_for_user(user=user), match_id)


def meeting_get_for_user(*, user, meeting_id: int) -> Meeting:
    """A meeting of one of ``user``'s matches."""
    meetings = Meeting.objects.filter(match__in=matches_for_user(user=user))
    return _get_or_404(meetings.select_related("match", "match__conversation"), meeting_id)


def message_get_for_user(*, user, match_id: int, message_id: int) -> Message:
    """A message (either side's) of the conversation of ``match_id``, one of ``user``'s
    matches."""
    messages = Message.objects.filter(
        conversation__match__in=matches_for_user(user=user), conversation__match_id=match_id
    )
    return _get_or_404(messages, message_id)


def appointments_for_user(*, user) -> QuerySet[Appointment]:
    """A young person's own appointments: nobody else sees them, not even their mentor."""
    # With the owner's key row: the sealed title, place and notes open without a query each.
    return Appointment.objects.filter(owner=user).select_related("owner__vault_key")


def appointment_get_for_user(*, user, appointment_id: int) -> Appointment:
    return _get_or_404(appointments_for_user(user=user), appointment_id)


def devices_for_user(*, user) -> QuerySet[Device]:
    return Device.objects.filter(user=user)


def device_get_for_user(*, user, device_id: int) -> Device:
    return _get_or_404(devices_for_user(user=user), device_id)


def notifications_for_user(*, user) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user)


def mentor_profile_get_for_user(*, user) -> MentorProfile:
    """The signed-in volunteer's own application, or Http404 before they apply."""
    profile = mentor_profile_of(user)
    if profile is None:
        raise Http404
    return profile


def request_get_for_user(*, user) -> MentoringRequest:
    """The young person's current request (``current_request_of``), or Http404."""
    mentoring_request = current_request_of(user)
    if mentoring_request is None:
        raise Http404
    return mentoring_request


def _get_or_404(queryset: QuerySet, pk: int):
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def waiting_requests(departement_id: str) -> QuerySet[MentoringRequest]:
    """Requests still waiting, with no proposal pending: the département's waiting list."""
    return (
        MentoringRequest.objects.filter(
            departement_id=departement_id, status=MentoringRequest.Status.WAITING
        )
        .exclude(matches__status__in=CURRENT_MATCH_STATUSES)
        .select_related("young_person", "young_person__profile")
        .order_by("created_at", "pk")
    )


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


def mentor_profiles_by_user(user_ids: list[int]) -> dict[int, MentorProfile]:
    profiles = MentorProfile.objects.filter(user_id__in=user_ids).select_related("user")
    return {profile.user_id: profile for profile in profiles}


def personal_data_export(user) -> dict:
    """Mentoring's part of ``/api/v1/me/export/``."""
    profile = mentor_profile_of(user)
    return {
        "mentor_application": (
            {
                "departement": profile.departement_id,
                "organisation": profile.organisation,
                "domains": profile.domains,
                "languages": profile.languages,
                "commune_code": profile.commune_code,
                "max_distance_km": profile.max_distance_km,
                "meeting_mode": profile.meeting_mode,
                "availability": profile.availability,
                "capacity": profile.capacity,
                "status": profile.status,
                "honourability_checked_on": (
                    profile.honourability_checked_on.isoformat()
                    if profile.honourability_checked_on
                    else None
                ),
                "applied_at": profile.applied_at.isoformat(),
            }
            if profile
            else None
        ),
        "requests": list(
            MentoringRequest.objects.filter(young_person=user).values(
                "needs",
                "languages",
                "commune_code",
                "meeting_mode",
                "preferred_gender",
                "availability",
                "status",
                "created_at",
                "closed_at",
            )
        ),
        "matches": [_match_export(match, user) for match in matches_for_user(user=user)],
    }


def _match_export(match: Match, user) -> dict:
    as_mentor = match.mentor_id == user.pk
    other = match.young_person if as_mentor else match.mentor
    return {
        "role": "mentor" if as_mentor else "mentee",
        "with": other.first_name if other is not None else "",  # empty: the account is erased
        "status": match.status,
        "proposed_at": match.proposed_at.isoformat(),
        "activated_at": match.activated_at.isoformat() if match.activated_at else None,
        "ended_at": match.ended_at.isoformat() if match.ended_at else None,
        "end_reason": match.end_reason,
        "my_feedback": match.mentor_feedback if as_mentor else match.young_person_feedback,
        "messages": _messages_export(match, user),
    }


def _messages_export(match: Match, user) -> list[dict]:
    conversation = Conversation.objects.filter(match=match).first()
    if conversation is None:
        return []
    return [
        {"mine": m.sender_id == user.pk, "body": m.body, "at": m.created_at.isoformat()}
        for m in with_bodies(conversation, conversation.messages.all())
    ]
