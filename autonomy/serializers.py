"""The timeline as the app reads it."""

from rest_framework import serializers

from .models import Interview, Milestone


class TimelineEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()


class InterviewSerializer(serializers.ModelSerializer):
    class Meta:
        model = Interview
        fields = ["kind", "requested_at", "scheduled_for", "held_on"]


class StepSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Milestone.choices)
    title = serializers.CharField()
    what_to_do = serializers.CharField()
    on = serializers.DateField(allow_null=True, help_text="The step's date (or its due date).")
    until = serializers.DateField(
        allow_null=True, help_text="The end of a window (the residence permit, droit au retour)."
    )
    status = serializers.ChoiceField(
        choices=[
            "upcoming",
            "soon",
            "due",
            "requested",
            "scheduled",
            "held",
            "late",
            "missed",
            "open",
            "past",
        ],
        help_text="upcoming, soon (within 90 days), past for a date; due, requested, "
        "scheduled, held, late (its date passed, not held), missed (the interview at 17, "
        "not held by 18) for an interview; open for the droit au retour's window.",
    )
    interview = InterviewSerializer(allow_null=True)
    entries = TimelineEntrySerializer(
        many=True, help_text="Procedures of the catalogue to do before this step."
    )


class TimelineSerializer(serializers.Serializer):
    steps = StepSerializer(many=True)
    missing = serializers.ListField(
        child=serializers.CharField(),
        help_text="Profile fields the timeline needs and lacks (birth_date, care_ended_on).",
    )
