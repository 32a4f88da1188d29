from django.urls import path, re_path

from . import api

urlpatterns = [
    path(
        "mentoring/mentor-application/",
        api.MentorApplicationView.as_view(),
        name="mentoring-mentor-application",
    ),
    path("mentoring/request/", api.MyRequestView.as_view(), name="mentoring-request"),
    path(
        "mentoring/request/proposals/",
        api.MyProposalsView.as_view(),
        name="mentoring-request-proposals",
    ),
    path("mentoring/request/pick/", api.PickView.as_view(), name="mentoring-request-pick"),
    path("mentoring/matches/", api.MatchListView.as_view(), name="mentoring-matches"),
    # Ids of at most 18 digits, so that a huge number is a 404, not a database error.
    re_path(
        r"^mentoring/matches/(?P<match_id>[0-9]{1,18})/$",
        api.MatchDetailView.as_view(),
        name="mentoring-match",
    ),
    re_path(
        r"^mentoring/matches/(?P<match_id>[0-9]{1,18})/messages/$",
        api.MessagesView.as_view(),
        name="mentoring-messages",
    ),
    re_path(
        r"^mentoring/matches/(?P<match_id>[0-9]{1,18})/messages/read/$",
        api.MessagesReadView.as_view(),
        name="mentoring-messages-read",
    ),
    re_path(
        r"^mentoring/matches/(?P<match_id>[0-9]{1,18})/report/$",
        api.ReportView.as_view(),
        name="mentoring-report",
    ),
    re_path(
        r"^mentoring/matches/(?P<match_id>[0-9]{1,18})/"
        r"(?P<action>accept|decline|pause|resume|end|feedback)/$",
        api.MatchActionView.as_view(),
        name="mentoring-match-action",
    ),
]
