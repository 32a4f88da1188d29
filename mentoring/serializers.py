"""Thin serializers of the mentoring API."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.dates import age_band
from accounts.models import Language
from accounts.serializers import DepartementCodeField
from backend.api.serializers import StrictFieldsMixin

from . import selectors
from .agenda.sms import NotAMobileNumber, normalise_mobile
from .conversations import MAX_MESSAGE_LENGTH
from .models import (
    Appointment,
    Device,
    Match,
    Meeting,
    MentoringRequest,
    MentorProfile,
    Notification,
)
from .vocabulary import AVAILABILITY_SLOTS, Domain


def _distinct(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))  # drop repeats, keep the person's order


def _rounded_position(values: dict) -> dict:
    # Kept to about a kilometre: enough for distances, not an address.
    for name in ("latitude", "longitude"):
        if values.get(name) is not None:
            values[name] = Decimal(str(round(values[name], 2)))
    return values


def _float_position(data: dict) -> dict:
    for name in ("latitude", "longitude"):
        if data.get(name) is not None:
            data[name] = float(data[name])
    return data


class MentorApplicationSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    """A volunteer's application; ``status`` and ``matchable`` are the coordinator's."""

    departement = DepartementCodeField()
    domains = serializers.ListField(
        child=serializers.ChoiceField(choices=Domain.choices),
        min_length=1,
        max_length=len(Domain.choices),
    )
    languages = serializers.ListField(
        child=serializers.ChoiceField(choices=Language.choices),
        min_length=1,
        max_length=len(Language.choices),
    )
    availability = serializers.ListField(
        child=serializers.ChoiceField(choices=AVAILABILITY_SLOTS),
        min_length=1,
        max_length=len(AVAILABILITY_SLOTS),
        help_text=_('Weekly slots such as "wed_evening" or "sat_morning".'),
    )
    latitude = serializers.FloatField(min_value=-90, max_value=90, required=False, allow_null=True)
    longitude = serializers.FloatField(
        min_value=-180, max_value=180, required=False, allow_null=True
    )
    max_distance_km = serializers.IntegerField(min_value=1, max_value=200, required=False)
    capacity = serializers.IntegerField(min_value=1, max_value=5, required=False)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    matchable = serializers.SerializerMethodField()

    class Meta:
        model = MentorProfile
        fields = [
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
            "status",
            "status_label",
            "matchable",
            "applied_at",
            "updated_at",
        ]
        read_only_fields = ["status", "applied_at", "updated_at"]

    def get_matchable(self, profile: MentorProfile) -> bool:
        return selectors.mentor_is_matchable(profile)

    validate_domains = staticmethod(_distinct)
    validate_languages = staticmethod(_distinct)
    validate_availability = staticmethod(_distinct)

    def to_internal_value(self, data):
        return _rounded_position(super().to_internal_value(data))

    def to_representation(self, instance):
        return _float_position(super().to_representation(instance))


class RequestSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    """A young person's request for a mentor."""

    needs = serializers.ListField(
        child=serializers.ChoiceField(choices=Domain.choices),
        min_length=1,
        max_length=len(Domain.choices),
    )
    languages = serializers.ListField(
        child=serializers.ChoiceField(choices=Language.choices),
        min_length=1,
        max_length=len(Language.choices),
    )
    availability = serializers.ListField(
        child=serializers.ChoiceField(choices=AVAILABILITY_SLOTS),
        min_length=1,
        max_length=len(AVAILABILITY_SLOTS),
    )
    latitude = serializers.FloatField(min_value=-90, max_value=90, required=False, allow_null=True)
    longitude = serializers.FloatField(
        min_value=-180, max_value=180, required=False, allow_null=True
    )
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = MentoringRequest
        fields = [
            "id",
            "needs",
            "languages",
            "commune_code",
            "latitude",
            "longitude",
            "meeting_mode",
            "preferred_gender",
            "availability",
            "status",
            "status_label",
            "created_at",
        ]
        read_only_fields = ["id", "status", "created_at"]

    validate_needs = staticmethod(_distinct)
    validate_languages = staticmethod(_distinct)
    validate_availability = staticmethod(_distinct)

    def to_internal_value(self, data):
        return _rounded_position(super().to_internal_value(data))

    def to_representation(self, instance):
        return _float_position(super().to_representation(instance))


