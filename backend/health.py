"""Health probes for the load balancer and the orchestrator."""

import logging

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

from .celery import app as celery_app
from .tasks import WORKER_HEARTBEAT_CACHE_KEY

logger = logging.getLogger(__name__)

BROKER_TIMEOUT_SECONDS = 2


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is alive and answers."""
    return JsonResponse({"status": "ok"})


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _check_broker() -> None:
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
        conn.default_channel  # noqa: B018 - opening a channel proves the broker answers


def _check_cache() -> None:
    cache.set("jalon:readyz", "ok", timeout=10)
    if cache.get("jalon:readyz") != "ok":
        raise RuntimeError("cache did not return the value just written")


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """The database, the broker and the cache answer: this instance can take traffic (503 if not).

    Also reports the last heartbeat of a Celery worker, for the operator's information.
    """
    checks = {}
    for name, check in (
        ("database", _check_database),
        ("broker", _check_broker),
        ("cache", _check_cache),
    ):
        try:
            check()
            checks[name] = "ok"
        except Exception as exc:
            logger.warning("readiness check %s failed: %s", name, exc)
            checks[name] = "unavailable"
    ready = all(state == "ok" for state in checks.values())
    try:
        heartbeat = cache.get(WORKER_HEARTBEAT_CACHE_KEY)
    except Exception:
        heartbeat = None
    return JsonResponse(
        {
            "status": "ok" if ready else "unavailable",
            "checks": checks,
            "worker_heartbeat": heartbeat,
        },
        status=200 if ready else 503,
    )
