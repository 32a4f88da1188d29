from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    """``?page=2&page_size=50``; pages stay small for phones on a slow connection."""

    page_size_query_param = "page_size"
    max_page_size = 200