class MentorSummarySerializer(serializers.Serializer):
    """What a young person sees of a mentor: no e-mail, no exact place."""

    id = serializers.IntegerField(source="user_id")
    first_name = serializers.CharField(source="user.first_name")
    organisation = serializers.CharField()
    domains = serializers.ListField(child=serializers.CharField())
    languages = serializers.ListField(child=serializers.CharField())
    meeting_mode = serializers.CharField()
    commune_code = serializers.CharField()


class ScoreSerializer(serializers.Serializer):
    total = serializers.FloatField()
    parts = serializers.DictField(
        child=serializers.FloatField(),
        help_text=_("domains, language, distance, availability, preference"),
    )


class ProposalSerializer(serializers.Serializer):
    mentor = MentorSummarySerializer()
    score = ScoreSerializer()


class PickSerializer(StrictFieldsMixin, serializers.Serializer):
    mentor = serializers.IntegerField(min_value=1)


class MenteeSerializer(serializers.Serializer):
    """What a mentor sees of their mentee: never the birth date, the profile or the vault."""

    first_name = serializers.CharField()
    age_band = serializers.CharField(allow_null=True)
    commune_code = serializers.CharField()
    needs = serializers.ListField(child=serializers.CharField())


class MatchSerializer(serializers.ModelSerializer):
    """A match, seen by one of its two members (the other side in summary)."""

    status_label = serializers.CharField(source="get_status_display", read_only=True)
    mentor = serializers.SerializerMethodField()
    mentee = serializers.SerializerMethodField()
    my_role = serializers.SerializerMethodField()

    class Meta:
        model = Match
        fields = [
            "id",
            "status",
            "status_label",
            "my_role",
            "mentor",
            "mentee",
            "score",
            "proposed_at",
            "activated_at",
            "ended_at",
            "end_reason",
        ]

    def get_my_role(self, match: Match) -> str:
        return "mentor" if self.context["request"].user.pk == match.mentor_id else "mentee"

    @extend_schema_field(MentorSummarySerializer(allow_null=True))
    def get_mentor(self, match: Match):
        profile = getattr(match.mentor, "mentor_profile", None)
        return MentorSummarySerializer(profile).data if profile else None

    @extend_schema_field(MenteeSerializer)
    def get_mentee(self, match: Match):
        person = match.young_person  # None once the young person erased their account
        profile = getattr(person, "profile", None)
        return MenteeSerializer(
            {
                "first_name": person.first_name if person is not None else "",
                "age_band": age_band(profile.birth_date if profile else None, timezone.localdate()),
                "commune_code": match.request.commune_code,
                "needs": match.request.needs,
            }
        ).data


class MatchEndSerializer(StrictFieldsMixin, serializers.Serializer):
    reason = serializers.ChoiceField(
        # "declined", "account_closed" and "safety" are set by the system or the coordinator.
        choices=[
            choice
            for choice in Match.EndReason.choices
            if choice[0] not in ("declined", "account_closed", "safety")
        ]
    )
    feedback = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class FeedbackSerializer(StrictFieldsMixin, serializers.Serializer):
    feedback = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class MatchDeclineSerializer(FeedbackSerializer):
    """The mentor's optional word on declining a pick."""


class MessageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    mine = serializers.SerializerMethodField()
    body = serializers.CharField()
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)

    def get_mine(self, message) -> bool:
        return message.sender_id == self.context["request"].user.pk


class MessageCreateSerializer(StrictFieldsMixin, serializers.Serializer):
    body = serializers.CharField(max_length=MAX_MESSAGE_LENGTH, trim_whitespace=True)


class MessagesQuerySerializer(serializers.Serializer):
    since = serializers.DateTimeField(
        required=False,
        help_text=_("Only the messages after this moment, oldest first (for polling)."),
    )


class ReportSerializer(StrictFieldsMixin, serializers.Serializer):
    reason = serializers.CharField(max_length=1000)
    message = serializers.IntegerField(min_value=1, required=False)


REMINDER_OFFSETS = serializers.ListField(
    child=serializers.IntegerField(min_value=5, max_value=90 * 24 * 60),
    max_length=5,
    required=False,
    help_text=_("Minutes before the start; 1440 (the day before) and 60 unless told otherwise."),
)


def _within_reach(value, *, past_days: int):
    """A start between ``past_days`` ago and five years ahead: no typo in the year."""
    now = timezone.now()
    if not now - timedelta(days=past_days) <= value <= now + timedelta(days=5 * 365):
        raise serializers.ValidationError(
            _("Choose a date between %(days)d days ago and five years from now.")
            % {"days": past_days},
            code="out_of_range",
        )
    return value


class AppointmentSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    # Sealed attributes, not columns: declared as the columns they were.
    title = serializers.CharField(max_length=200, label=capfirst(_("title")))
    place = serializers.CharField(
        max_length=300, required=False, allow_blank=True, label=capfirst(_("place"))
    )
    notes = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, label=capfirst(_("notes"))
    )
    reminder_offsets = REMINDER_OFFSETS
    duration_minutes = serializers.IntegerField(min_value=5, max_value=24 * 60, required=False)

    class Meta:
        model = Appointment
        fields = [
            "id",
            "title",
            "starts_at",
            "duration_minutes",
            "place",
            "notes",
            "reminder_offsets",
            "shared_with_referents",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]

    validate_reminder_offsets = staticmethod(lambda value: sorted(set(value), reverse=True))

    def validate_starts_at(self, value):
        return _within_reach(value, past_days=365)


class MeetingSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    # Sealed attributes, not columns: declared as the columns they were.
    place = serializers.CharField(
        max_length=300, required=False, allow_blank=True, label=capfirst(_("place"))
    )
    video_url = serializers.URLField(
        max_length=200, required=False, allow_blank=True, label=capfirst(_("video link"))
    )
    reminder_offsets = REMINDER_OFFSETS
    duration_minutes = serializers.IntegerField(min_value=5, max_value=12 * 60, required=False)
    proposed_by_me = serializers.SerializerMethodField()

    class Meta:
        model = Meeting
        fields = [
            "id",
            "match",
            "starts_at",
            "duration_minutes",
            "place",
            "video_url",
            "status",
            "proposed_by_me",
            "reminder_offsets",
            "updated_at",
        ]
        read_only_fields = ["id", "match", "status", "updated_at"]

    validate_reminder_offsets = staticmethod(lambda value: sorted(set(value), reverse=True))

    def validate_starts_at(self, value):
        return _within_reach(value, past_days=0)

    def get_proposed_by_me(self, meeting) -> bool:
        return meeting.proposed_by_id == self.context["request"].user.pk

    def validate(self, attrs):
        place = attrs.get("place", getattr(self.instance, "place", ""))
        video = attrs.get("video_url", getattr(self.instance, "video_url", ""))
        if not (place or video):
            raise serializers.ValidationError(
                {"place": [_("Say where you meet, or give a video link.")]}, code="required"
            )
        return attrs


class MeetingRescheduleSerializer(MeetingSerializer):
    """A reschedule: only what changes, but something must (a new time or place)."""

    CHANGES = ("starts_at", "duration_minutes", "place", "video_url")

    def validate(self, attrs):
        if not any(name in attrs for name in self.CHANGES):
            # An empty body would propose the same meeting again, undoing its acceptance.
            raise serializers.ValidationError(
                _("Give the new time or place of the meeting."), code="required"
            )
        return super().validate(attrs)


class DeviceSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    class Meta:
        model = Device
        fields = ["id", "platform", "token", "created_at"]
        read_only_fields = ["id", "created_at"]
        extra_kwargs = {
            "token": {
                "validators": [],  # re-registering a token is fine
                "help_text": (
                    "The FCM registration token (getToken(), 'FID:token'), or the Firebase "
                    "installation ID alone from the SDKs that deprecate it (register())."
                ),
            }
        }


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "title", "body", "created_at", "read_at"]


class NotificationsReadSerializer(StrictFieldsMixin, serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        required=False,
        max_length=500,
    )


class SmsContactSerializer(StrictFieldsMixin, serializers.Serializer):
    """One's mobile number for SMS; giving it means agreeing to receive SMS from Jalon."""

    number = serializers.CharField(
        max_length=32,
        allow_blank=True,
        help_text="A French mobile number (06, 07, or an overseas département's mobile); "
        "answered in international form (+33612345678), empty when none was given.",
    )
    consent = serializers.BooleanField(
        write_only=True, help_text="Must be true: the person agrees to receive SMS."
    )
    consented_at = serializers.DateTimeField(read_only=True, allow_null=True)

    def validate_number(self, value: str) -> str:
        try:
            return normalise_mobile(value)
        except NotAMobileNumber:
            raise serializers.ValidationError(
                _("Enter a French mobile number (06, 07 or an overseas mobile)."),
                code="not_a_mobile",
            ) from None

    def validate_consent(self, value: bool) -> bool:
        if not value:
            raise serializers.ValidationError(
                _("Receiving SMS needs your agreement."), code="consent_required"
            )
        return value
