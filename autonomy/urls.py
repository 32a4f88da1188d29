from django.urls import path

from . import api

urlpatterns = [
    path("me/timeline/", api.TimelineView.as_view(), name="timeline"),
    path(
        "me/timeline/six-months-interview/",
        api.SixMonthsInterviewRequestView.as_view(),
        name="timeline-six-months-interview",
    ),
]
