"""Throttles shared by the apps' views."""

from rest_framework.throttling import ScopedRateThrottle, UserRateThrottle


class ScopedMethodThrottle(ScopedRateThrottle):
    """``ScopedRateThrottle`` for some methods only: the view's ``throttle_scope`` counts
    the requests whose method is in its ``throttle_methods`` (say ``("POST",)``: sending a
    message is limited, reading them is not). The other requests pass untouched."""

    def allow_request(self, request, view) -> bool:
        if request.method not in getattr(view, "throttle_methods", ()):
            return True
        return super().allow_request(request, view)


class SignedInRateThrottle(UserRateThrottle):
    """DRF's per-user rate, for signed-in requests only.

    DRF's ``UserRateThrottle`` also counts anonymous requests by address, which
    ``AnonRateThrottle`` already does at a stricter rate: counting them twice costs every
    anonymous request two more cache round trips for a limit it can never reach first.
    """

    def get_cache_key(self, request, view) -> str | None:
        if not (request.user and request.user.is_authenticated):
            return None  # DRF lets a request with no key through, untouched
        return super().get_cache_key(request, view)
