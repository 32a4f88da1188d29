"""What the figures' API reads (the period asked) and answers (a report, described for
the schema; ``Report.as_dict`` gives its body)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .periods import Period, PeriodError
from .report import PROTECTIVE, SMALL

HIDDEN_REASONS = [SMALL, PROTECTIVE]


class StatsQuerySerializer(serializers.Serializer):
    from_ = serializers.DateField(
        required=False, help_text=_("First day of a month (default: the last month over).")
    )
    to = serializers.DateField(required=False, help_text=_("Last day of a month."))

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")  # ``from`` is a Python keyword
        return fields

    def validate(self, attrs):
        first, last = attrs.get("from"), attrs.get("to")
        if first is None and last is None:
            attrs["period"] = Period.last_closed_month()
            return attrs
        if first is None or last is None:
            raise serializers.ValidationError(_("Give both from and to, or neither."))
        try:
            attrs["period"] = Period.from_dates(first, last)
        except PeriodError as error:
            raise serializers.ValidationError(str(error)) from error
        return attrs


class StatsRowSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    value = serializers.FloatField(allow_null=True, help_text=_("null: hidden."))
    share = serializers.FloatField(allow_null=True)
    hidden = serializers.ChoiceField(
        choices=HIDDEN_REASONS,
        allow_null=True,
        help_text=_(
            "Why the value is hidden: small (fewer people than the threshold) or "
            "protective (it would let one work a small figure out)."
        ),
    )


class StatsTableSerializer(serializers.Serializer):
    key = serializers.CharField()
    section = serializers.CharField()
    title = serializers.CharField()
    unit = serializers.CharField()
    measure = serializers.BooleanField()
    rows = StatsRowSerializer(many=True)
    total = serializers.FloatField(allow_null=True)
    total_hidden = serializers.ChoiceField(choices=HIDDEN_REASONS, allow_null=True)
    hidden_rows = serializers.IntegerField()


class StatsSerializer(serializers.Serializer):
    departement = serializers.CharField(allow_null=True)
    name = serializers.CharField()
    from_ = serializers.DateField()
    to = serializers.DateField()
    threshold = serializers.IntegerField()
    hidden = serializers.CharField(help_text=_('How a small figure reads: "< 5".'))
    secret = serializers.CharField(help_text=_("How a protective hidden figure reads."))
    tables = StatsTableSerializer(many=True)

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")
        return fields
