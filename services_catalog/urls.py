from django.urls import path

from . import api

urlpatterns = [
    path("catalogue/entries/", api.CatalogueEntryListView.as_view(), name="catalogue-entries"),
    path(
        "catalogue/entries/<id:entry_id>/",
        api.CatalogueEntryDetailView.as_view(),
        name="catalogue-entry",
    ),
    path(
        "catalogue/entries/<id:entry_id>/reports/",
        api.EntryErrorReportCreateView.as_view(),
        name="catalogue-entry-reports",
    ),
    path(
        "catalogue/export/data-inclusion/",
        api.DataInclusionExportView.as_view(),
        name="catalogue-export-data-inclusion",
    ),
    path("me/rights/", api.MyRightsView.as_view(), name="me-rights"),
    path("me/demarches/", api.MyDemarcheListView.as_view(), name="me-demarches"),
    path(
        "me/demarches/<id:demarche_id>/",
        api.MyDemarcheDetailView.as_view(),
        name="me-demarche",
    ),
]
