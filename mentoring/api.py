"""API of mentoring: applications, requests, proposals and matches."""

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, PolymorphicProxySerializer, extend_schema
from rest_framework import generics, status
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from accounts.permissions import IsMentor, IsYoungPerson
from backend.api.pagination import cursor_page_serializer
from backend.api.serializers import ErrorSerializer
from backend.api.throttling import ScopedMethodThrottle

from . import conversations, selectors, services
from .exceptions import AlreadyApplied, MatchConflict
from .models import Match
from .serializers import (
    FeedbackSerializer,
    MatchDeclineSerializer,
    MatchEndSerializer,
    MatchSerializer,
    MentorApplicationSerializer,
    MessageCreateSerializer,
    MessageSerializer,
    MessagesQuerySerializer,
    PickSerializer,
    ProposalSerializer,
    ReportSerializer,
    RequestSerializer,
)

POLL_LIMIT = 200  # messages at most per poll: the app polls again for the rest

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Invalid input; nothing was changed."),
    401: OpenApiResponse(ErrorSerializer, description="Missing or expired session token."),
    403: OpenApiResponse(ErrorSerializer, description="Only mentors apply."),
}


class MentorApplicationView(APIView):
    """The signed-in volunteer's application to mentor, and its vetting status."""

    permission_classes = [IsMentor]

    @extend_schema(responses={200: MentorApplicationSerializer, 404: ErrorSerializer, **ERRORS})
    def get(self, request: Request) -> Response:
        return Response(
            MentorApplicationSerializer(
                selectors.mentor_profile_get_for_user(user=request.user)
            ).data
        )

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
        profile = selectors.mentor_profile_get_for_user(user=request.user)
        serializer = MentorApplicationSerializer(profile, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        profile = services.mentor_apply(user=request.user, data=dict(serializer.validated_data))
        return Response(MentorApplicationSerializer(profile).data)


class MyRequestView(APIView):
    """The young person's request for a mentor: read, make, withdraw."""

    permission_classes = [IsYoungPerson]

    @extend_schema(responses={200: RequestSerializer, 404: ErrorSerializer, **ERRORS})
    def get(self, request: Request) -> Response:
        return Response(RequestSerializer(selectors.request_get_for_user(user=request.user)).data)

    @extend_schema(
        request=RequestSerializer,
        responses={201: RequestSerializer, 409: ErrorSerializer, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        serializer = RequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        created = services.request_create(
            young_person=request.user, data=dict(serializer.validated_data)
        )
        return Response(RequestSerializer(created).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={204: None, 404: ErrorSerializer, 409: ErrorSerializer, **ERRORS})
    def delete(self, request: Request) -> Response:
        services.request_withdraw(request=selectors.request_get_for_user(user=request.user))
        return Response(status=status.HTTP_204_NO_CONTENT)


class MyProposalsView(APIView):
    """The mentors who fit the waiting request best, each score explained."""

    permission_classes = [IsYoungPerson]

    @extend_schema(responses={200: ProposalSerializer(many=True), 404: ErrorSerializer})
    def get(self, request: Request) -> Response:
        mentoring_request = selectors.request_get_for_user(user=request.user)
        if mentoring_request.status != "waiting":
            raise Http404
        proposals = selectors.proposals_for(mentoring_request)
        profiles = selectors.mentor_profiles_by_user([p.mentor_id for p in proposals])
        data = [
            {
                "mentor": profiles[p.mentor_id],
                "score": {"total": p.score.total, "parts": p.score.parts},
            }
            for p in proposals
        ]
        return Response(ProposalSerializer(data, many=True).data)


class PickView(APIView):
    """The young person picks a proposed mentor, who then accepts or declines."""

    permission_classes = [IsYoungPerson]

    @extend_schema(
        request=PickSerializer,
        responses={201: MatchSerializer, 409: ErrorSerializer, 404: ErrorSerializer, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        serializer = PickSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        mentoring_request = selectors.request_get_for_user(user=request.user)
        if selectors.pairing_of(mentoring_request.departement_id) != "young_person_picks":
            raise MatchConflict("pairing_by_coordinator")
        proposed = {p.mentor_id for p in selectors.proposals_for(mentoring_request)}
        if serializer.validated_data["mentor"] not in proposed:
            raise MatchConflict("not_compatible")
        match = services.match_create(
            request=mentoring_request,
            mentor=User.objects.get(pk=serializer.validated_data["mentor"]),
            origin=Match.Origin.YOUNG_PERSON,
        )
        return Response(
            MatchSerializer(match, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class MatchListView(generics.ListAPIView):
    """The signed-in person's matches, as mentee or as mentor."""

    serializer_class = MatchSerializer
    queryset = Match.objects.none()  # for the schema; get_queryset gives the user's

    def get_queryset(self):
        return selectors.matches_for_user(user=self.request.user)


class MatchDetailView(APIView):
    @extend_schema(responses={200: MatchSerializer, 404: ErrorSerializer})
    def get(self, request: Request, match_id: int) -> Response:
        match = selectors.match_get_for_user(user=request.user, match_id=match_id)
        return Response(MatchSerializer(match, context={"request": request}).data)


# One view per action of a match, each with its own body (or none), so that the schema
# says exactly what each action takes. Each serves POST only.

MATCH_ACTION_RESPONSES = {
    200: MatchSerializer,
    400: ErrorSerializer,
    403: ErrorSerializer,
    404: ErrorSerializer,
    409: ErrorSerializer,
}


def _match_answer(request: Request, match: Match) -> Response:
    match = selectors.match_get_for_user(user=request.user, match_id=match.pk)
    return Response(MatchSerializer(match, context={"request": request}).data)


class MatchAcceptView(APIView):
    """The mentor accepts a young person's pick: the match becomes active."""

    @extend_schema(request=None, responses=MATCH_ACTION_RESPONSES)
    def post(self, request: Request, match_id: int) -> Response:
        match = selectors.match_get_for_user(user=request.user, match_id=match_id)
        return _match_answer(request, services.match_accept(match=match, by=request.user))


class MatchDeclineView(APIView):
    """The mentor declines a young person's pick, optionally saying why."""

    @extend_schema(request=MatchDeclineSerializer, responses=MATCH_ACTION_RESPONSES)
    def post(self, request: Request, match_id: int) -> Response:
        match = selectors.match_get_for_user(user=request.user, match_id=match_id)
        services.match_check_mentor(match=match, by=request.user)
        data = validated(MatchDeclineSerializer, request)
        match = services.match_decline(
            match=match, by=request.user, feedback=data.get("feedback", "")
        )
        return _match_answer(request, match)


class MatchPauseView(APIView):
    """Either member pauses an active match."""

    @extend_schema(request=None, responses=MATCH_ACTION_RESPONSES)
    def post(self, request: Request, match_id: int) -> Response:
        match = selectors.match_get_for_user(user=request.user, match_id=match_id)
        return _match_answer(request, services.match_pause(match=match, by=request.user))


class MatchResumeView(APIView):
    """The member who paused the match resumes it."""

    @extend_schema(request=None, responses=MATCH_ACTION_RESPONSES)
    def post(self, request: Request, match_id: int) -> Response:
        match = selectors.match_get_for_user(user=request.user, match_id=match_id)
        return _match_answer(request, services.match_resume(match=match, by=request.user))


class MatchEndView(APIView):
    """Either member ends the match, with a reason and optionally a word."""

    @extend_schema(request=MatchEndSerializer, responses=MATCH_ACTION_RESPONSES)
    def post(self, request: Request, match_id: int) -> Response:
        match = selectors.match_get_for_user(user=request.user, match_id=match_id)
        data = validated(MatchEndSerializer, request)
        match = services.match_end(
            match=match, by=request.user, reason=data["reason"], feedback=data.get("feedback", "")
        )
        return _match_answer(request, match)


class MatchFeedbackView(APIView):
    """Either member leaves (or changes) their word on an ended match."""

    @extend_schema(request=FeedbackSerializer, responses=MATCH_ACTION_RESPONSES)
    def post(self, request: Request, match_id: int) -> Response:
        match = selectors.match_get_for_user(user=request.user, match_id=match_id)
        data = validated(FeedbackSerializer, request)
        match = services.match_feedback(
            match=match, by=request.user, feedback=data.get("feedback", "")
        )
        return _match_answer(request, match)


def validated(serializer_class, request: Request) -> dict:
    """The request body checked by ``serializer_class`` (a 400 in the error format if not)."""
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class MessageCursorPagination(CursorPagination):
    """Newest first; the cursor pages back in time, never skipping or repeating."""

    ordering = ("-created_at", "-id")
    page_size = 50


class MessagesView(APIView):
    """The messages of a match: read (with a cursor, or ``since`` to poll) and send."""

    throttle_classes = [*APIView.throttle_classes, ScopedMethodThrottle]
    throttle_scope = "messages"
    throttle_methods = ("POST",)

    @extend_schema(
        parameters=[MessagesQuerySerializer],
        responses={
            200: PolymorphicProxySerializer(
                component_name="Messages",
                serializers=[
                    cursor_page_serializer(MessageSerializer),
                    MessageSerializer(many=True),
                ],
                resource_type_field_name=None,
                many=False,
            ),
            404: ErrorSerializer,
        },
        description="A page (newest first, with a cursor), or with `since` the list since then.",
    )
    def get(self, request: Request, match_id: int) -> Response:
        match = selectors.match_get_for_user(user=request.user, match_id=match_id)
        query = MessagesQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        conversation = conversations.conversation_of(match)
        context = {"request": request}
        since = query.validated_data.get("since")
        if since is not None:
            found = conversations.messages_of(conversation, since=since)[:POLL_LIMIT]
            messages = conversations.with_bodies(conversation, found)
            return Response(MessageSerializer(messages, many=True, context=context).data)
        paginator = MessageCursorPagination()
        page = paginator.paginate_queryset(
            conversations.messages_of(conversation), request, view=self
        )
        messages = conversations.with_bodies(conversation, page)
        return paginator.get_paginated_response(
            MessageSerializer(messages, many=True, context=context).data
        )

    @extend_schema(
        request=MessageCreateSerializer,
        responses={201: MessageSerializer, 404: ErrorSerializer, 409: ErrorSerializer},
    )
    def post(self, request: Request, match_id: int) -> Response:
        match = selectors.match_get_for_user(user=request.user, match_id=match_id)
        data = validated(MessageCreateSerializer, request)
        message = conversations.message_send(match=match, sender=request.user, body=data["body"])
        message.body = data["body"]
        return Response(
            MessageSerializer(message, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class MessagesReadView(APIView):
    """Read receipts: the other member's messages so far are marked read."""

    @extend_schema(request=None, responses={204: None, 404: ErrorSerializer})
    def post(self, request: Request, match_id: int) -> Response:
        match = selectors.match_get_for_user(user=request.user, match_id=match_id)
        conversations.messages_mark_read(
            conversation=conversations.conversation_of(match), reader=request.user
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class ReportView(APIView):
    """Report the conversation (optionally one message): the coordinator will read it."""

    @extend_schema(request=ReportSerializer, responses={201: None, 404: ErrorSerializer})
    def post(self, request: Request, match_id: int) -> Response:
        match = selectors.match_get_for_user(user=request.user, match_id=match_id)
        data = validated(ReportSerializer, request)
        message = None
        if "message" in data:
            message = selectors.message_get_for_user(
                user=request.user, match_id=match.pk, message_id=data["message"]
            )
        conversations.conversation_report(
            match=match, reporter=request.user, reason=data["reason"], message=message
        )
        return Response(status=status.HTTP_201_CREATED)
