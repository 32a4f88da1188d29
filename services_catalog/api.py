"""API of the catalogue: search, detail, the young person's rights and procedures."""

import functools
import hashlib
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, Window
from django.http import Http404, HttpResponse, HttpResponseNotModified
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import departement_codes, young_person_profile
from accounts.serializers import DepartementCodeField
from backend.api.pagination import (
    PageNumberPagination,
    encode_cursor,
    keyset_links,
    page_number,
    paginate_counted,
)
from backend.api.serializers import ErrorSerializer
from backend.api.throttling import ScopedMethodThrottle
from backend.pseudonyms import visitor_pseudonym

from . import data_inclusion, selectors, services
from .models import Demarche, Entry
from .serializers import (
    CatalogueSearchParams,
    DemarcheCreateSerializer,
    DemarcheSerializer,
    DemarcheUpdateSerializer,
    EntryDetailSerializer,
    EntryErrorReportCreateSerializer,
    EntryErrorReportSerializer,
    EntryListSerializer,
    RightSerializer,
)

ERROR_400 = OpenApiResponse(ErrorSerializer, description="Invalid parameters.")


def _etag(*parts) -> str:
    digest = hashlib.sha256("|".join(str(part) for part in parts).encode()).hexdigest()
    return f'W/"{digest[:32]}"'


def _not_modified(request: Request, etag: str) -> bool:
    candidates = request.headers.get("If-None-Match", "")
    return etag in {candidate.strip() for candidate in candidates.split(",")} or candidates == "*"


class CataloguePagination(PageNumberPagination):
    """The standard page, plus ``removed`` in the answer of an offline sync."""

    def get_paginated_response_schema(self, schema):
        envelope = super().get_paginated_response_schema(schema)
        envelope["properties"]["removed"] = {
            "type": "array",
            "items": {"type": "integer"},
            "description": "With `updated_since` only: ids of entries gone since then.",
        }
        return envelope


# Bump when the list's answer changes shape: cached answers of the old shape are not
# served again after a deployment (they also expire on their own, see ANSWER_SECONDS).
LIST_ANSWER_FORMAT = 2


@functools.cache
def _words_digest() -> str:
    """A digest of the compiled translations, read once per process: a release that
    changes a word (a weekday, "closed") changes the lists' keys and ETags with it."""
    digest = hashlib.sha256()
    for folder in settings.LOCALE_PATHS:
        for path in sorted(Path(folder).glob("*/LC_MESSAGES/*.mo")):
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


# How long a list answer is kept. The key already changes with every write to the
# catalogue; the expiry only bounds what stays cached after a deployment.
ANSWER_SECONDS = 600


# The parameters of the list (its query serializer's, and the pages').
_LIST_PARAMETERS = frozenset(CatalogueSearchParams._declared_fields) | {"page", "page_size"}


