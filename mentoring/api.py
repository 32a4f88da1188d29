"""API of mentoring: a volunteer's application."""

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.api.permissions import IsMentor
from backend.api.serializers import ErrorSerializer

from . import selectors, services
from .exceptions import AlreadyApplied
from .serializers import MentorApplicationSerializer

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Invalid input; nothing was changed."),
    401: OpenApiResponse(ErrorSerializer, description="Missing or expired session token."),
    403: OpenApiResponse(ErrorSerializer, description="Only mentors apply."),
}


class MentorApplicationView(APIView):
    """The signed-in volunteer's application to mentor, and its vetting status."""

    permission_classes = [IsMentor]

    def _profile(self, request):
        profile = selectors.mentor_profile_of(request.user)
        if profile is None:
            raise Http404
        return profile

    @extend_schema(responses={200: MentorApplicationSerializer, 404: ErrorSerializer, **ERRORS})
    def get(self, request: Request) -> Response:
        return Response(MentorApplicationSerializer(self._profile(request)).data)

    @extend_schema(
        request=MentorApplicationSerializer,
        responses={201: MentorApplicationSerializer, 409: ErrorSerializer, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        if selectors.mentor_profile_of(request.user) is not None:
            raise AlreadyApplied()
        serializer = MentorApplicationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        profile = services.mentor_apply(user=request.user, data=dict(serializer.validated_data))
        return Response(MentorApplicationSerializer(profile).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=MentorApplicationSerializer,
        responses={200: MentorApplicationSerializer, 404: ErrorSerializer, **ERRORS},
    )
    def patch(self, request: Request) -> Response:
        profile = self._profile(request)
        serializer = MentorApplicationSerializer(profile, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        profile = services.mentor_apply(user=request.user, data=dict(serializer.validated_data))
        return Response(MentorApplicationSerializer(profile).data)
