import re
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from backend.api.serializers import OptionalEmailField, OptionalURLField, StrictFieldsMixin

from .dates import age_on
from .models import Departement, DepartementContact, Language, User, YoungPersonProfile

# A birth date outside this range is a typo, not one of our users.
MIN_AGE_YEARS = 11
MAX_AGE_YEARS = 40


class DepartementSerializer(serializers.ModelSerializer):
    class Meta:
        model = Departement
        fields = ["code", "name", "region_code", "region_name"]


class DepartementContactSerializer(serializers.ModelSerializer):
    email = OptionalEmailField(read_only=True)
    website = OptionalURLField(read_only=True)

    class Meta:
        model = DepartementContact
        fields = ["kind", "name", "phone", "email", "address", "website", "opening_hours"]


class DepartementDetailSerializer(DepartementSerializer):
    contacts = DepartementContactSerializer(many=True, read_only=True)

    class Meta(DepartementSerializer.Meta):
        fields = [*DepartementSerializer.Meta.fields, "contacts"]


DEPARTEMENT_CODE = r"^(0[1-9]|[1-8][0-9]|9[0-5]|2[AaBb]|97[1-6])$"


class DepartementCodeField(serializers.SlugRelatedField):
    """A département given by its INSEE code (``"93"``, ``"2A"``, ``"974"``)."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="code", queryset=Departement.objects.all(), **kwargs)

    def to_internal_value(self, data):
        # Check the shape first: odd input (a NUL byte...) never reaches the database.
        if not isinstance(data, str) or not re.match(DEPARTEMENT_CODE, data):
            self.fail("does_not_exist", slug_name="code", value=str(data)[:10])
        return super().to_internal_value(data.upper())


class ProfileSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    departement = DepartementCodeField(allow_null=True, required=False)
    languages = serializers.ListField(
        child=serializers.ChoiceField(choices=Language.choices),
        max_length=len(Language.choices),
        required=False,
        help_text=_("ISO 639 codes of the languages the young person speaks."),
    )
    age = serializers.SerializerMethodField()

    class Meta:
        model = YoungPersonProfile
        fields = [
            "birth_date",
            "age",
            "departement",
            "postcode",
            "commune_code",
            "in_care",
            "care_leaver",
            "jeune_majeur_contract",
            "student",
            "apprentice",
            "job_seeker",
            "employed",
            "parent",
            "disability_recognition",
            "unaccompanied_minor",
            "care_started_on",
            "care_ended_on",
            "languages",
            "notify_by_push",
            "notify_by_email",
            "notify_by_sms",
            "notify_check_in",
            "updated_at",
        ]
        read_only_fields = ["updated_at"]

    def get_age(self, profile: YoungPersonProfile) -> int | None:
        if profile.birth_date is None:
            return None
        return age_on(profile.birth_date, timezone.localdate())

    def validate_birth_date(self, value: date | None) -> date | None:
        if value is None:
            return value
        today = timezone.localdate()
        if value > today:
            raise serializers.ValidationError(
                _("The birth date cannot be in the future."), code="future_date"
            )
        if not MIN_AGE_YEARS <= age_on(value, today) <= MAX_AGE_YEARS:
            raise serializers.ValidationError(
                _("Please check the birth date: it does not look right."),
                code="implausible_date",
            )
        return value

    def validate_care_started_on(self, value: date | None) -> date | None:
        return self._not_in_the_future(value)

    def validate_care_ended_on(self, value: date | None) -> date | None:
        return self._not_in_the_future(value)

    @staticmethod
    def _not_in_the_future(value: date | None) -> date | None:
        if value is not None and value > timezone.localdate():
            raise serializers.ValidationError(
                _("This date cannot be in the future."), code="future_date"
            )
        return value

    def validate(self, attrs):
        attrs = super().validate(attrs)
        started = attrs.get("care_started_on", getattr(self.instance, "care_started_on", None))
        ended = attrs.get("care_ended_on", getattr(self.instance, "care_ended_on", None))
        if started and ended and ended < started:
            raise serializers.ValidationError(
                {"care_ended_on": _("Care cannot end before it started.")}, code="invalid_order"
            )
        born = attrs.get("birth_date", getattr(self.instance, "birth_date", None))
        for name, day in (("care_started_on", started), ("care_ended_on", ended)):
            if born and day and day < born:
                raise serializers.ValidationError(
                    {name: _("This date comes before your birth date.")}, code="before_birth"
                )
        return attrs

    def validate_languages(self, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))  # drop repeats, keep the user's order


class MeSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    """The signed-in account, with the young person's profile (``null`` for other roles)."""

    profile = ProfileSerializer(required=False, allow_null=False)

    class Meta:
        model = User
        fields = ["id", "email", "first_name", "role", "date_joined", "profile"]
        read_only_fields = ["id", "email", "role", "date_joined"]
        null_in_answers = ["profile"]  # for roles without a profile (backend.api.schema)

    def validate_first_name(self, value: str) -> str:
        return value.strip()

    def validate(self, attrs):
        if "profile" in attrs and self.instance.role != "young_person":
            raise serializers.ValidationError(
                {"profile": _("Only young people have a profile.")}, code="no_profile"
            )
        return attrs


class MeDeleteSerializer(StrictFieldsMixin, serializers.Serializer):
    password = serializers.CharField(
        write_only=True,
        help_text=_("The account's password, to confirm that its owner asks for erasure."),
    )

    def validate_password(self, value: str) -> str:
        if not self.context["request"].user.check_password(value):
            raise serializers.ValidationError(_("Wrong password."), code="wrong_password")
        return value