class CatalogueEntryListView(APIView):
    """Search the published catalogue; open to anyone, signed in or not."""

    permission_classes = [permissions.AllowAny]
    pagination_class = CataloguePagination

    @extend_schema(
        parameters=[CatalogueSearchParams],
        responses={
            200: EntryListSerializer(many=True),
            304: OpenApiResponse(description="Not modified since the ETag in If-None-Match."),
            400: ERROR_400,
        },
        description=(
            "Answers carry an ETag: send it back in If-None-Match to get 304 when nothing "
            "changed. With `updated_since` (the app's offline copy), entries come oldest "
            "change first and `next` pages by a `cursor`; the answer also lists in "
            "`removed` the ids of entries that left the catalogue since then."
        ),
    )
    def get(self, request: Request) -> HttpResponse:
        version = selectors.catalogue_version()
        raw = request.query_params
        # Everything an answer depends on: the catalogue, the day (validity dates), the
        # minute for "open now", the language and the whole address (links included).
        # The day also covers a closure coming into the list's notice or ending.
        # The list is the same for everyone, signed in or not. Built from the raw
        # address, so that an answer already given skips even the parameters' checks.
        key = _etag(
            "catalogue-list",
            LIST_ANSWER_FORMAT,
            _words_digest(),
            version,
            settings.CATALOGUE_MIN_QUALITY,  # what is visible, besides the rows
            timezone.localdate().isoformat(),
            timezone.now().strftime("%Y%m%d%H%M") if "open_now" in raw else "",
            translation.get_language(),
            request.build_absolute_uri(),
        )
        if "updated_since" in raw:
            # An offline copy's walk: one device's own, not worth keeping for others.
            if _not_modified(request, key):
                return HttpResponseNotModified(headers={"ETag": key})
            params = self._params(request)
            body, found = self._sync_page(request, params, version)
            search = None
        else:
            # Only answers to the documented parameters are kept: made-up ones would
            # fill the cache with copies of the same answer.
            keep = set(raw) <= _LIST_PARAMETERS
            cache_key = f"catalogue:list:{key}"
            cached = cache.get(cache_key) if keep else None
            if _not_modified(request, key):
                # The phone shows what it has: still a search for the figures.
                if cached is not None:
                    found, search = cached[1], cached[2]
                else:
                    found, search = True, self._search_event(self._params(request))
                self._record_search(request, search, found)
                return HttpResponseNotModified(headers={"ETag": key})
            if cached is None:
                params = self._params(request)  # a bad request raises here: never kept
                cached = (*self._page(request, params, version), self._search_event(params))
                if keep:
                    cache.set(cache_key, cached, ANSWER_SECONDS)
            body, found, search = cached
        self._record_search(request, search, found)
        response = HttpResponse(body, content_type="application/json")
        response["ETag"] = key
        response["Cache-Control"] = "no-cache"  # cache, but check the ETag every time
        response["Vary"] = "Accept-Language"
        return response

    @staticmethod
    def _record_search(request: Request, search: dict | None, found: bool) -> None:
        if search is not None:  # counted for the figures, even when the answer is kept
            services.search_event_record(**search, found=found, visitor=visitor_pseudonym(request))

    @staticmethod
    def _params(request: Request) -> dict:
        params = CatalogueSearchParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        return params.validated_data

    def _page(self, request: Request, params: dict, version: int) -> tuple[bytes, bool]:
        queryset = selectors.entry_search(params)
        paginator = self.pagination_class()
        if params.get("lat") is not None or params.get("q"):
            # Ordered by distance or relevance, the database reads every match to sort
            # them: counting them on the way is free, and saves a second pass.
            rows = paginate_counted(
                queryset.annotate(_total=Window(Count("pk"))),
                request,
                paginator,
                count=lambda rows: rows[0]._total,
            )
        else:  # by title, off an index: the page alone is read, the count is shared
            rows = paginate_counted(
                queryset,
                request,
                paginator,
                count=lambda _rows: _cached_count(queryset, params, version),
            )
        selectors.with_structure_names(rows)
        selectors.entries_with_closures(rows)  # closures: one query for the page
        data = paginator.get_paginated_response(EntryListSerializer(rows, many=True).data).data
        return JSONRenderer().render(data), bool(rows)

    def _sync_page(self, request: Request, params: dict, version: int) -> tuple[bytes, bool]:
        queryset = selectors.entry_search(params)
        page_size = self.pagination_class().get_page_size(request)
        count = _cached_count(queryset, params, version)
        if params.get("cursor"):
            rows = list(selectors.entries_after(queryset, params["cursor"])[: page_size + 1])
        else:  # the first page, or a walk begun by page numbers before cursors
            paginator = self.pagination_class()
            offset = (page_number(request, paginator) - 1) * page_size
            rows = list(queryset[offset : offset + page_size + 1])
        more = len(rows) > page_size
        rows = rows[:page_size]
        next_cursor = encode_cursor(selectors.entry_cursor(rows[-1])) if more else None
        selectors.with_structure_names(rows)
        selectors.entries_with_closures(rows)
        data = {
            "count": count,
            **keyset_links(request, "cursor", next_cursor),
            "results": EntryListSerializer(rows, many=True).data,
            "removed": selectors.removed_since(params["updated_since"]),
        }
        return JSONRenderer().render(data), count > 0

    @staticmethod
    def _search_event(params: dict) -> dict | None:
        """What the figures keep of a search (no one, no text), or None if it is none."""
        is_search = any(params.get(key) for key in ("q", "categorie", "thematique"))
        if not is_search:
            return None  # a sync of the offline copy or a plain listing is not a search
        departement = selectors.search_departement(params)
        if departement not in departement_codes():
            departement = None
        thematique = params.get("thematique", "")
        return {
            "departement_code": departement,
            "commune_code": params.get("commune", ""),
            "categorie": params.get("categorie") or thematique.split("--")[0],
            "thematique": thematique,
            "had_text": bool(params.get("q")),
        }


