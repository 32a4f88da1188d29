"""API of the vault: the young person's documents, their shares, log and export.

Every view is for the owner (a young person) except the two ways in for others: a
mentor's shared documents, and a professional's share link.
"""

from django.conf import settings
from django.http import Http404, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, permissions, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsMentor, IsYoungPerson, RecentlyAuthenticated
from backend.api.serializers import ErrorSerializer
from backend.api.throttling import ScopedMethodThrottle, ScopedRateThrottle

from . import keys, selectors, services
from .document_types import DocumentType
from .exceptions import FileTooLarge
from .models import AccessEvent, Document
from .serializers import (
    AccessEventSerializer,
    DocumentSerializer,
    DocumentUpdateSerializer,
    DocumentUploadSerializer,
    NewShareSerializer,
    ShareCreateSerializer,
    SharedDocumentSerializer,
    ShareSerializer,
)
from .uploads import EncryptingUploadHandler

Action = AccessEvent.Action
Actor = AccessEvent.Actor

# Room for the form's other fields and the multipart boundaries around the file.
_FORM_OVERHEAD = 64 * 1024

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Invalid input; nothing was changed."),
    401: OpenApiResponse(ErrorSerializer, description="Missing or expired session token."),
    403: OpenApiResponse(ErrorSerializer, description="Only young people have a vault."),
    404: OpenApiResponse(ErrorSerializer, description="No such document of yours."),
}
CORRUPTED = OpenApiResponse(
    ErrorSerializer, description="The stored document failed its integrity check."
)
FILE = OpenApiResponse(OpenApiTypes.BINARY, description="The original file.")
LINK_CODE_NEEDED = OpenApiResponse(
    ErrorSerializer, description="The link is behind a code: missing or wrong."
)
LINK_GONE = OpenApiResponse(ErrorSerializer, description="The link has expired or was withdrawn.")


def file_response(
    pieces, document: Document, *, inline: bool, shared: bool = False
) -> StreamingHttpResponse:
    """Stream a document's plaintext, never stored by browsers or proxies, and sandboxed.

    Whatever a browser does with it, the file runs nothing in the API's origin: every
    answer carries a sandboxing ``Content-Security-Policy`` and ``nosniff``. A PDF is
    always an attachment (its viewer runs scripts and forms, and shows a blank page under
    a sandbox); ``inline`` applies to images only.
    """
    inline = inline and document.content_type != "application/pdf"
    response = StreamingHttpResponse(pieces, content_type=document.content_type)
    response["Content-Length"] = str(document.size)
    response["Content-Disposition"] = content_disposition_header(
        not inline, selectors.archive_name(document, with_file_name=not shared)
    )
    response["Cache-Control"] = "no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response


class DocumentFilter(filters.FilterSet):
    document_type = filters.ChoiceFilter(choices=DocumentType.choices, method="filter_type")
    expiring_within_days = filters.NumberFilter(
        method="filter_expiring",
        min_value=0,
        max_value=3650,
        label="Documents whose expiry date is between today and this many days from now.",
    )

    class Meta:
        model = Document
        fields = []

    def filter_type(self, queryset, name, value):
        return selectors.documents_of_type(queryset, value)

    def filter_expiring(self, queryset, name, value):
        return selectors.documents_expiring(queryset, int(value))


class DocumentListView(generics.ListAPIView):
    """The young person's documents; ``POST`` (multipart) puts a new one in the vault."""

    permission_classes = [IsYoungPerson]
    parser_classes = [MultiPartParser]
    serializer_class = DocumentSerializer
    filterset_class = DocumentFilter
    queryset = Document.objects.none()  # for the schema; get_queryset gives the owner's
    throttle_classes = [*APIView.throttle_classes, ScopedMethodThrottle]
    throttle_scope = "vault_upload"
    throttle_methods = ("POST",)

    def initialize_request(self, request, *args, **kwargs):
        if request.method == "POST":
            # Set before anything reads the body: the file is encrypted as it arrives.
            self.upload_handler = EncryptingUploadHandler(
                request=request,
                user_key_for=_young_person_key,
                max_size=settings.VAULT_MAX_FILE_SIZE,
                chunk_size=settings.VAULT_CHUNK_SIZE,
            )
            request.upload_handlers = [self.upload_handler]
        return super().initialize_request(request, *args, **kwargs)

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        finally:
            # A malformed or cut body stops the parser without telling the handler.
            if handler := getattr(self, "upload_handler", None):
                handler.abort()

    def get_queryset(self):
        return selectors.documents_for_user(user=self.request.user)

    def list(self, request: Request, *args, **kwargs) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        documents = selectors.documents_with_metadata(owner=request.user, documents=page)
        return self.get_paginated_response(DocumentSerializer(documents, many=True).data)

    @extend_schema(
        request={"multipart/form-data": DocumentUploadSerializer},
        responses={
            201: DocumentSerializer,
            413: OpenApiResponse(ErrorSerializer, description="File too large or vault full."),
            415: OpenApiResponse(ErrorSerializer, description="Not a PDF, JPEG, PNG, WebP, HEIC."),
            **ERRORS,
        },
    )
    def post(self, request: Request) -> Response:
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0  # Django's parser refuses such a body itself
        if declared > settings.VAULT_MAX_FILE_SIZE + _FORM_OVERHEAD:
            raise FileTooLarge()  # before reading a byte of a hopeless upload
        serializer = DocumentUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        upload = data.pop("file")
        if not data.get("title"):
            data["title"] = str(DocumentType(data["document_type"]).label)
        document = services.document_create(owner=request.user, upload=upload, **data)
        return Response(DocumentSerializer(document).data, status=status.HTTP_201_CREATED)


