from django.urls import path

from . import api

urlpatterns = [
    path("vault/documents/", api.DocumentListView.as_view(), name="vault-documents"),
    path(
        "vault/documents/<uuid:document_id>/",
        api.DocumentDetailView.as_view(),
        name="vault-document",
    ),
    path(
        "vault/documents/<uuid:document_id>/content/",
        api.DocumentContentView.as_view(),
        name="vault-document-content",
    ),
    path(
        "vault/documents/<uuid:document_id>/shares/",
        api.DocumentShareListView.as_view(),
        name="vault-document-shares",
    ),
    path(
        "vault/documents/<uuid:document_id>/shares/<uuid:share_id>/",
        api.DocumentShareDetailView.as_view(),
        name="vault-document-share",
    ),
    path("vault/access-log/", api.AccessLogView.as_view(), name="vault-access-log"),
    path("vault/export/", api.ExportView.as_view(), name="vault-export"),
    path("vault/shared/<slug:token>/", api.SharedLinkView.as_view(), name="vault-shared"),
    path(
        "vault/shared/<slug:token>/content/",
        api.SharedLinkContentView.as_view(),
        name="vault-shared-content",
    ),
    path("vault/shared-with-me/", api.MentorSharedListView.as_view(), name="vault-shared-with-me"),
    path(
        "vault/shared-with-me/<uuid:share_id>/content/",
        api.MentorSharedContentView.as_view(),
        name="vault-shared-with-me-content",
    ),
]
