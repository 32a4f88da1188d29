"""Writes on mentoring. Views, admin actions, commands and tasks all call these."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from backend.services import model_update
from vault import services as vault_services

from . import conversations, matching, selectors
from .agenda import reminders
from .exceptions import MatchConflict, NotTheMentor
from .models import (
    Conversation,
    ConversationReport,
    Match,
    Meeting,
    MentoringRequest,
    MentorProfile,
)
from .selectors import CURRENT_MATCH_STATUSES, honourability_valid_since

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
    fields, changes = list(APPLICATION_FIELDS), dict(data)
    if profile is None:
        profile = MentorProfile(user=user)
    elif "departement" in data and data["departement"] != profile.departement:
        fields += ["status", "decided_at", "decided_by"]
        changes.update(status=Status.PENDING, decided_at=None, decided_by=None)
    profile, _changed = model_update(profile, fields=fields, data=changes)
    return profile


# The decisions a coordinator may take on a mentor, from each status: a decision always
# changes the status; only an approved mentor is suspended, and a suspension is lifted
# by approving again (with a check still recent enough) or made final by rejecting.
MENTOR_DECISIONS = {
    Status.PENDING: (Status.APPROVED, Status.REJECTED),
    Status.APPROVED: (Status.SUSPENDED,),
    Status.SUSPENDED: (Status.APPROVED, Status.REJECTED),
    Status.REJECTED: (Status.APPROVED,),
}


def mentor_decisions(profile: MentorProfile) -> tuple[str, ...]:
    """The statuses a coordinator's decision may give ``profile`` now (``MENTOR_DECISIONS``)."""
    return MENTOR_DECISIONS.get(profile.status, ())


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

    Approving needs an honourability check recent enough (required to work with minors);
    a decision the mentor's status does not allow (``mentor_decisions``) is refused.
    """
    if status not in mentor_decisions(profile):
        raise ValidationError(
            _("This decision does not apply to this mentor now (status: %(status)s).")
            % {"status": profile.get_status_display()},
            code="decision_not_allowed",
        )
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
    if status in (Status.SUSPENDED, Status.REJECTED):
        # A mentor the coordinator stops keeps no mentee, no conversation, no share.
        for match in Match.objects.filter(mentor=profile.user, status__in=CURRENT_MATCH_STATUSES):
            _end(match, reason=Match.EndReason.SAFETY)
    return profile


# --- Requests and matches -----------------------------------------------------------------

REQUEST_FIELDS = (
    "needs",
    "languages",
    "commune_code",
    "latitude",
    "longitude",
    "meeting_mode",
    "preferred_gender",
    "availability",
)


@transaction.atomic
def request_create(*, young_person, data: dict) -> MentoringRequest:
    """A young person asks for a mentor (one waiting request at a time)."""
    profile = getattr(young_person, "profile", None)
    if profile is None or profile.departement_id is None:
        raise MatchConflict("no_departement")
    if (
        MentoringRequest.objects.filter(
            young_person=young_person, status=MentoringRequest.Status.WAITING
        ).exists()
        or Match.objects.filter(
            young_person=young_person, status__in=CURRENT_MATCH_STATUSES
        ).exists()
    ):
        raise MatchConflict("already_matched")
    request, _changed = model_update(
        MentoringRequest(young_person=young_person, departement_id=profile.departement_id),
        fields=REQUEST_FIELDS,
        data=data,
    )
    return request


@transaction.atomic
def request_withdraw(*, request: MentoringRequest) -> MentoringRequest:
    """The young person no longer waits; a proposal waiting for its mentor goes too."""
    if request.status != MentoringRequest.Status.WAITING:
        raise MatchConflict("request_not_waiting")
    for match in request.matches.filter(status=Match.Status.PROPOSED):
        _end(_locked(match, Match.Status.PROPOSED), reason=Match.EndReason.YOUNG_PERSON_LEFT)
    request.status = MentoringRequest.Status.WITHDRAWN
    request.closed_at = timezone.now()
    request.save(update_fields=["status", "closed_at"])
    return request


def match_create(*, request: MentoringRequest, mentor, origin: str) -> Match:
    """Pair ``request`` with ``mentor``, within the mentor's capacity, race-safe.

    The coordinator's confirmation and bulk matching make the match active at once; a
    young person's pick waits for the mentor to accept. The mentor's row is locked while
    their places are counted, so two confirmations at once never exceed the capacity.
    """
    try:
        with transaction.atomic():
            request = MentoringRequest.objects.select_for_update().get(pk=request.pk)
            if request.status != MentoringRequest.Status.WAITING:
                raise MatchConflict("request_not_waiting")
            profile = MentorProfile.objects.select_for_update().filter(user=mentor).first()
            if profile is None or not selectors.mentor_is_matchable(profile):
                raise MatchConflict("mentor_not_matchable")
            if profile.departement_id != request.departement_id:
                raise MatchConflict("not_compatible")
            taken = Match.objects.filter(mentor=mentor, status__in=CURRENT_MATCH_STATUSES).count()
            candidate = selectors.mentor_candidate(profile, taken=taken)
            if candidate.free_slots <= 0:
                raise MatchConflict("mentor_full")
            score = matching.score(selectors.request_needs(request), candidate)
            if score is None:
                raise MatchConflict("not_compatible")
            now = timezone.now()
            active = origin != Match.Origin.YOUNG_PERSON
            match = Match.objects.create(
                request=request,
                young_person=request.young_person,
                mentor=mentor,
                status=Match.Status.ACTIVE if active else Match.Status.PROPOSED,
                origin=origin,
                score={"total": score.total, "parts": score.parts},
                proposed_at=now,
                activated_at=now if active else None,
            )
            if active:
                _close_request(request, now)
            return match
    except IntegrityError as error:  # the young person got a match meanwhile
        raise MatchConflict("already_matched") from error


def _close_request(request: MentoringRequest, now) -> None:
    request.status = MentoringRequest.Status.MATCHED
    request.closed_at = now
    request.save(update_fields=["status", "closed_at"])


def _locked(match: Match, *allowed: str) -> Match:
    match = Match.objects.select_for_update().select_related("request").get(pk=match.pk)
    if match.status not in allowed:
        raise MatchConflict("wrong_status")
    return match


def match_check_mentor(*, match: Match, by) -> None:
    """Refuse (``NotTheMentor``) when ``by`` is not the match's mentor (``by=None``: the
    system or the coordinator, who may)."""
    if by is not None and by.pk != match.mentor_id:
        raise NotTheMentor()


@transaction.atomic
def match_accept(*, match: Match, by=None) -> Match:
    """The mentor accepts a young person's pick: the match becomes active."""
    match_check_mentor(match=match, by=by)
    match = _locked(match, Match.Status.PROPOSED)
    profile = MentorProfile.objects.select_for_update().filter(user_id=match.mentor_id).first()
    if profile is None or not selectors.mentor_is_matchable(profile):
        raise MatchConflict("mentor_not_matchable")  # suspended, or check too old, meanwhile
    active = Match.objects.filter(
        mentor_id=match.mentor_id, status__in=[Match.Status.ACTIVE, Match.Status.PAUSED]
    ).count()
    if active >= profile.capacity:  # the mentor lowered their capacity since the pick
        raise MatchConflict("mentor_full")
    now = timezone.now()
    match.status, match.activated_at = Match.Status.ACTIVE, now
    match.save(update_fields=["status", "activated_at"])
    _close_request(match.request, now)
    return match


