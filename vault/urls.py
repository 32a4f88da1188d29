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
    # A link's token and code come in headers (X-Share-Token, X-Share-Code), never in
    # the path or the query string, which servers log.
    path("vault/shared/", api.SharedLinkView.as_view(), name="vault-shared"),
    path(
        "vault/shared/content/",
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
