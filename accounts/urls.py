from django.urls import path

from . import api
from .figures import api as figures_api

urlpatterns = [
    path("me/", api.MeView.as_view(), name="me"),
    path("me/export/", api.MeExportView.as_view(), name="me-export"),
    path("departements/", api.DepartementListView.as_view(), name="departement-list"),
    path(
        "departements/<departement:code>/",
        api.DepartementDetailView.as_view(),
        name="departement-detail",
    ),
    path(
        "departements/<departement:code>/stats/",
        figures_api.DepartementStatsView.as_view(),
        name="departement-stats",
    ),
    path("stats/", figures_api.NationalStatsView.as_view(), name="national-stats"),
]