@transaction.atomic
def match_decline(*, match: Match, by=None, feedback: str = "") -> Match:
    """The mentor declines a pick: the young person may pick someone else."""
    match_check_mentor(match=match, by=by)
    match = _locked(match, Match.Status.PROPOSED)
    match.mentor_feedback = feedback
    return _end(match, reason=Match.EndReason.DECLINED)


@transaction.atomic
def match_pause(*, match: Match, by) -> Match:
    match = _locked(match, Match.Status.ACTIVE)
    match.status, match.paused_by = Match.Status.PAUSED, by
    match.save(update_fields=["status", "paused_by"])
    return match


@transaction.atomic
def match_resume(*, match: Match, by) -> Match:
    """Only the member who paused the match resumes it."""
    match = _locked(match, Match.Status.PAUSED)
    if match.paused_by_id not in (None, by.pk):
        raise MatchConflict("wrong_status")
    match.status, match.paused_by = Match.Status.ACTIVE, None
    match.save(update_fields=["status", "paused_by"])
    return match


@transaction.atomic
def match_end(*, match: Match, by, reason: str, feedback: str = "") -> Match:
    """End a match, with a reason and the feedback of whoever ends it.

    The mentor loses what the young person shared with them in the vault.
    """
    match = _locked(match, Match.Status.ACTIVE, Match.Status.PAUSED, Match.Status.PROPOSED)
    if by.pk == match.young_person_id:
        match.young_person_feedback = feedback
    elif by.pk == match.mentor_id:
        match.mentor_feedback = feedback
    return _end(match, reason=reason)


