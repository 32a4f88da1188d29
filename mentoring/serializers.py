"""Thin serializers of the mentoring API."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.models import Language
from accounts.serializers import DepartementCodeField
from backend.api.serializers import StrictFieldsMixin

from . import selectors
from .models import MentorProfile
from .vocabulary import AVAILABILITY_SLOTS, Domain


def _distinct(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))  # drop repeats, keep the person's order


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

    def validate_domains(self, value):
        return _distinct(value)

    def validate_languages(self, value):
        return _distinct(value)

    def validate_availability(self, value):
        return _distinct(value)

    def to_internal_value(self, data):
        # Kept to about a kilometre: enough for distances, not an address.
        values = super().to_internal_value(data)
        for name in ("latitude", "longitude"):
            if values.get(name) is not None:
                values[name] = Decimal(str(round(values[name], 2)))
        return values

    def to_representation(self, instance):
        data = super().to_representation(instance)
        for name in ("latitude", "longitude"):
            if data.get(name) is not None:
                data[name] = float(data[name])
        return data