class CatalogueEntryDetailView(APIView):
    """One published entry, with its steps, documents, contact and hours."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        responses={
            200: EntryDetailSerializer,
            304: OpenApiResponse(description="Not modified since the ETag in If-None-Match."),
            404: OpenApiResponse(ErrorSerializer),
        }
    )
    def get(self, request: Request, entry_id: int) -> Response:
        try:
            entry = selectors.entry_get_visible(entry_id=entry_id)
        except Entry.DoesNotExist as exc:
            raise Http404 from exc
        # Counted before the ETag check: a 304 is still the app showing the entry.
        services.entry_consultation_record(
            entry=entry,
            departement_code=_figures_departement(request, entry),
            visitor=visitor_pseudonym(request),
        )
        # The hours' week starts today and says whether it is open now: the tag changes
        # with the day and when the entry opens or closes next.
        _open, change = selectors.entry_opening_state(entry, timezone.now())
        etag = _etag(
            "entry",
            entry.pk,
            entry.updated_at.isoformat(),
            translation.get_language(),
            timezone.localdate().isoformat(),
            change.isoformat() if change else "",
        )
        if _not_modified(request, etag):
            return HttpResponseNotModified(headers={"ETag": etag})
        response = Response(EntryDetailSerializer(entry).data)
        response["ETag"] = etag
        response["Cache-Control"] = "no-cache"
        response["Vary"] = "Accept-Language"
        return response


def _cached_count(queryset, params: dict, version: int) -> int:
    """How many entries match ``params``: counted once per version of the catalogue (and
    day), then shared by every page and every client asking the same question."""
    key = "catalogue:count:" + _etag(
        version,
        settings.CATALOGUE_MIN_QUALITY,
        timezone.localdate().isoformat(),
        timezone.now().strftime("%Y%m%d%H%M") if params.get("open_now") else "",
        sorted((name, str(value)) for name, value in params.items() if name != "cursor"),
    )
    count = cache.get(key)
    if count is None:
        count = queryset.order_by().count()
        cache.set(key, count, ANSWER_SECONDS)
    return count


class EntryErrorReportCreateView(APIView):
    """Report an error on an entry ("Signaler une erreur"): anyone, signed in or not,
    tells its curators it is wrong. Limited per sender (``catalogue_reports``) so that a
    script cannot flood them."""

    permission_classes = [permissions.AllowAny]
    throttle_classes = [*APIView.throttle_classes, ScopedMethodThrottle]
    throttle_scope = "catalogue_reports"
    throttle_methods = ("POST",)

    @extend_schema(
        request=EntryErrorReportCreateSerializer,
        responses={
            201: EntryErrorReportSerializer,
            400: ERROR_400,
            404: OpenApiResponse(ErrorSerializer, description="No published entry has this id."),
            429: OpenApiResponse(ErrorSerializer, description="Too many reports for now."),
        },
        description=(
            "Report an error on a published entry, with or without an account. "
            "`message` (up to 1000 characters) is needed for `wrong_information` and "
            "`other`. Nothing identifies an anonymous sender; a signed-in one finds "
            "their reports in their export."
        ),
    )
    def post(self, request: Request, entry_id: int) -> Response:
        try:
            entry = selectors.entry_get_reportable(entry_id=entry_id)
        except Entry.DoesNotExist as exc:
            raise Http404 from exc
        serializer = EntryErrorReportCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = services.entry_error_report_create(
            entry=entry,
            kind=serializer.validated_data["kind"],
            message=serializer.validated_data["message"],
            reporter=request.user,
        )
        return Response(EntryErrorReportSerializer(report).data, status=status.HTTP_201_CREATED)


def _figures_departement(request: Request, entry: Entry) -> str | None:
    """The département whose figures a reading of ``entry`` belongs to.

    A young person's reading counts for the département that supports them, even for a
    national right; anyone else's for the entry's own département (None if national).
    """
    profile = young_person_profile(request.user)
    if profile is not None and profile.departement_id:
        return profile.departement_id
    return entry.departement_id


class DataInclusionExportParams(serializers.Serializer):
    departement = DepartementCodeField()


class DataInclusionExportView(APIView):
    """A département's published catalogue as data·inclusion v1 structures and services."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        parameters=[DataInclusionExportParams],
        responses={200: OpenApiResponse(description="data·inclusion v1"), 400: ERROR_400},
    )
    def get(self, request: Request) -> Response:
        params = DataInclusionExportParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        return Response(
            data_inclusion.export_departement(departement=params.validated_data["departement"])
        )


