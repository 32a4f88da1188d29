from django.urls import path

from . import api

# ``departement`` is the converter accounts' URLs register (backend.urls includes them first).
urlpatterns = [
    path(
        "departements/<departement:code>/stats/",
        api.DepartementStatsView.as_view(),
        name="departement-stats",
    ),
    path("stats/", api.NationalStatsView.as_view(), name="national-stats"),
]
