"""Throttles shared by the apps' views.

Each counts in the cache's sliding window in one round trip when the cache can
(``backend.cache.RedisCache.throttle_hit``, production), and as DRF does otherwise (the
embedded default's file cache): DRF reads a request's whole history and writes it back,
two round trips on every request of the API.
"""

from rest_framework import throttling


class OneRoundTripRateThrottle(throttling.SimpleRateThrottle):
    """DRF's ``SimpleRateThrottle``, counting through the cache's ``throttle_hit``. DRF's
    throttles are given it as a second base, so that their own ``allow_request`` (the
    scoped one's reads the view's rate) runs first and reaches this one through super()."""

    def allow_request(self, request, view) -> bool:
        hit = getattr(self.cache, "throttle_hit", None)
        if hit is None or self.rate is None:
            return super().allow_request(request, view)
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        allowed, self._wait = hit(
            self.key, now=self.timer(), duration=self.duration, limit=self.num_requests
        )
        return allowed

    def wait(self) -> float | None:
        if hasattr(self, "_wait"):
            return self._wait
        return super().wait()


class AnonymousRateThrottle(throttling.AnonRateThrottle, OneRoundTripRateThrottle):
    """DRF's per-address rate for requests with no account (scope ``anon``)."""


class SignedInRateThrottle(throttling.UserRateThrottle, OneRoundTripRateThrottle):
    """DRF's per-user rate, for signed-in requests only.

    DRF's ``UserRateThrottle`` also counts anonymous requests by address, which
    ``AnonymousRateThrottle`` already does at a stricter rate: counting them twice costs
    every anonymous request more cache round trips for a limit it can never reach first.
    """

    def get_cache_key(self, request, view) -> str | None:
        if not (request.user and request.user.is_authenticated):
            return None  # DRF lets a request with no key through, untouched
        return super().get_cache_key(request, view)


class ScopedRateThrottle(throttling.ScopedRateThrottle, OneRoundTripRateThrottle):
    """DRF's rate of the view's ``throttle_scope``, for every request of the view."""


class ScopedMethodThrottle(ScopedRateThrottle):
    """``ScopedRateThrottle`` for some methods only: the view's ``throttle_scope`` counts
    the requests whose method is in its ``throttle_methods`` (say ``("POST",)``: sending a
    message is limited, reading them is not). The other requests pass untouched."""

    def allow_request(self, request, view) -> bool:
        if request.method not in getattr(view, "throttle_methods", ()):
            return True
        return super().allow_request(request, view)
