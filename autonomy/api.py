"""API of the path to autonomy, the young person's side: their timeline ("frise")."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsYoungPerson
from backend.api.serializers import ErrorSerializer

from . import selectors, services
from .serializers import InterviewSerializer, TimelineSerializer

ERRORS = {
    401: OpenApiResponse(ErrorSerializer, description="Missing or expired session token."),
    403: OpenApiResponse(ErrorSerializer, description="For young people only."),
}


class TimelineView(APIView):
    """My steps: the legal milestones from my profile, with what to do before each."""

    permission_classes = [IsYoungPerson]

    @extend_schema(responses={200: TimelineSerializer, **ERRORS})
    def get(self, request: Request) -> Response:
        timeline = selectors.timeline_for_user(user=request.user)
        return Response(TimelineSerializer(timeline).data)


class SixMonthsInterviewRequestView(APIView):
    """Ask for the interview six months after leaving care (the law lets me)."""

    permission_classes = [IsYoungPerson]

    @extend_schema(
        request=None,
        responses={
            201: InterviewSerializer,
            409: OpenApiResponse(
                ErrorSerializer, description="Care has not ended, or it was held."
            ),
            **ERRORS,
        },
    )
    def post(self, request: Request) -> Response:
        interview = services.six_months_interview_request(user=request.user)
        return Response(InterviewSerializer(interview).data, status=status.HTTP_201_CREATED)
