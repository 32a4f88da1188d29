"""API of accounts: the signed-in person (``/me/``) and the départements."""

import hashlib

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import Http404, HttpResponse, HttpResponseNotModified
from django.utils import timezone, translation
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, permissions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.api.serializers import ErrorSerializer
from backend.api.throttling import ScopedMethodThrottle

from . import selectors, services
from .models import Departement
from .permissions import RecentlyAuthenticated
from .serializers import (
    DepartementDetailSerializer,
    DepartementSerializer,
    MeDeleteSerializer,
    MeSerializer,
)

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Invalid input; nothing was changed."),
    401: OpenApiResponse(ErrorSerializer, description="Missing or expired session token."),
}


class MeView(APIView):
    """The signed-in person's account and profile."""

    throttle_classes = [*APIView.throttle_classes, ScopedMethodThrottle]
    throttle_scope = "erase"
    throttle_methods = ("DELETE",)
    # Erasure cannot be undone: a fresh proof of the password (or second factor) first.
    permission_classes = [permissions.IsAuthenticated, RecentlyAuthenticated]
    reauthentication_methods = ("DELETE",)

    @extend_schema(responses={200: MeSerializer, 401: ERRORS[401]})
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(request.user).data)

    @extend_schema(request=MeSerializer, responses={200: MeSerializer, **ERRORS})
    def patch(self, request: Request) -> Response:
        serializer = MeSerializer(request.user, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        user = services.me_update(user=request.user, data=dict(serializer.validated_data))
        user.refresh_from_db()
        return Response(MeSerializer(user).data)

    @extend_schema(
        request=MeDeleteSerializer,
        responses={204: None, **ERRORS},
        description=(
            "Erase the account and all its data, for good. The password confirms the "
            "request; the session token stops working at once."
        ),
    )
    def delete(self, request: Request) -> Response:
        serializer = MeDeleteSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        services.user_erase(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeExportView(APIView):
    """Every piece of personal data Jalon holds on the signed-in person (GDPR Art. 20)."""

    @extend_schema(responses={200: OpenApiResponse(description="JSON export"), 401: ERRORS[401]})
    def get(self, request: Request) -> Response:
        export = selectors.personal_data_export(user=request.user)
        filename = f"jalon-export-{timezone.localdate().isoformat()}.json"
        return Response(
            export,
            headers={
                "Content-Disposition": f'attachment; filename="{filename}"',
                "Cache-Control": "no-store",
            },
        )


# The départements' list is reference data that only migrations change (like
# ``selectors.departement_codes``): its pages are rendered once and kept in the cache,
# per language and address, under a digest of the rows. A migration that changes them
# changes the digest of every process started after it; a change in this process (the
# tests) forgets it here.
@receiver([post_save, post_delete], sender=Departement)
def _forget_departement_pages(**kwargs) -> None:
    selectors.departements_digest.cache_clear()
    selectors.departements_digest()  # now, not in the next request


class DepartementListView(generics.ListAPIView):
    """The 101 départements (reference data; open to anyone)."""

    permission_classes = [permissions.AllowAny]
    serializer_class = DepartementSerializer
    queryset = Departement.objects.none()

    def get_queryset(self):
        return selectors.departement_list()

    def list(self, request: Request, *args, **kwargs) -> HttpResponse:
        address = hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()
        key = ":".join(
            ["departements", selectors.departements_digest(), translation.get_language(), address]
        )
        body = cache.get(key)
        if body is None:
            body = JSONRenderer().render(super().list(request, *args, **kwargs).data)
            cache.set(key, body, 3600)
        etag = f'W/"{hashlib.sha256(body).hexdigest()[:32]}"'
        if etag in {tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")}:
            return HttpResponseNotModified(headers={"ETag": etag})
        response = HttpResponse(body, content_type="application/json")
        response["ETag"] = etag
        response["Cache-Control"] = "max-age=3600"  # the phone keeps it an hour
        response["Vary"] = "Accept-Language"
        return response


class DepartementDetailView(generics.RetrieveAPIView):
    """A département with the contact points its staff publish for young people."""

    permission_classes = [permissions.AllowAny]
    serializer_class = DepartementDetailSerializer

    def get_object(self) -> Departement:
        try:
            return selectors.departement_get(code=self.kwargs["code"])
        except Departement.DoesNotExist as exc:
            raise Http404 from exc