def _end(match: Match, *, reason: str) -> Match:
    """End the match: its meetings to come are cancelled (no more reminders), and the
    mentor loses the vault shares."""
    match.status = Match.Status.ENDED
    match.end_reason = reason
    match.ended_at = timezone.now()
    match.save(
        update_fields=[
            "status",
            "end_reason",
            "ended_at",
            "mentor_feedback",
            "young_person_feedback",
        ]
    )
    for meeting in match.meetings.filter(
        status__in=[Meeting.Status.PROPOSED, Meeting.Status.ACCEPTED]
    ):
        meeting.status = Meeting.Status.CANCELLED
        meeting.save(update_fields=["status", "updated_at"])
        reminders.schedule_meeting(meeting)
    vault_services.shares_revoke_for_mentor(young_person=match.young_person, mentor=match.mentor)
    return match


@transaction.atomic
def match_feedback(*, match: Match, by, feedback: str) -> Match:
    """Either side may leave (or change) their feedback on an ended match."""
    match = _locked(match, Match.Status.ENDED)
    field = "young_person_feedback" if by.pk == match.young_person_id else "mentor_feedback"
    setattr(match, field, feedback)
    match.save(update_fields=[field])
    return match


@transaction.atomic
def mentoring_erase(user) -> None:
    """Before an account goes: end its current matches, so the other side is told why,
    then take the person out of every match while keeping what others still need.

    A match stays, detached from the erased member (``<side>_erased_at``), for the other
    member (their own messages and history) and for any safety report on it: the report
    and the messages it covers (those written up to the latest report) outlive the
    erasure for ``SAFETY_REPORT_RETENTION_DAYS``, then ``safety_material_purge`` deletes
    them. The erased member's other messages, their feedback and their request's details
    go now, and so do the match's meetings; a match neither member nor any report needs
    goes at once. The mentor's application goes with its whole history
    (``MentorProfile.history``).
    """
    for match in Match.objects.filter(
        Q(young_person=user) | Q(mentor=user), status__in=CURRENT_MATCH_STATUSES
    ):
        _end(match, reason=Match.EndReason.ACCOUNT_CLOSED)
    now = timezone.now()
    kept = []
    for match in Match.objects.filter(Q(young_person=user) | Q(mentor=user)).select_for_update():
        side = "young_person" if match.young_person_id == user.pk else "mentor"
        other_id = match.mentor_id if side == "young_person" else match.young_person_id
        conversation = Conversation.objects.filter(match=match).first()
        last_report = conversation.reports.order_by("-created_at").first() if conversation else None
        if other_id is None and last_report is None:
            match.delete()  # nobody is left to need it
            continue
        if conversation is not None:
            conversations.messages_detach_sender(
                conversation=conversation,
                sender=user,
                side=side,
                covered_until=last_report.created_at if last_report else None,
            )
            conversation.reports.filter(reporter=user).update(reporter=None)
        # Meetings (and their reminders) were with the erased person: none is left to hold.
        match.meetings.all().delete()
        setattr(match, side, None)
        setattr(match, f"{side}_erased_at", now)
        setattr(match, f"{side}_feedback", "")
        if match.paused_by_id == user.pk:
            match.paused_by = None
        match.save()
        kept.append(match)
    # A kept match still needs its request for the département (the coordinator's queue);
    # everything the young person said in it goes.
    MentoringRequest.objects.filter(young_person=user, matches__in=kept).update(
        young_person=None,
        needs=[],
        languages=[],
        commune_code="",
        latitude=None,
        longitude=None,
        preferred_gender="",
        availability=[],
    )
    _admin_log_renamed(kept)


