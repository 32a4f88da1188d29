"""The project's URLs, and a view that fails with personal data in hand (tests/test_sentry.py)."""

import logging

from django.urls import path

from backend.urls import handler404, handler500, urlpatterns  # noqa: F401 - the handlers

logger = logging.getLogger("jalon.test")


def fails(request):
    email = request.POST.get("email", "")
    logger.error("about to fail for %s", email)
    raise ValueError(f"no account for {email} with token {request.GET.get('token')}")


urlpatterns = [path("test/fails/", fails), *urlpatterns]
