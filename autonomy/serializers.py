"""The path to autonomy as the app reads and writes it: the timeline, the projet, the
assessments, the check-ins, and the goals a mentee shares with their mentor."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .models import (
    Action,
    Actor,
    Assessment,
    AssessmentItem,
    CheckIn,
    Domain,
    Goal,
    Interview,
    Level,
    Milestone,
    ProjetChange,
)


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


# --- Mon projet -------------------------------------------------------------------------------


class EntryRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()


class ActionSerializer(serializers.ModelSerializer):
    entry = serializers.IntegerField(
        source="entry_id",
        allow_null=True,
        required=False,
        help_text="A catalogue entry: the action becomes a saved procedure (démarche).",
    )
    # Both null for an action that is not about a catalogue entry.
    entry_title = serializers.CharField(
        source="entry.title", read_only=True, default=None, allow_null=True
    )
    demarche = serializers.IntegerField(source="demarche_id", read_only=True, allow_null=True)

    class Meta:
        model = Action
        fields = ["id", "title", "entry", "entry_title", "demarche", "actor", "due_on", "status"]


class ActionWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    entry = serializers.IntegerField(min_value=1, max_value=2**53, allow_null=True, required=False)
    actor = serializers.ChoiceField(choices=Actor.choices, required=False)
    due_on = serializers.DateField(allow_null=True, required=False)
    status = serializers.ChoiceField(choices=Action.Status.choices, required=False)

    def validate_title(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError(_("Write the action in a few words."))
        return value.strip()


class GoalSerializer(serializers.ModelSerializer):
    actions = ActionSerializer(many=True, read_only=True)

    class Meta:
        model = Goal
        fields = ["id", "domain", "title", "status", "shared_with_mentor", "actions"]
        read_only_fields = ["id", "actions"]


class GoalWriteSerializer(serializers.Serializer):
    domain = serializers.ChoiceField(choices=Domain.choices)
    title = serializers.CharField(max_length=200)
    status = serializers.ChoiceField(choices=Goal.Status.choices, required=False)
    shared_with_mentor = serializers.BooleanField(required=False)

    def validate_title(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError(_("Write the goal in a few words."))
        return value.strip()


class ProjetDomainSerializer(serializers.Serializer):
    domain = serializers.ChoiceField(choices=Domain.choices)
    label = serializers.CharField()
    wishes = serializers.CharField(help_text="What the young person wants, in their words.")
    goals = GoalSerializer(many=True)


class TrustedPersonSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120, allow_blank=True, required=False)
    relation = serializers.CharField(max_length=80, allow_blank=True, required=False)
    phone = serializers.RegexField(
        r"^\+?[0-9][0-9 .]{0,19}$", max_length=20, allow_blank=True, required=False
    )


class ProjetSerializer(serializers.Serializer):
    review_on = serializers.DateField(allow_null=True)
    trusted_person = TrustedPersonSerializer(
        help_text="The personne de confiance who may come to the interviews (CASF L.222-5-1)."
    )
    domains = ProjetDomainSerializer(many=True)
    updated_at = serializers.DateTimeField(allow_null=True)


class ProjetWriteSerializer(serializers.Serializer):
    review_on = serializers.DateField(allow_null=True, required=False)
    trusted_person = TrustedPersonSerializer(required=False)

    def to_service_data(self) -> dict:
        data = dict(self.validated_data)
        person = data.pop("trusted_person", {})
        for name in ("name", "relation", "phone"):
            if name in person:
                data[f"trusted_person_{name}"] = person[name].strip()
        return data


class WishesSerializer(serializers.Serializer):
    wishes = serializers.CharField(max_length=2000, allow_blank=True)


class ProjetChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProjetChange
        fields = ["at", "by_role", "by_name", "what", "subject", "fields"]


# --- Mon autonomie ----------------------------------------------------------------------------


class AssessmentItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = AssessmentItem
        fields = ["key", "domain", "text", "version"]


class LevelSerializer(serializers.Serializer):
    level = serializers.IntegerField()
    label = serializers.CharField()


class SideBySideSerializer(serializers.Serializer):
    item = AssessmentItemSerializer()
    self = serializers.IntegerField(allow_null=True, help_text="My latest answer.")
    referent = serializers.IntegerField(
        allow_null=True, help_text="The latest answer of a référent."
    )


class ProgressSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    by_role = serializers.CharField()
    created_at = serializers.DateTimeField()
    scores = serializers.DictField(
        child=serializers.FloatField(),
        help_text="Per domain, the share of 'je sais faire seul·e' (0 to 1).",
    )


class AssessmentOverviewSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    scale = LevelSerializer(many=True)
    items = AssessmentItemSerializer(many=True, help_text="What to answer today.")
    side_by_side = SideBySideSerializer(many=True)
    referent_name = serializers.CharField(
        help_text="Who filled the référent's side (empty if none, or their account closed)."
    )
    progress = ProgressSerializer(many=True, help_text="The latest 24 assessments, oldest first.")


class AnswerSerializer(serializers.Serializer):
    item = serializers.SlugField(max_length=60)
    level = serializers.ChoiceField(choices=Level.choices)


class AssessmentWriteSerializer(serializers.Serializer):
    answers = AnswerSerializer(many=True, allow_empty=False, max_length=200)

    def validate_answers(self, value):
        keys = [answer["item"] for answer in value]
        if len(keys) != len(set(keys)):
            raise serializers.ValidationError(_("Answer each item once."))
        return {answer["item"]: answer["level"] for answer in value}


class AssessmentCreatedSerializer(serializers.ModelSerializer):
    answers = serializers.SerializerMethodField()

    class Meta:
        model = Assessment
        fields = ["id", "by_role", "version", "created_at", "answers"]

    def get_answers(self, assessment) -> dict[str, int]:
        return {answer.item.key: answer.level for answer in assessment.answers.all()}


class SuggestionSerializer(serializers.Serializer):
    domain = serializers.ChoiceField(choices=Domain.choices)
    label = serializers.CharField()
    entries = EntryRefSerializer(many=True, help_text="Catalogue entries I am eligible for.")
    goals = serializers.ListField(child=serializers.CharField(), help_text="Goals to add.")


# --- Où en es-tu ? --------------------------------------------------------------------------


class CheckInSerializer(serializers.ModelSerializer):
    class Meta:
        model = CheckIn
        fields = [
            "month",
            "housing",
            "activity",
            "resources",
            "needs_help",
            "tell_mentor",
            "help_asked_at",
        ]
        read_only_fields = ["month", "help_asked_at"]
        extra_kwargs = {
            "tell_mentor": {"help_text": "With 'needs_help': tell my mentor too."},
        }


# --- What the mentor sees ---------------------------------------------------------------------


class SharedGoalSerializer(serializers.ModelSerializer):
    class Meta:
        model = Goal
        fields = ["id", "domain", "title", "status"]
        read_only_fields = ["id", "domain", "title"]


class GoalProgressSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Goal.Status.choices)


class HelpCallSerializer(serializers.Serializer):
    help_asked_at = serializers.DateTimeField(
        allow_null=True,
        help_text="When the mentee asked for help and told their mentor, in the last 30 "
        "days; null otherwise.",
    )
