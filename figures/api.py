"""``GET /api/v1/departements/{code}/stats/``: a département's figures as JSON."""

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Departement
from backend.api.serializers import ErrorSerializer

from . import access
from .periods import Period, PeriodError
from .report import PROTECTIVE, SMALL, departement_report, national_report

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


class DepartementStatsView(APIView):
    """The département's figures over whole months that are over; small counts hidden.

    For the département's staff and for national editors: anyone else
    gets 403, including staff of another département.
    """

    @extend_schema(
        parameters=[StatsQuerySerializer],
        responses={200: StatsSerializer, 400: ErrorSerializer, 403: ErrorSerializer},
    )
    def get(self, request: Request, code: str) -> Response:
        if not access.may_read_departement(request.user, code):
            raise PermissionDenied(_("You may not read this département's figures."))
        if not Departement.objects.filter(pk=code).exists():
            raise Http404
        return Response(departement_report(code, _period(request)).as_dict())


class NationalStatsView(APIView):
    """All départements together, for national editors and superusers only (403 for
    anyone else). A cell hidden in some départements stays hidden nationally unless
    those départements stand together for at least the threshold of people."""

    @extend_schema(
        parameters=[StatsQuerySerializer],
        responses={200: StatsSerializer, 400: ErrorSerializer, 403: ErrorSerializer},
    )
    def get(self, request: Request) -> Response:
        if not access.may_read_national(request.user):
            raise PermissionDenied(_("The national figures are for national editors."))
        return Response(national_report(_period(request)).as_dict())


def _period(request: Request) -> Period:
    query = StatsQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data["period"]
