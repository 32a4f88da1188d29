"""The path to autonomy's pages in the professional space (under ``/pro/``)."""

from django.urls import path

from . import pages

urlpatterns = [
    path("jeunes/<id:link_id>/etapes/", pages.steps, name="pro-steps"),
    path(
        "jeunes/<id:link_id>/etapes/planifier/",
        pages.interview_schedule,
        name="pro-interview-schedule",
    ),
    path("jeunes/<id:link_id>/etapes/tenu/", pages.interview_held, name="pro-interview-held"),
]
