from django.urls import path, register_converter

from backend.converters import DepartementCodeConverter

from . import api

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
]
