from django.core.paginator import Page
from django.core.paginator import Paginator as DjangoPaginator
from django.db.models import Count, Window
from rest_framework import pagination, serializers
from rest_framework.exceptions import NotFound


class PageNumberPagination(pagination.PageNumberPagination):
    """``?page=2&page_size=50``; pages stay small for phones on a slow connection."""

    page_size_query_param = "page_size"
    max_page_size = 200


def paginate_with_totals(queryset, request, pagination: PageNumberPagination, **totals):
    """Fetch one page and, in the same query, aggregates over the whole result set.

    ``totals`` are window aggregates (``latest=Window(Max("updated_at"))``): every row
    of the page carries them, so the page, its count and those figures cost one query
    instead of three. Returns ``(rows, totals)``; ``pagination`` is ready for
    ``get_paginated_response``.
    """
    page_size = pagination.get_page_size(request)
    raw_page = request.query_params.get(pagination.page_query_param, "1")
    try:
        page_number = int(raw_page)
        if page_number < 1:
            raise ValueError
    except ValueError as exc:
        raise NotFound(
            pagination.invalid_page_message.format(
                page_number=raw_page, message="not a page number"
            )
        ) from exc
    offset = (page_number - 1) * page_size
    if offset > 2**62:  # beyond any table; the database would overflow
        raise NotFound(
            pagination.invalid_page_message.format(
                page_number=raw_page, message="that page contains no results"
            )
        )
    rows = list(
        queryset.annotate(_total_count=Window(Count("pk")), **totals)[offset : offset + page_size]
    )
    if rows:
        count = rows[0]._total_count
        values = {name: getattr(rows[0], name) for name in totals}
    else:
        count = 0 if page_number == 1 else queryset.count()
        values = dict.fromkeys(totals)
        if page_number > 1:
            raise NotFound(
                pagination.invalid_page_message.format(
                    page_number=page_number, message="that page contains no results"
                )
            )
    paginator = DjangoPaginator([], page_size)
    paginator.__dict__["count"] = count  # pre-fills Paginator.count (a cached property)
    pagination.page = Page(rows, page_number, paginator)
    pagination.request = request
    return rows, {"count": count, **values}


def cursor_page_serializer(item_serializer_class):
    """Schema only: one page of a ``CursorPagination`` list of ``item_serializer_class``.

    For views that page by hand with a cursor: ``{"next", "previous", "results"}``, where
    ``next`` and ``previous`` are the links to the neighbouring pages (``null`` at an end).
    """
    name = item_serializer_class.__name__.removesuffix("Serializer")
    return type(
        f"{name}CursorPageSerializer",
        (serializers.Serializer,),
        {
            "__doc__": f"A page of {name} items; follow `next` for older ones.",
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": item_serializer_class(many=True),
        },
    )
