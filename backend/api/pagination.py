import base64
import binascii
import json
from collections.abc import Callable

from django.core.paginator import Page
from django.core.paginator import Paginator as DjangoPaginator
from rest_framework import pagination, serializers
from rest_framework.exceptions import NotFound
from rest_framework.utils.urls import remove_query_param, replace_query_param


class PageNumberPagination(pagination.PageNumberPagination):
    """``?page=2&page_size=50``; pages stay small for phones on a slow connection."""

    page_size_query_param = "page_size"
    max_page_size = 200


def page_number(request, pagination: PageNumberPagination) -> int:
    """The requested page number, or a 404 in the API's format for a bad one."""
    raw_page = request.query_params.get(pagination.page_query_param, "1")
    try:
        number = int(raw_page)
        if number < 1:
            raise ValueError
    except ValueError as exc:
        raise NotFound(
            pagination.invalid_page_message.format(
                page_number=raw_page, message="not a page number"
            )
        ) from exc
    if (number - 1) * pagination.get_page_size(request) > 2**62:
        # Beyond any table; the database would overflow.
        raise NotFound(
            pagination.invalid_page_message.format(
                page_number=raw_page, message="that page contains no results"
            )
        )
    return number


def paginate_counted(queryset, request, pagination: PageNumberPagination, count: Callable):
    """Fetch one page by its limit and offset alone, its total from ``count(rows)``.

    Where the total is cached (or carried by the rows) the page costs what its rows
    cost, whatever the size of the result set. ``count`` is only called when the page
    has rows. Returns the rows; ``pagination`` is ready for
    ``get_paginated_response``.
    """
    page_size = pagination.get_page_size(request)
    number = page_number(request, pagination)
    offset = (number - 1) * page_size
    rows = list(queryset[offset : offset + page_size])
    if not rows and number > 1:
        raise NotFound(
            pagination.invalid_page_message.format(
                page_number=number, message="that page contains no results"
            )
        )
    total = count(rows) if rows else 0
    _ready(pagination, request, rows, number, page_size, max(total, offset + len(rows)))
    return rows


def _ready(pagination, request, rows, number: int, page_size: int, count: int) -> None:
    paginator = DjangoPaginator([], page_size)
    paginator.__dict__["count"] = count  # pre-fills Paginator.count (a cached property)
    pagination.page = Page(rows, number, paginator)
    pagination.request = request


def encode_cursor(values: list) -> str:
    """An opaque, URL-safe cursor for the values of the last row of a page."""
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> list:
    """The values of ``encode_cursor``; ``ValueError`` if the cursor is not one of ours."""
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError("not a cursor") from exc
    if not isinstance(values, list):
        raise ValueError("not a cursor")
    return values


def keyset_links(request, cursor_param: str, next_cursor: str | None) -> dict:
    """``next`` and ``previous`` of a keyset page: forward only, ``page`` dropped."""
    url = remove_query_param(request.build_absolute_uri(), "page")
    return {
        "next": replace_query_param(url, cursor_param, next_cursor) if next_cursor else None,
        "previous": None,
    }


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
