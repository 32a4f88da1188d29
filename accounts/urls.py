from django.urls import path, register_converter

from . import api
from .figures import api as figures_api


class DepartementCodeConverter:
    """``93``, ``2A``, ``974``: only shapes of real codes reach the view."""

    regex = r"[0-9]{2,3}|2[AaBb]"

    def to_python(self, value: str) -> str:
        return value.upper()

    def to_url(self, value: str) -> str:
        return value


register_converter(DepartementCodeConverter, "departement")

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
