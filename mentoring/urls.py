from django.urls import path

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
    # <id:...> (backend.converters): at most 18 digits, a huge number is a 404.
    path(
        "mentoring/matches/<id:match_id>/",
        api.MatchDetailView.as_view(),
        name="mentoring-match",
    ),
    path(
        "mentoring/matches/<id:match_id>/messages/",
        api.MessagesView.as_view(),
        name="mentoring-messages",
    ),
    path(
        "mentoring/matches/<id:match_id>/messages/read/",
        api.MessagesReadView.as_view(),
        name="mentoring-messages-read",
    ),
    path(
        "mentoring/matches/<id:match_id>/report/",
        api.ReportView.as_view(),
        name="mentoring-report",
    ),
    path(
        "mentoring/matches/<id:match_id>/meetings/",
        api_agenda.MatchMeetingsView.as_view(),
        name="mentoring-match-meetings",
    ),
    path(
        "mentoring/meetings/<id:meeting_id>/",
        api_agenda.MeetingDetailView.as_view(),
        name="mentoring-meeting",
    ),
    path(
        "mentoring/meetings/<id:meeting_id>/ics/",
        api_agenda.MeetingIcsView.as_view(),
        name="mentoring-meeting-ics",
    ),
    path(
        "mentoring/meetings/<id:meeting_id>/accept/",
        api_agenda.MeetingAcceptView.as_view(),
        name="mentoring-meeting-accept",
    ),
    path(
        "mentoring/meetings/<id:meeting_id>/decline/",
        api_agenda.MeetingDeclineView.as_view(),
        name="mentoring-meeting-decline",
    ),
    path(
        "mentoring/meetings/<id:meeting_id>/reschedule/",
        api_agenda.MeetingRescheduleView.as_view(),
        name="mentoring-meeting-reschedule",
    ),
    path(
        "mentoring/meetings/<id:meeting_id>/cancel/",
        api_agenda.MeetingCancelView.as_view(),
        name="mentoring-meeting-cancel",
    ),
    path("me/appointments/", api_agenda.AppointmentListView.as_view(), name="me-appointments"),
    path(
        "me/appointments/<id:appointment_id>/",
        api_agenda.AppointmentDetailView.as_view(),
        name="me-appointment",
    ),
    path(
        "me/appointments/<id:appointment_id>/ics/",
        api_agenda.AppointmentIcsView.as_view(),
        name="me-appointment-ics",
    ),
    path("me/devices/", api_agenda.DeviceListView.as_view(), name="me-devices"),
    path(
        "me/devices/<id:device_id>/",
        api_agenda.DeviceDetailView.as_view(),
        name="me-device",
    ),
    path("me/sms/", api_agenda.SmsContactView.as_view(), name="me-sms"),
    path("me/notifications/", api_agenda.NotificationListView.as_view(), name="me-notifications"),
    path(
        "me/notifications/read/",
        api_agenda.NotificationsReadView.as_view(),
        name="me-notifications-read",
    ),
    path(
        "mentoring/matches/<id:match_id>/accept/",
        api.MatchAcceptView.as_view(),
        name="mentoring-match-accept",
    ),
    path(
        "mentoring/matches/<id:match_id>/decline/",
        api.MatchDeclineView.as_view(),
        name="mentoring-match-decline",
    ),
    path(
        "mentoring/matches/<id:match_id>/pause/",
        api.MatchPauseView.as_view(),
        name="mentoring-match-pause",
    ),
    path(
        "mentoring/matches/<id:match_id>/resume/",
        api.MatchResumeView.as_view(),
        name="mentoring-match-resume",
    ),
    path(
        "mentoring/matches/<id:match_id>/end/",
        api.MatchEndView.as_view(),
        name="mentoring-match-end",
    ),
    path(
        "mentoring/matches/<id:match_id>/feedback/",
        api.MatchFeedbackView.as_view(),
        name="mentoring-match-feedback",
    ),
]
