"""``GET /api/v1/departements/{code}/stats/``: a département's figures as JSON."""

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import departement_codes
from backend.api.serializers import ErrorSerializer

from . import access
from .periods import Period
from .selectors import departement_report, national_report
from .serializers import (
    StatsQuerySerializer,
    StatsSerializer,
)


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
        if code not in departement_codes():
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