def _young_person_profile(request: Request):
    profile = young_person_profile(request.user)
    if profile is None:
        raise PermissionDenied(
            _("Only young people have a personal space for rights and procedures.")
        )
    return profile


class MyRightsView(APIView):
    """The rights and services the signed-in young person can claim, deadlines first."""

    pagination_class = PageNumberPagination

    @extend_schema(responses={200: RightSerializer(many=True)})
    def get(self, request: Request) -> Response:
        profile = _young_person_profile(request)
        rights = selectors.rights_for(profile=profile)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(rights, request, view=self)
        return paginator.get_paginated_response(RightSerializer(page, many=True).data)


class MyDemarcheListView(APIView):
    """The procedures the young person follows; ``POST`` saves a new one."""

    pagination_class = PageNumberPagination

    @extend_schema(responses={200: DemarcheSerializer(many=True)})
    def get(self, request: Request) -> Response:
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(
            selectors.demarches_for_user(user=request.user), request, view=self
        )
        return paginator.get_paginated_response(DemarcheSerializer(page, many=True).data)

    @extend_schema(
        request=DemarcheCreateSerializer, responses={201: DemarcheSerializer, 400: ERROR_400}
    )
    def post(self, request: Request) -> Response:
        _young_person_profile(request)
        serializer = DemarcheCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            entry = selectors.entry_get_visible(entry_id=serializer.validated_data["entry"])
        except Entry.DoesNotExist as exc:
            raise DjangoValidationError(
                {
                    "entry": DjangoValidationError(
                        _("No published entry has this id."), "does_not_exist"
                    )
                }
            ) from exc
        demarche = services.demarche_start(user=request.user, entry=entry)
        demarche = selectors.demarche_get_for_user(user=request.user, demarche_id=demarche.pk)
        return Response(DemarcheSerializer(demarche).data, status=status.HTTP_201_CREATED)


class MyDemarcheDetailView(APIView):
    """One of the young person's procedures: read, tick steps, close, forget."""

    def _get(self, request: Request, demarche_id: int):
        try:
            return selectors.demarche_get_for_user(user=request.user, demarche_id=demarche_id)
        except Demarche.DoesNotExist as exc:
            raise Http404 from exc

    @extend_schema(responses={200: DemarcheSerializer})
    def get(self, request: Request, demarche_id: int) -> Response:
        return Response(DemarcheSerializer(self._get(request, demarche_id)).data)

    @extend_schema(
        request=DemarcheUpdateSerializer, responses={200: DemarcheSerializer, 400: ERROR_400}
    )
    def patch(self, request: Request, demarche_id: int) -> Response:
        demarche = self._get(request, demarche_id)
        serializer = DemarcheUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.demarche_update(
            demarche=demarche,
            status=data.get("status"),
            completed_step_ids=data.get("completed_steps"),
        )
        demarche = self._get(request, demarche_id)
        return Response(DemarcheSerializer(demarche).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, demarche_id: int) -> Response:
        services.demarche_forget(demarche=self._get(request, demarche_id))
        return Response(status=status.HTTP_204_NO_CONTENT)
