from django.urls import path

from . import api

urlpatterns = [
    path("me/", api.MeView.as_view(), name="me"),
    path("me/export/", api.MeExportView.as_view(), name="me-export"),
    path("departements/", api.DepartementListView.as_view(), name="departement-list"),
    path(
        "departements/<departement:code>/",
        api.DepartementDetailView.as_view(),
        name="departement-detail",
    ),
]