def _admin_log_renamed(matches: list[Match]) -> None:
    """The admin log names a kept match, its conversation and its reports by the members'
    first names: write them again as they read now, without the erased member."""
    objects: list = list(matches)
    conversations_ = list(Conversation.objects.filter(match__in=matches).select_related("match"))
    objects += conversations_
    objects += list(ConversationReport.objects.filter(conversation__in=conversations_))
    for obj in objects:
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
        ).update(object_repr=str(obj)[:200])


def safety_material_purge(*, now=None) -> int:
    """Delete the matches an erased member left, once ``SAFETY_REPORT_RETENTION_DAYS``
    have passed since the erasure and since the last report on them was resolved.

    A report still open keeps its match, conversation and messages until it is resolved:
    the coordinator must be able to finish handling it. Returns how many matches went
    (with their conversation, messages, reports and meetings).
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.SAFETY_REPORT_RETENTION_DAYS)
    erased_long_ago = (Q(young_person_erased_at__lt=cutoff) | Q(young_person_erased_at=None)) & (
        Q(mentor_erased_at__lt=cutoff) | Q(mentor_erased_at=None)
    )
    still_needed = ConversationReport.objects.filter(
        Q(resolved_at__isnull=True) | Q(resolved_at__gte=cutoff),
        conversation__match=OuterRef("pk"),
    )
    expired = (
        Match.objects.filter(
            Q(young_person_erased_at__isnull=False) | Q(mentor_erased_at__isnull=False)
        )
        .filter(erased_long_ago)
        .exclude(Exists(still_needed))
    )
    purged = 0
    for match in expired.iterator():
        with transaction.atomic():
            request_id = match.request_id
            match.delete()
            # The request an erased young person left behind served only this match.
            MentoringRequest.objects.filter(
                pk=request_id, young_person__isnull=True, matches__isnull=True
            ).delete()
            purged += 1
    return purged


@dataclass
class BulkReport:
    """What a bulk matching run did: pairs made, and who is left waiting, and why."""

    departement: str
    planned: dict[int, int]  # request id -> mentor id, as the optimiser chose
    matched: list[Match]
    unmatched: dict[int, str]  # request id -> reason
    refused: dict[int, str]  # request id -> conflict code (the situation changed meanwhile)
    total_score: float


def bulk_match(*, departement_id: str, dry_run: bool = False) -> BulkReport:
    """Match a département's whole waiting list at once (``matching.bulk_assign``).

    Priority goes to those waiting longest or turning 18 soonest. Each pair is then made
    with ``match_create``, so capacities hold even if someone confirms a pair meanwhile.
    """
    today = timezone.localdate()
    waiting = {request.pk: request for request in selectors.waiting_requests(departement_id)}
    result = matching.bulk_assign(
        [selectors.request_needs(request) for request in waiting.values()],
        selectors.mentor_candidates(departement_id, today),
        today=today,
    )
    matched, refused = [], {}
    if not dry_run:
        mentors = {
            user.pk: user for user in User.objects.filter(pk__in=result.assignments.values())
        }
        for request_id, mentor_id in sorted(result.assignments.items()):
            try:
                matched.append(
                    match_create(
                        request=waiting[request_id],
                        mentor=mentors[mentor_id],
                        origin=Match.Origin.BULK,
                    )
                )
            except MatchConflict as conflict:
                refused[request_id] = conflict.code
    return BulkReport(
        departement=departement_id,
        planned=dict(result.assignments),
        matched=matched,
        unmatched=dict(result.unmatched),
        refused=refused,
        total_score=result.total_score,
    )
