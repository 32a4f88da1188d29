from django.urls import path

from . import api

urlpatterns = [
    path(
        "mentoring/mentor-application/",
        api.MentorApplicationView.as_view(),
        name="mentoring-mentor-application",
    ),
]
