from django.urls import path

from . import api

# <id:...> (backend.converters): at most 18 digits, a huge number is a 404.
urlpatterns = [
    path("me/timeline/", api.TimelineView.as_view(), name="timeline"),
    path(
        "me/timeline/six-months-interview/",
        api.SixMonthsInterviewRequestView.as_view(),
        name="timeline-six-months-interview",
    ),
    path("me/projet/", api.ProjetView.as_view(), name="projet"),
    path("me/projet/history/", api.ProjetHistoryView.as_view(), name="projet-history"),
    path("me/projet/print/", api.ProjetPrintView.as_view(), name="projet-print"),
    path("me/projet/domains/<word:domain>/", api.WishesView.as_view(), name="projet-wishes"),
    path("me/projet/goals/", api.GoalListView.as_view(), name="projet-goals"),
    path("me/projet/goals/<id:goal_id>/", api.GoalDetailView.as_view(), name="projet-goal"),
    path(
        "me/projet/goals/<id:goal_id>/actions/",
        api.ActionListView.as_view(),
        name="projet-goal-actions",
    ),
    path("me/projet/actions/<id:action_id>/", api.ActionDetailView.as_view(), name="projet-action"),
    path("me/assessments/", api.AssessmentListView.as_view(), name="assessments"),
    path(
        "me/assessments/suggestions/",
        api.SuggestionsView.as_view(),
        name="assessment-suggestions",
    ),
    path("me/check-ins/", api.CheckInListView.as_view(), name="check-ins"),
    path(
        "mentoring/matches/<id:match_id>/goals/",
        api.MatchGoalsView.as_view(),
        name="mentoring-match-goals",
    ),
    path(
        "mentoring/matches/<id:match_id>/help/",
        api.MatchHelpCallView.as_view(),
        name="mentoring-match-help",
    ),
    path(
        "mentoring/matches/<id:match_id>/goals/<id:goal_id>/progress/",
        api.MatchGoalProgressView.as_view(),
        name="mentoring-match-goal-progress",
    ),
]
