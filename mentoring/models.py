"""Mentoring: volunteer mentors vetted by their département's coordinator."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from accounts.models import Departement, commune_code_validator
from backend.crypto.sealed import Sealed, SealedModel

from .vocabulary import Gender, MeetingMode

# The two sides of a match, as markers on what an erased member leaves.
MEMBER_SIDES = [("young_person", _("young person")), ("mentor", _("mentor"))]


def first_name_of(user) -> str:
    """A member's first name as staff see it; a dash once the account is erased."""
    if user is None:
        return str(_("(account erased)"))
    return user.first_name or "—"


class MentorProfile(models.Model):
    """A volunteer's application, and what the coordinator decided of it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for vetting")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        SUSPENDED = "suspended", _("Suspended")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="mentor_profile",
        verbose_name=_("account"),
    )
    departement = models.ForeignKey(
        Departement, on_delete=models.PROTECT, verbose_name=_("département")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    organisation = models.CharField(_("company or association"), max_length=200, blank=True)
    domains = models.JSONField(_("domains of help"), default=list)
    languages = models.JSONField(_("languages spoken"), default=list)
    commune_code = models.CharField(
        _("INSEE commune code"), max_length=5, validators=[commune_code_validator]
    )
    # Approximate (about 1 km): enough for distances, not an address.
    latitude = models.DecimalField(
        verbose_name=_("latitude"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    longitude = models.DecimalField(
        verbose_name=_("longitude"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    max_distance_km = models.PositiveSmallIntegerField(_("distance accepted (km)"), default=10)
    meeting_mode = models.CharField(
        _("meetings"), max_length=16, choices=MeetingMode.choices, default=MeetingMode.BOTH
    )
    availability = models.JSONField(_("weekly availability"), default=list)
    capacity = models.PositiveSmallIntegerField(_("mentees at once"), default=1)
    gender = models.CharField(_("gender"), max_length=16, choices=Gender.choices, blank=True)
    honourability_checked_on = models.DateField(
        _("honourability check done on"),
        null=True,
        blank=True,
        help_text=_("Required to work with minors (FIJAIS and criminal record check)."),
    )
    decision_note = models.TextField(_("note on the decision"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    applied_at = models.DateTimeField(_("applied at"), auto_now_add=True)
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)
    # The application's history goes with it: an erased mentor leaves no past version
    # (organisation, place, gender, the coordinator's note) behind.
    history = HistoricalRecords(cascade_delete_history=True)

    class Meta:
        verbose_name = _("mentor")
        verbose_name_plural = _("mentors")
        ordering = ["-applied_at"]
        indexes = [
            # The département's matchable mentors (selectors.mentor_candidates, proposals,
            # bulk matching) and the coordinator's vetting list.
            models.Index(fields=["departement", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_status_display()})"

    def clean(self):
        checked = self.honourability_checked_on
        if checked is not None and checked > timezone.localdate():
            raise ValidationError(
                {
                    "honourability_checked_on": ValidationError(
                        _("The honourability check cannot be in the future."), code="future"
                    )
                }
            )


class DepartementMentoring(models.Model):
    """How a département pairs mentors and young people."""

    class Pairing(models.TextChoices):
        COORDINATOR = "coordinator", _("The coordinator confirms each pair")
        YOUNG_PERSON_PICKS = (
            "young_person_picks",
            _("The young person picks a proposal, the mentor accepts"),
        )

    departement = models.OneToOneField(
        Departement,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="mentoring",
        verbose_name=_("département"),
    )
    pairing = models.CharField(
        _("pairing"), max_length=32, choices=Pairing.choices, default=Pairing.COORDINATOR
    )

    class Meta:
        verbose_name = _("mentoring setting")
        verbose_name_plural = _("mentoring settings")

    def __str__(self) -> str:
        return f"{self.departement_id}: {self.get_pairing_display()}"


class MentoringRequest(models.Model):
    """A young person asking for a mentor: their needs and what they wish."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting for a mentor")
        MATCHED = "matched", _("Matched")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    # Empty once the young person erased their account while a match of this request is
    # kept for a safety report (``services.mentoring_erase``): only the département stays.
    young_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="mentoring_requests",
        verbose_name=_("young person"),
    )
    departement = models.ForeignKey(
        Departement, on_delete=models.PROTECT, verbose_name=_("département")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.WAITING
    )
    needs = models.JSONField(_("needs"), default=list)
    languages = models.JSONField(_("languages spoken"), default=list)
    commune_code = models.CharField(
        _("INSEE commune code"), max_length=5, validators=[commune_code_validator]
    )
    latitude = models.DecimalField(
        verbose_name=_("latitude"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    longitude = models.DecimalField(
        verbose_name=_("longitude"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    meeting_mode = models.CharField(
        _("meetings"), max_length=16, choices=MeetingMode.choices, default=MeetingMode.BOTH
    )
    preferred_gender = models.CharField(
        _("mentor's gender wished"), max_length=16, choices=Gender.choices, blank=True
    )
    availability = models.JSONField(_("weekly availability"), default=list)
    # The waiting list, longest wait first (selectors.waiting_requests).
    created_at = models.DateTimeField(_("asked at"), default=timezone.now, db_index=True)
    closed_at = models.DateTimeField(verbose_name=_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("mentoring request")
        verbose_name_plural = _("mentoring requests")
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["young_person"],
                condition=models.Q(status="waiting"),
                name="mentoring_one_waiting_request_per_young_person",
            )
        ]

    def __str__(self) -> str:
        return f"{first_name_of(self.young_person)} ({self.get_status_display()})"


class _MatchSealed(SealedModel):
    """Sealed with the key of the match's conversation: both members' shared data."""

    class Meta:
        abstract = True

    def _sealing_match(self) -> "Match":
        raise NotImplementedError

    def sealing_key(self) -> bytes:
        from .conversations import match_key  # conversations works on these models

        return match_key(self._sealing_match())


class Match(_MatchSealed):
    """A pair: proposed, then active, maybe paused, and one day ended."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed, waiting for the mentor")
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")
        ENDED = "ended", _("Ended")

    class EndReason(models.TextChoices):
        DECLINED = "declined", _("The mentor declined")
        GOALS_REACHED = "goals_reached", _("Goals reached")
        YOUNG_PERSON_LEFT = "young_person_left", _("The young person stopped")
        MENTOR_LEFT = "mentor_left", _("The mentor stopped")
        MISMATCH = "mismatch", _("Not the right pair")
        SAFETY = "safety", _("Ended by the coordinator for safety")
        ACCOUNT_CLOSED = "account_closed", _("An account was closed")
        OTHER = "other", _("Other")

    class Origin(models.TextChoices):
        COORDINATOR = "coordinator", _("Confirmed by the coordinator")
        YOUNG_PERSON = "young_person", _("Picked by the young person")
        BULK = "bulk", _("Bulk matching")

    request = models.ForeignKey(
        MentoringRequest,
        on_delete=models.CASCADE,
        related_name="matches",
        verbose_name=_("mentoring request"),
    )
    # A member who erases their account is detached, not cascaded: the other member's
    # side and any safety report stay for SAFETY_REPORT_RETENTION_DAYS (``*_erased_at``
    # says when), then ``tasks.purge_expired_safety_material`` deletes them.
    young_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="matches_as_mentee",
        verbose_name=_("young person"),
    )
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="matches_as_mentor",
        verbose_name=_("mentor"),
    )
    young_person_erased_at = models.DateTimeField(
        _("young person's account erased at"), null=True, blank=True
    )
    mentor_erased_at = models.DateTimeField(_("mentor's account erased at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    origin = models.CharField(_("origin"), max_length=16, choices=Origin.choices)
    score = models.JSONField(_("score and its parts"), default=dict)
    proposed_at = models.DateTimeField(verbose_name=_("proposed at"), default=timezone.now)
    activated_at = models.DateTimeField(verbose_name=_("started at"), null=True, blank=True)
    # Only whoever paused resumes: a young person who paused is never overruled.
    paused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("paused by"),
    )
    ended_at = models.DateTimeField(verbose_name=_("ended at"), null=True, blank=True)
    end_reason = models.CharField(
        _("end reason"), max_length=32, choices=EndReason.choices, blank=True
    )
    young_person_feedback = Sealed(verbose_name=_("young person's feedback"))
    mentor_feedback = Sealed(verbose_name=_("mentor's feedback"))
    young_person_feedback_sealed = models.BinaryField(
        verbose_name=_("young person's feedback (encrypted)"), default=b"", blank=True
    )
    mentor_feedback_sealed = models.BinaryField(
        verbose_name=_("mentor's feedback (encrypted)"), default=b"", blank=True
    )

    class Meta:
        verbose_name = _("match")
        verbose_name_plural = _("matches")
        ordering = ["-proposed_at"]
        constraints = [
            # One match at a time per young person, whatever the race (PostgreSQL and
            # SQLite both enforce partial unique indexes).
            models.UniqueConstraint(
                fields=["young_person"],
                condition=models.Q(status__in=["proposed", "active", "paused"]),
                name="mentoring_one_current_match_per_young_person",
            )
        ]
        indexes = [
            # A mentor's current matches: free places (match_create, match_accept,
            # mentor_candidates) and the matches ended when a mentor is suspended.
            models.Index(fields=["mentor", "status"]),
        ]

    def __str__(self) -> str:
        return f"{first_name_of(self.young_person)} & {first_name_of(self.mentor)}"

    def _sealing_match(self) -> "Match":
        return self


class Conversation(models.Model):
    """The messages of one match, encrypted with a key of their own.

    The key is wrapped by the master keyring (``backend/crypto/keyring.py``), like the
    vault's user keys, and re-wrapped by the same rotation command.
    """

    id = models.UUIDField(_("identifier"), primary_key=True, default=uuid.uuid4, editable=False)
    match = models.OneToOneField(
        Match, on_delete=models.CASCADE, related_name="conversation", verbose_name=_("match")
    )
    master_key_version = models.CharField(
        verbose_name=_("version of the master key"), max_length=32
    )
    wrapped_key = models.BinaryField(verbose_name=_("key of the conversation (encrypted)"))
    reported_at = models.DateTimeField(verbose_name=_("reported at"), null=True, blank=True)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")

    def __str__(self) -> str:
        return str(self.match)


class Message(models.Model):
    conversation = models.ForeignKey(
        Conversation,
        on_delete=models.CASCADE,
        related_name="messages",
        verbose_name=_("conversation"),
    )
    # Empty when the sender erased their account and a safety report covers the message;
    # ``erased_sender`` then says which side wrote it.
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sender"),
    )
    erased_sender = models.CharField(
        verbose_name=_("side of the erased sender"), max_length=16, choices=MEMBER_SIDES, blank=True
    )
    encrypted_body = models.BinaryField(verbose_name=_("text (encrypted)"))
    created_at = models.DateTimeField(verbose_name=_("sent at"), default=timezone.now)
    read_at = models.DateTimeField(verbose_name=_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "id"]
        indexes = [
            # A conversation's messages in order: the cursor pages and the ``since`` poll.
            models.Index(fields=["conversation", "created_at", "id"]),
        ]

    def __str__(self) -> str:
        return f"message {self.pk}"


class ConversationReport(SealedModel):
    """A member reported the conversation: it joins the coordinator's queue."""

    conversation = models.ForeignKey(
        Conversation,
        on_delete=models.CASCADE,
        related_name="reports",
        verbose_name=_("conversation"),
    )
    # A report never goes with an account: the reporter is only detached (empty).
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reported by"),
    )
    message = models.ForeignKey(
        Message,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("reported message"),
    )
    # Sealed with the conversation's key, which the coordinator's queue opens.
    reason = Sealed(verbose_name=_("reason"))
    reason_sealed = models.BinaryField(
        verbose_name=_("reason (encrypted)"), default=b"", blank=True
    )
    created_at = models.DateTimeField(_("reported at"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by"),
    )
    resolution_note = models.TextField(_("what was done"), blank=True)

    class Meta:
        verbose_name = _("reported conversation")
        verbose_name_plural = _("reported conversations")
        ordering = ["resolved_at", "-created_at"]

    def __str__(self) -> str:
        # As staff read a date (02/12/2026), on the day it was in Paris.
        reported = date_format(timezone.localtime(self.created_at), "SHORT_DATE_FORMAT")
        return f"{self.conversation} ({reported})"

    def sealing_key(self) -> bytes | None:
        from .conversations import conversation_key

        if self.conversation_id is None:  # should a report outlive its conversation
            return None
        return conversation_key(self.conversation)


DEFAULT_REMINDER_OFFSETS = [24 * 60, 60]  # minutes before: the day before, and an hour before


def _default_offsets() -> list[int]:
    return list(DEFAULT_REMINDER_OFFSETS)


class Meeting(_MatchSealed):
    """A meeting of a mentor and their mentee, proposed by one, accepted by the other."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        CANCELLED = "cancelled", _("Cancelled")

    match = models.ForeignKey(
        Match, on_delete=models.CASCADE, related_name="meetings", verbose_name=_("match")
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    starts_at = models.DateTimeField(_("starts at"))
    duration_minutes = models.PositiveSmallIntegerField(
        verbose_name=_("duration (minutes)"), default=60
    )
    place = Sealed(verbose_name=_("place"))
    video_url = Sealed(verbose_name=_("video link"))
    place_sealed = models.BinaryField(verbose_name=_("place (encrypted)"), default=b"", blank=True)
    video_url_sealed = models.BinaryField(
        verbose_name=_("video link (encrypted)"), default=b"", blank=True
    )
    status = models.CharField(
        verbose_name=_("status"), max_length=16, choices=Status.choices, default=Status.PROPOSED
    )
    reminder_offsets = models.JSONField(
        verbose_name=_("reminders (minutes before)"), default=_default_offsets, blank=True
    )
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["starts_at"]

    def __str__(self) -> str:
        return f"{self.match} {self.starts_at:%Y-%m-%d %H:%M}"

    def _sealing_match(self) -> "Match":
        return self.match


class Appointment(SealedModel):
    """A young person's own appointment (mission locale, CAF, prefecture, doctor...).

    Its title, place and notes are sealed with the young person's own key (the vault's);
    its time stays in clear: the agenda is ordered by it, and reminders are due from it.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="appointments",
        verbose_name=_("young person"),
    )
    title = Sealed(verbose_name=_("title"))
    place = Sealed(verbose_name=_("place"))
    notes = Sealed(verbose_name=_("notes"))
    title_sealed = models.BinaryField(verbose_name=_("title (encrypted)"), default=b"", blank=True)
    place_sealed = models.BinaryField(verbose_name=_("place (encrypted)"), default=b"", blank=True)
    notes_sealed = models.BinaryField(verbose_name=_("notes (encrypted)"), default=b"", blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    duration_minutes = models.PositiveSmallIntegerField(
        verbose_name=_("duration (minutes)"), default=60
    )
    reminder_offsets = models.JSONField(
        verbose_name=_("reminders (minutes before)"), default=_default_offsets, blank=True
    )
    # The young person marks an appointment as shared: the référents they let see their
    # appointments (referents.models.Scope.APPOINTMENTS) see it, the others do not.
    shared_with_referents = models.BooleanField(_("shared with my référents"), default=False)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["starts_at"]

    def __str__(self) -> str:
        # Not the title: it is sealed, and __str__ ends up in logs and the admin.
        return f"appointment {self.pk} {self.starts_at:%Y-%m-%d %H:%M}"

    def sealing_key(self) -> bytes:
        from vault.keys import person_secret

        return person_secret(self.owner)


class Reminder(models.Model):
    """One reminder to one person, due at one moment, delivered once on each channel."""

    class Kind(models.TextChoices):
        MEETING = "meeting", _("Meeting")
        APPOINTMENT = "appointment", _("Appointment")
        DOCUMENT_EXPIRY = "document_expiry", _("Document expiring")
        # The path to autonomy's: the monthly check-in, and a young person's call for help
        # to their référents and mentor. About no object: the words say nothing of it.
        CHECK_IN = "check_in", _("Monthly check-in")
        HELP_REQUEST = "help_request", _("A young person asks for help")

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        # "Annulé": a reminder (un rappel) is masculine, a meeting's "Cancelled" feminine.
        CANCELLED = "cancelled", pgettext_lazy("reminder", "Cancelled")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reminders",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(verbose_name=_("type"), max_length=20, choices=Kind.choices)
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("meeting")
    )
    appointment = models.ForeignKey(
        Appointment, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("appointment")
    )
    document = models.ForeignKey(
        "vault.Document",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("document"),
    )
    # What the app opens for a reminder about nothing stored here (a call for help: the
    # match or the link; a check-in: its month), as the API names it.
    target_id = models.CharField(verbose_name=_("target's identifier"), max_length=64, blank=True)
    offset_minutes = models.PositiveIntegerField(verbose_name=_("minutes before"))
    due_at = models.DateTimeField(verbose_name=_("due at"))
    state = models.CharField(
        verbose_name=_("state"), max_length=16, choices=State.choices, default=State.PENDING
    )
    attempts = models.PositiveSmallIntegerField(verbose_name=_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(verbose_name=_("next attempt at"), null=True, blank=True)
    claimed_at = models.DateTimeField(verbose_name=_("taken for sending at"), null=True, blank=True)
    claimed_by = models.CharField(
        verbose_name=_("taken for sending by"), max_length=200, blank=True
    )
    sent_at = models.DateTimeField(verbose_name=_("sent at"), null=True, blank=True)
    last_error = models.TextField(verbose_name=_("last error"), blank=True)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        indexes = [
            # The dispatcher's claim: pending reminders due by now, oldest first.
            models.Index(fields=["state", "due_at"]),
        ]
        ordering = ["due_at", "id"]
        constraints = [
            # A reminder is about one thing: a meeting, an appointment or a document; only
            # the check-in and a call for help are about nothing stored.
            models.CheckConstraint(
                condition=(
                    models.Q(meeting__isnull=False, appointment__isnull=True, document__isnull=True)
                    | models.Q(
                        meeting__isnull=True, appointment__isnull=False, document__isnull=True
                    )
                    | models.Q(
                        meeting__isnull=True, appointment__isnull=True, document__isnull=False
                    )
                    | models.Q(
                        kind__in=["check_in", "help_request"],
                        meeting__isnull=True,
                        appointment__isnull=True,
                        document__isnull=True,
                    )
                ),
                name="reminder_exactly_one_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.due_at:%Y-%m-%d %H:%M} ({self.state})"


class ReminderDelivery(models.Model):
    """A reminder on one channel: the idempotency key makes a second send impossible."""

    class State(models.TextChoices):
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    reminder = models.ForeignKey(
        Reminder, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("reminder")
    )
    channel = models.CharField(verbose_name=_("channel"), max_length=16)
    idempotency_key = models.CharField(
        verbose_name=_("key against a second send"), max_length=100, unique=True
    )
    state = models.CharField(
        verbose_name=_("state"), max_length=16, choices=State.choices, default=State.SENDING
    )
    attempts = models.PositiveSmallIntegerField(verbose_name=_("attempts"), default=0)
    sent_at = models.DateTimeField(verbose_name=_("sent at"), null=True, blank=True)
    last_error = models.TextField(verbose_name=_("last error"), blank=True)

    class Meta:
        verbose_name = _("reminder delivery")
        verbose_name_plural = _("reminder deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["reminder", "channel"], name="mentoring_one_delivery_per_channel"
            )
        ]

    def __str__(self) -> str:
        return self.idempotency_key


class Device(models.Model):
    """A phone that receives push notifications for its user."""

    class Platform(models.TextChoices):
        ANDROID = "android", "Android"
        IOS = "ios", "iOS"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="devices",
        verbose_name=_("account"),
    )
    platform = models.CharField(verbose_name=_("platform"), max_length=16, choices=Platform.choices)
    token = models.CharField(verbose_name=_("push notification token"), max_length=512, unique=True)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    last_seen_at = models.DateTimeField(verbose_name=_("last seen at"), auto_now=True)

    class Meta:
        verbose_name = _("device")
        verbose_name_plural = _("devices")

    def __str__(self) -> str:
        return f"{self.platform} device {self.pk}"


class Notification(models.Model):
    """The in-app inbox: every reminder delivered, and what else the app should show."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    reminder = models.OneToOneField(
        Reminder,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notification",
        verbose_name=_("reminder"),
    )
    title = models.CharField(verbose_name=_("title"), max_length=200)
    body = models.TextField(verbose_name=_("text"), blank=True)
    created_at = models.DateTimeField(verbose_name=_("created at"), default=timezone.now)
    read_at = models.DateTimeField(verbose_name=_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The inbox, newest first (GET /api/v1/me/notifications/).
            models.Index(fields=["user", "-created_at"]),
        ]

    def __str__(self) -> str:
        return self.title


class RecordedSend(models.Model):
    """What the recording push backend delivered (tests, demo, benchmarks): one row per
    idempotency key, and ``calls`` counts every attempt."""

    channel = models.CharField(verbose_name=_("channel"), max_length=16)
    idempotency_key = models.CharField(verbose_name=_("key against a second send"), max_length=100)
    recipient = models.TextField(verbose_name=_("recipient"), blank=True)
    title = models.CharField(verbose_name=_("title"), max_length=200)
    kind = models.CharField(verbose_name=_("type"), max_length=20, blank=True)
    target_id = models.CharField(verbose_name=_("target's identifier"), max_length=64, blank=True)
    calls = models.PositiveIntegerField(verbose_name=_("attempts"), default=1)
    sent_at = models.DateTimeField(verbose_name=_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("recorded send")
        verbose_name_plural = _("recorded sends")
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "idempotency_key"], name="mentoring_recorded_send_once"
            )
        ]

    def __str__(self) -> str:
        return self.idempotency_key


# --- SMS ----------------------------------------------------------------------------------


class SmsContact(SealedModel):
    """A person's mobile number for SMS, given with their consent.

    The number is sealed with the person's own key (like their appointments): it goes with
    the account, and shredding the key covers database backups too. Removing the number
    withdraws the consent.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="sms_contact",
        verbose_name=_("account"),
    )
    number = Sealed(verbose_name=_("mobile number"))
    number_sealed = models.BinaryField(
        verbose_name=_("mobile number (encrypted)"), default=b"", blank=True
    )
    consented_at = models.DateTimeField(verbose_name=_("agreed to receive SMS on"))
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("SMS number")
        verbose_name_plural = _("SMS numbers")

    def __str__(self) -> str:
        return f"sms contact {self.pk}"  # never the number: __str__ ends up in logs

    def sealing_key(self) -> bytes:
        from vault.keys import person_secret

        return person_secret(self.user)


class SmsMessage(models.Model):
    """One SMS (a reminder on the SMS channel), from the quota taken to the delivery receipt.

    Made before the provider is called, under the delivery's idempotency key: a retry
    finds it and neither counts against the caps again nor, once the provider accepted
    it, sends it twice. Holds no number and no text.
    """

    class State(models.TextChoices):
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent to the provider")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")
        CAPPED = "capped", _("Not sent: limit reached")

    class Cap(models.TextChoices):
        PERSON_DAY = "person_day", _("SMS per person and day")
        DEPARTEMENT_MONTH = "departement_month", _("SMS per département and month")
        NO_DEPARTEMENT = "no_departement", _("No département to count it against")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="sms_messages",
        verbose_name=_("recipient"),
    )
    departement = models.ForeignKey(
        Departement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("département"),
    )
    idempotency_key = models.CharField(
        verbose_name=_("key against a second send"), max_length=100, unique=True
    )
    state = models.CharField(
        verbose_name=_("state"), max_length=16, choices=State.choices, default=State.SENDING
    )
    capped_by = models.CharField(
        verbose_name=_("limit reached"), max_length=20, choices=Cap.choices, blank=True
    )
    provider_id = models.CharField(
        verbose_name=_("provider's message id"), max_length=100, blank=True, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(verbose_name=_("attempts"), default=0)
    last_error = models.TextField(verbose_name=_("last error"), blank=True)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(verbose_name=_("sent at"), null=True, blank=True)
    status_at = models.DateTimeField(
        verbose_name=_("delivery receipt received at"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("SMS")
        verbose_name_plural = _("SMS")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.idempotency_key


class SmsDailyCount(models.Model):
    """How many SMS a person was sent on a day (Paris time): the per-person cap."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("account"),
    )
    day = models.DateField(verbose_name=_("day"))
    count = models.PositiveIntegerField(verbose_name=_("SMS sent"), default=0)

    class Meta:
        verbose_name = _("SMS of a person on a day")
        verbose_name_plural = _("SMS of a person on a day")
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="mentoring_sms_one_count_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.day}: {self.count}"


class SmsMonthlyCount(models.Model):
    """How many SMS a département sent in a month: the per-département cap (its budget).

    Kept when a person erases their account: the SMS were paid for.
    """

    departement = models.ForeignKey(
        Departement, on_delete=models.CASCADE, related_name="+", verbose_name=_("département")
    )
    month = models.DateField(verbose_name=_("month"))  # its first day
    count = models.PositiveIntegerField(verbose_name=_("SMS sent"), default=0)

    class Meta:
        verbose_name = _("SMS of a département in a month")
        verbose_name_plural = _("SMS of a département in a month")
        constraints = [
            models.UniqueConstraint(
                fields=["departement", "month"], name="mentoring_sms_one_count_a_month"
            )
        ]

    def __str__(self) -> str:
        return f"{self.departement_id} {self.month:%Y-%m}: {self.count}"
