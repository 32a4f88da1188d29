from django.urls import path, re_path

from . import api
from .agenda import api as api_agenda

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
        r"^mentoring/matches/(?P<match_id>[0-9]{1,18})/meetings/$",
        api_agenda.MatchMeetingsView.as_view(),
        name="mentoring-match-meetings",
    ),
    re_path(
        r"^mentoring/meetings/(?P<meeting_id>[0-9]{1,18})/$",
        api_agenda.MeetingDetailView.as_view(),
        name="mentoring-meeting",
    ),
    re_path(
        r"^mentoring/meetings/(?P<meeting_id>[0-9]{1,18})/ics/$",
        api_agenda.MeetingIcsView.as_view(),
        name="mentoring-meeting-ics",
    ),
    re_path(
        r"^mentoring/meetings/(?P<meeting_id>[0-9]{1,18})/accept/$",
        api_agenda.MeetingAcceptView.as_view(),
        name="mentoring-meeting-accept",
    ),
    re_path(
        r"^mentoring/meetings/(?P<meeting_id>[0-9]{1,18})/decline/$",
        api_agenda.MeetingDeclineView.as_view(),
        name="mentoring-meeting-decline",
    ),
    re_path(
        r"^mentoring/meetings/(?P<meeting_id>[0-9]{1,18})/reschedule/$",
        api_agenda.MeetingRescheduleView.as_view(),
        name="mentoring-meeting-reschedule",
    ),
    re_path(
        r"^mentoring/meetings/(?P<meeting_id>[0-9]{1,18})/cancel/$",
        api_agenda.MeetingCancelView.as_view(),
        name="mentoring-meeting-cancel",
    ),
    path("me/appointments/", api_agenda.AppointmentListView.as_view(), name="me-appointments"),
    re_path(
        r"^me/appointments/(?P<appointment_id>[0-9]{1,18})/$",
        api_agenda.AppointmentDetailView.as_view(),
        name="me-appointment",
    ),
    re_path(
        r"^me/appointments/(?P<appointment_id>[0-9]{1,18})/ics/$",
        api_agenda.AppointmentIcsView.as_view(),
        name="me-appointment-ics",
    ),
    path("me/devices/", api_agenda.DeviceListView.as_view(), name="me-devices"),
    re_path(
        r"^me/devices/(?P<device_id>[0-9]{1,18})/$",
        api_agenda.DeviceDetailView.as_view(),
        name="me-device",
    ),
    path("me/notifications/", api_agenda.NotificationListView.as_view(), name="me-notifications"),
    path(
        "me/notifications/read/",
        api_agenda.NotificationsReadView.as_view(),
        name="me-notifications-read",
    ),
    re_path(
        r"^mentoring/matches/(?P<match_id>[0-9]{1,18})/accept/$",
        api.MatchAcceptView.as_view(),
        name="mentoring-match-accept",
    ),
    re_path(
        r"^mentoring/matches/(?P<match_id>[0-9]{1,18})/decline/$",
        api.MatchDeclineView.as_view(),
        name="mentoring-match-decline",
    ),
    re_path(
        r"^mentoring/matches/(?P<match_id>[0-9]{1,18})/pause/$",
        api.MatchPauseView.as_view(),
        name="mentoring-match-pause",
    ),
    re_path(
        r"^mentoring/matches/(?P<match_id>[0-9]{1,18})/resume/$",
        api.MatchResumeView.as_view(),
        name="mentoring-match-resume",
    ),
    re_path(
        r"^mentoring/matches/(?P<match_id>[0-9]{1,18})/end/$",
        api.MatchEndView.as_view(),
        name="mentoring-match-end",
    ),
    re_path(
        r"^mentoring/matches/(?P<match_id>[0-9]{1,18})/feedback/$",
        api.MatchFeedbackView.as_view(),
        name="mentoring-match-feedback",
    ),
]