def _young_person_key(user):
    """The key uploads are encrypted for, or None when the uploader has no vault."""
    if not (user.is_authenticated and user.role == IsYoungPerson.role):
        return None
    return keys.user_key_ensure(user)


class DocumentDetailView(APIView):
    """One document's details: read, change, delete."""

    permission_classes = [IsYoungPerson]

    @extend_schema(responses={200: DocumentSerializer, **ERRORS})
    def get(self, request: Request, document_id) -> Response:
        document = selectors.document_get_for_user(user=request.user, document_id=document_id)
        return Response(DocumentSerializer(document).data)

    @extend_schema(request=DocumentUpdateSerializer, responses={200: DocumentSerializer, **ERRORS})
    def patch(self, request: Request, document_id) -> Response:
        document = selectors.document_get_for_user(user=request.user, document_id=document_id)
        serializer = DocumentUpdateSerializer(document, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.document_update(document=document, data=dict(serializer.validated_data))
        document = selectors.document_get_for_user(user=request.user, document_id=document_id)
        return Response(DocumentSerializer(document).data)

    @extend_schema(responses={204: None, **ERRORS})
    def delete(self, request: Request, document_id) -> Response:
        services.document_delete(
            document=selectors.document_get_for_user(user=request.user, document_id=document_id)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class DocumentContentView(APIView):
    """The original file, decrypted and checked; ``?disposition=inline`` to view an image
    (a PDF always comes as an attachment)."""

    permission_classes = [IsYoungPerson]

    @extend_schema(
        parameters=[OpenApiParameter("disposition", enum=["attachment", "inline"])],
        responses={(200, "*/*"): FILE, 500: CORRUPTED, **ERRORS},
    )
    def get(self, request: Request, document_id):
        document = selectors.document_get_for_user(user=request.user, document_id=document_id)
        inline = request.query_params.get("disposition") == "inline"
        pieces = services.document_content(
            document=document, action=Action.VIEW if inline else Action.DOWNLOAD, actor=Actor.OWNER
        )
        return file_response(pieces, document, inline=inline)


class DocumentShareListView(APIView):
    """The shares of one document; ``POST`` shares it with the mentor or by a link."""

    # Sharing hands a document to someone else: a fresh proof of the password first.
    permission_classes = [IsYoungPerson, RecentlyAuthenticated]
    reauthentication_methods = ("POST",)

    @extend_schema(responses={200: ShareSerializer(many=True), **ERRORS})
    def get(self, request: Request, document_id) -> Response:
        document = selectors.document_get_for_user(user=request.user, document_id=document_id)
        shares = selectors.shares_of_document(document)
        return Response(ShareSerializer(shares, many=True).data)

    @extend_schema(
        request=ShareCreateSerializer,
        responses={
            201: NewShareSerializer,
            409: OpenApiResponse(
                ErrorSerializer, description="No active mentor, or not a linked référent."
            ),
            **ERRORS,
        },
    )
    def post(self, request: Request, document_id) -> Response:
        document = selectors.document_get_for_user(user=request.user, document_id=document_id)
        serializer = ShareCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        hours = data.get("expires_in_hours")
        context = {"request": request}
        if data["kind"] == "link":
            share, token, code = services.share_link_create(
                document=document, hours=hours, with_code=data["with_code"]
            )
            context |= {"token": token, "code": code}
        elif data["kind"] == "referent":
            share = services.share_with_referent(
                document=document, referent_id=data["referent"], hours=hours
            )
        else:
            share = services.share_with_mentor(document=document, hours=hours)
        return Response(
            NewShareSerializer(share, context=context).data, status=status.HTTP_201_CREATED
        )


class DocumentShareDetailView(APIView):
    """One share of a document; ``DELETE`` revokes it at once."""

    permission_classes = [IsYoungPerson]

    def _share(self, request, document_id, share_id):
        return selectors.document_share_get_for_user(
            user=request.user, document_id=document_id, share_id=share_id
        )

    @extend_schema(responses={200: ShareSerializer, **ERRORS})
    def get(self, request: Request, document_id, share_id) -> Response:
        return Response(ShareSerializer(self._share(request, document_id, share_id)).data)

    @extend_schema(responses={204: None, **ERRORS})
    def delete(self, request: Request, document_id, share_id) -> Response:
        services.share_revoke(share=self._share(request, document_id, share_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class AccessLogView(generics.ListAPIView):
    """Every operation on the young person's documents, newest first (append-only)."""

    permission_classes = [IsYoungPerson]
    serializer_class = AccessEventSerializer
    filterset_fields = ["document_id", "action"]
    queryset = AccessEvent.objects.none()  # for the schema; get_queryset gives the owner's

    def get_queryset(self):
        return selectors.access_events_for_user(user=self.request.user)


class ExportView(APIView):
    """A zip of every document in its original format, with a JSON manifest."""

    # Every document at once: a fresh proof of the password first.
    permission_classes = [IsYoungPerson, RecentlyAuthenticated]
    throttle_scope = "vault_export"
    throttle_classes = [*APIView.throttle_classes, ScopedRateThrottle]

    @extend_schema(
        responses={(200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY), **ERRORS}
    )
    def get(self, request: Request):
        stream = services.vault_export(
            owner=request.user, manifest_extra={"owner": request.user.email}
        )
        response = StreamingHttpResponse(stream, content_type="application/zip")
        filename = f"jalon-coffre-{timezone.localdate().isoformat()}.zip"
        response["Content-Disposition"] = content_disposition_header(True, filename)
        response["Cache-Control"] = "no-store"
        return response


# --- Ways in for others ----------------------------------------------------------------

# A link's secrets travel in headers only, never in the URL: servers, proxies and
# browsers' histories log URLs (paths and query strings), not these headers.
_SHARE_HEADERS = [
    OpenApiParameter(
        "X-Share-Token",
        location=OpenApiParameter.HEADER,
        required=True,
        description="The link's token (after `#` in the link given to the professional).",
    ),
    OpenApiParameter(
        "X-Share-Code",
        location=OpenApiParameter.HEADER,
        description="The link's six-digit code, if it has one.",
    ),
]


def _open_share(request: Request):
    """The share whose token and code the request's headers carry (404 without a token)."""
    token = request.headers.get("X-Share-Token", "").strip()
    if not token:
        raise Http404
    return services.share_link_open(token=token, code=request.headers.get("X-Share-Code"))


def _shared_view(share):
    return selectors.shared_document_view(share)


class SharedLinkView(APIView):
    """What a share link opens: one document's details, for a professional."""

    permission_classes = [permissions.AllowAny]
    authentication_classes = []
    throttle_scope = "vault_share_link"
    throttle_classes = [*APIView.throttle_classes, ScopedRateThrottle]

    @extend_schema(
        parameters=_SHARE_HEADERS,
        responses={
            200: SharedDocumentSerializer,
            403: LINK_CODE_NEEDED,
            404: ERRORS[404],
            410: LINK_GONE,
        },
    )
    def get(self, request: Request) -> Response:
        share = _open_share(request)
        document = _shared_view(share)
        services.share_details_viewed(share=share, actor=Actor.SHARE_LINK)
        return Response(
            SharedDocumentSerializer(document).data, headers={"Cache-Control": "no-store"}
        )


class SharedLinkContentView(SharedLinkView):
    """The shared document's file, through its link."""

    @extend_schema(
        parameters=_SHARE_HEADERS,
        responses={
            (200, "*/*"): FILE,
            403: LINK_CODE_NEEDED,
            404: ERRORS[404],
            410: LINK_GONE,
        },
    )
    def get(self, request: Request):
        share = _open_share(request)
        document = _shared_view(share)
        pieces = services.document_content(
            document=document, action=Action.SHARE_ACCESS, actor=Actor.SHARE_LINK, share=share
        )
        services.share_used(share)
        return file_response(pieces, document, inline=True, shared=True)


class MentorSharedListView(APIView):
    """Documents that mentees shared with the signed-in mentor, while the match lasts."""

    permission_classes = [IsMentor]

    @extend_schema(responses={200: SharedDocumentSerializer(many=True)})
    def get(self, request: Request) -> Response:
        documents = [_shared_view(share) for share in selectors.shares_for_user(user=request.user)]
        return Response(SharedDocumentSerializer(documents, many=True).data)


class MentorSharedContentView(APIView):
    permission_classes = [IsMentor]

    @extend_schema(responses={(200, "*/*"): FILE, 404: ERRORS[404]})
    def get(self, request: Request, share_id):
        share = selectors.share_get_for_user(user=request.user, share_id=share_id)
        document = _shared_view(share)
        pieces = services.document_content(
            document=document, action=Action.SHARE_ACCESS, actor=Actor.MENTOR, share=share
        )
        services.share_used(share)
        return file_response(pieces, document, inline=True, shared=True)
