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
    path("jeunes/<id:link_id>/projet/", pages.projet, name="pro-projet"),
    path("jeunes/<id:link_id>/projet/imprimer/", pages.projet_print, name="pro-projet-print"),
    path("jeunes/<id:link_id>/projet/objectifs/", pages.goal_add, name="pro-goal-add"),
    path(
        "jeunes/<id:link_id>/projet/objectifs/<id:goal_id>/statut/",
        pages.goal_status,
        name="pro-goal-status",
    ),
    path(
        "jeunes/<id:link_id>/projet/objectifs/<id:goal_id>/actions/",
        pages.action_add,
        name="pro-action-add",
    ),
    path(
        "jeunes/<id:link_id>/projet/actions/<id:action_id>/statut/",
        pages.action_status,
        name="pro-action-status",
    ),
    path(
        "jeunes/<id:link_id>/projet/souhaits/<word:domain>/",
        pages.wishes_save,
        name="pro-wishes-save",
    ),
    path("jeunes/<id:link_id>/projet/revue/", pages.review_save, name="pro-review-save"),
    path("jeunes/<id:link_id>/autonomie/", pages.assessment, name="pro-assessment"),
    path(
        "jeunes/<id:link_id>/autonomie/evaluer/",
        pages.assessment_submit,
        name="pro-assessment-submit",
    ),
]
