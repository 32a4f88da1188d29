"""API of the path to autonomy, the young person's side: their timeline ("frise"), their
projet, their assessments, their check-ins; and the goals shared in a mentoring match."""

from django.http import Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsYoungPerson
from backend.api.serializers import ErrorSerializer
from mentoring import selectors as mentoring_selectors
from mentoring.models import Match

from . import selectors, services
from .models import CheckIn, Domain, Level, ProjetChange
from .serializers import (
    ActionSerializer,
    ActionWriteSerializer,
    AssessmentCreatedSerializer,
    AssessmentOverviewSerializer,
    AssessmentWriteSerializer,
    CheckInSerializer,
    GoalProgressSerializer,
    GoalSerializer,
    GoalWriteSerializer,
    HelpCallSerializer,
    InterviewSerializer,
    ProjetChangeSerializer,
    ProjetSerializer,
    ProjetWriteSerializer,
    SharedGoalSerializer,
    SuggestionSerializer,
    TimelineSerializer,
    WishesSerializer,
)

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


NOT_FOUND = OpenApiResponse(ErrorSerializer, description="Not one of yours.")
REFUSED = OpenApiResponse(ErrorSerializer, description="Invalid input; nothing changed.")


def _validated(serializer_class, request: Request, **kwargs):
    serializer = serializer_class(data=request.data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer


def _projet_answer(user, status_code=status.HTTP_200_OK) -> Response:
    return Response(ProjetSerializer(selectors.projet_view(user)).data, status=status_code)


# --- Mon projet -------------------------------------------------------------------------------


class ProjetView(APIView):
    """My projet d'accès à l'autonomie: every domain with my words, goals and actions."""

    permission_classes = [IsYoungPerson]

    @extend_schema(responses={200: ProjetSerializer, **ERRORS})
    def get(self, request: Request) -> Response:
        return _projet_answer(request.user)

    @extend_schema(
        request=ProjetWriteSerializer, responses={200: ProjetSerializer, 400: REFUSED, **ERRORS}
    )
    def patch(self, request: Request) -> Response:
        """Set the review date and name my personne de confiance."""
        serializer = _validated(ProjetWriteSerializer, request)
        services.projet_update(
            young_person=request.user,
            author=services.author_young_person(request.user),
            data=serializer.to_service_data(),
        )
        return _projet_answer(request.user)


class WishesView(APIView):
    """What I want in one domain, in my words."""

    permission_classes = [IsYoungPerson]

    @extend_schema(
        request=WishesSerializer, responses={200: ProjetSerializer, 400: REFUSED, **ERRORS}
    )
    def put(self, request: Request, domain: str) -> Response:
        if domain not in Domain.values:
            raise Http404
        data = _validated(WishesSerializer, request).validated_data
        services.wishes_set(
            young_person=request.user,
            author=services.author_young_person(request.user),
            domain=domain,
            text=data["wishes"].strip(),
        )
        return _projet_answer(request.user)


class GoalListView(APIView):
    """Add a goal to my projet."""

    permission_classes = [IsYoungPerson]

    @extend_schema(
        request=GoalWriteSerializer, responses={201: GoalSerializer, 400: REFUSED, **ERRORS}
    )
    def post(self, request: Request) -> Response:
        data = _validated(GoalWriteSerializer, request).validated_data
        goal = services.goal_add(
            young_person=request.user,
            author=services.author_young_person(request.user),
            data=dict(data),
        )
        return Response(GoalSerializer(goal).data, status=status.HTTP_201_CREATED)


class GoalDetailView(APIView):
    """Change or remove one of my goals."""

    permission_classes = [IsYoungPerson]

    @extend_schema(
        request=GoalWriteSerializer,
        responses={200: GoalSerializer, 400: REFUSED, 404: NOT_FOUND, **ERRORS},
    )
    def patch(self, request: Request, goal_id: int) -> Response:
        goal = selectors.goal_get_for_user(user=request.user, goal_id=goal_id)
        data = _validated(GoalWriteSerializer, request, partial=True).validated_data
        goal = services.goal_update(
            goal=goal, author=services.author_young_person(request.user), data=dict(data)
        )
        return Response(GoalSerializer(goal).data)

    @extend_schema(responses={204: None, 404: NOT_FOUND, **ERRORS})
    def delete(self, request: Request, goal_id: int) -> Response:
        goal = selectors.goal_get_for_user(user=request.user, goal_id=goal_id)
        services.goal_delete(goal=goal, author=services.author_young_person(request.user))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ActionListView(APIView):
    """Add an action to one of my goals (a catalogue entry becomes a saved procedure)."""

    permission_classes = [IsYoungPerson]

    @extend_schema(
        request=ActionWriteSerializer,
        responses={201: ActionSerializer, 400: REFUSED, 404: NOT_FOUND, **ERRORS},
    )
    def post(self, request: Request, goal_id: int) -> Response:
        goal = selectors.goal_get_for_user(user=request.user, goal_id=goal_id)
        data = _validated(ActionWriteSerializer, request).validated_data
        action = services.action_add(
            goal=goal, author=services.author_young_person(request.user), data=dict(data)
        )
        return Response(ActionSerializer(action).data, status=status.HTTP_201_CREATED)


class ActionDetailView(APIView):
    """Change or remove one of my actions."""

    permission_classes = [IsYoungPerson]

    @extend_schema(
        request=ActionWriteSerializer,
        responses={200: ActionSerializer, 400: REFUSED, 404: NOT_FOUND, **ERRORS},
    )
    def patch(self, request: Request, action_id: int) -> Response:
        action = selectors.action_get_for_user(user=request.user, action_id=action_id)
        data = _validated(ActionWriteSerializer, request, partial=True).validated_data
        action = services.action_update(
            action=action, author=services.author_young_person(request.user), data=dict(data)
        )
        return Response(ActionSerializer(action).data)

    @extend_schema(responses={204: None, 404: NOT_FOUND, **ERRORS})
    def delete(self, request: Request, action_id: int) -> Response:
        action = selectors.action_get_for_user(user=request.user, action_id=action_id)
        services.action_delete(action=action, author=services.author_young_person(request.user))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ProjetHistoryView(generics.ListAPIView):
    """Every change of my projet: who, when, what (newest first)."""

    permission_classes = [IsYoungPerson]
    serializer_class = ProjetChangeSerializer
    queryset = ProjetChange.objects.none()  # for the schema

    def get_queryset(self):
        return selectors.projet_history(self.request.user)


class ProjetPrintView(APIView):
    """My projet as a page to print or save as PDF (for an interview, for a move)."""

    permission_classes = [IsYoungPerson]

    @extend_schema(
        responses={
            (200, "text/html"): OpenApiResponse(OpenApiTypes.STR, description="A printable page."),
            **ERRORS,
        }
    )
    def get(self, request: Request) -> HttpResponse:
        # A plain Django response: errors (401, 403) keep the API's one JSON format.
        return HttpResponse(
            selectors.projet_printable(request.user), content_type="text/html; charset=utf-8"
        )


# --- Mon autonomie ----------------------------------------------------------------------------


def assessment_overview_data(young_person) -> dict:
    overview = selectors.assessment_overview(young_person)
    return {
        "version": selectors.referentiel_version(),
        "scale": [{"level": level.value, "label": level.label} for level in Level],
        "items": selectors.referentiel_for_user(young_person),
        "side_by_side": overview["rows"],
        "referent_name": overview["referent_name"],
        "progress": overview["progress"],
    }


class AssessmentListView(APIView):
    """My assessment: the items to answer, my answers and a référent's side by side, my
    progress per domain; ``POST`` records a new self-assessment."""

    permission_classes = [IsYoungPerson]

    @extend_schema(responses={200: AssessmentOverviewSerializer, **ERRORS})
    def get(self, request: Request) -> Response:
        return Response(AssessmentOverviewSerializer(assessment_overview_data(request.user)).data)

    @extend_schema(
        request=AssessmentWriteSerializer,
        responses={201: AssessmentCreatedSerializer, 400: REFUSED, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        answers = _validated(AssessmentWriteSerializer, request).validated_data["answers"]
        assessment = services.assessment_submit(
            young_person=request.user,
            author=services.author_young_person(request.user),
            answers=answers,
        )
        return Response(
            AssessmentCreatedSerializer(assessment).data, status=status.HTTP_201_CREATED
        )


class SuggestionsView(APIView):
    """For my low domains: catalogue entries I am eligible for, goals to add."""

    permission_classes = [IsYoungPerson]

    @extend_schema(responses={200: SuggestionSerializer(many=True), **ERRORS})
    def get(self, request: Request) -> Response:
        found = selectors.suggestions_for(request.user)
        return Response(SuggestionSerializer(found, many=True).data)


# --- Où en es-tu ? --------------------------------------------------------------------------


class CheckInListView(generics.ListAPIView):
    """My monthly check-ins, newest first; ``POST`` answers this month's (again: corrects
    it). "needs_help" tells my référents, and my mentor with "tell_mentor"."""

    permission_classes = [IsYoungPerson]
    serializer_class = CheckInSerializer
    queryset = CheckIn.objects.none()  # for the schema

    def get_queryset(self):
        return selectors.check_ins_of(self.request.user)

    @extend_schema(
        request=CheckInSerializer, responses={201: CheckInSerializer, 400: REFUSED, **ERRORS}
    )
    def post(self, request: Request) -> Response:
        data = _validated(CheckInSerializer, request).validated_data
        check_in = services.check_in_submit(young_person=request.user, data=dict(data))
        return Response(CheckInSerializer(check_in).data, status=status.HTTP_201_CREATED)


# --- The goals a mentee shares with their mentor ----------------------------------------------


def _active_match(user, match_id: int):
    match = mentoring_selectors.match_get_for_user(user=user, match_id=match_id)
    if match.status != Match.Status.ACTIVE:
        raise Http404  # an ended or paused match shows nothing of the projet
    return match


class MatchGoalsView(APIView):
    """The goals the mentee shares with their mentor, for both of them to follow: all the
    mentor sees of the projet."""

    @extend_schema(responses={200: SharedGoalSerializer(many=True), 404: NOT_FOUND})
    def get(self, request: Request, match_id: int) -> Response:
        match = _active_match(request.user, match_id)
        if request.user.pk == match.mentor_id:
            # The mentor reads part of the young person's projet: a line in their log.
            services.shared_goals_reading_record(match=match)
        return Response(
            SharedGoalSerializer(selectors.shared_goals_of_match(match), many=True).data
        )


class MatchHelpCallView(APIView):
    """Whether the mentee asked for help this month and chose to tell their mentor (the
    push the mentor got names no one: this says which match)."""

    @extend_schema(responses={200: HelpCallSerializer, 404: NOT_FOUND})
    def get(self, request: Request, match_id: int) -> Response:
        match = _active_match(request.user, match_id)
        return Response(
            HelpCallSerializer({"help_asked_at": selectors.help_call_for_match(match)}).data
        )


class MatchGoalProgressView(APIView):
    """Mentor or mentee marks how far a shared goal is."""

    @extend_schema(
        request=GoalProgressSerializer,
        responses={200: SharedGoalSerializer, 400: REFUSED, 404: NOT_FOUND},
    )
    def post(self, request: Request, match_id: int, goal_id: int) -> Response:
        match = _active_match(request.user, match_id)
        goal = selectors.shared_goal_get(match=match, goal_id=goal_id)
        data = _validated(GoalProgressSerializer, request).validated_data
        author = (
            services.author_mentor(match)
            if request.user.pk == match.mentor_id
            else services.author_young_person(request.user)
        )
        goal = services.goal_update(goal=goal, author=author, data={"status": data["status"]})
        return Response(SharedGoalSerializer(goal).data)
