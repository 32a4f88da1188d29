"""Throttles shared by the apps' views."""

from rest_framework.throttling import ScopedRateThrottle


class ScopedMethodThrottle(ScopedRateThrottle):
    """``ScopedRateThrottle`` for some methods only: the view's ``throttle_scope`` counts
    the requests whose method is in its ``throttle_methods`` (say ``("POST",)``: sending a
    message is limited, reading them is not). The other requests pass untouched."""

    def allow_request(self, request, view) -> bool:
        if request.method not in getattr(view, "throttle_methods", ()):
            return True
        return super().allow_request(request, view)
