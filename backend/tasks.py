"""Project-wide tasks: liveness of the worker and the beat scheduler."""

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

WORKER_HEARTBEAT_CACHE_KEY = "jalon:worker-heartbeat"


@shared_task(bind=True)
def record_worker_heartbeat(self) -> None:
    """Record when and by which worker the periodic heartbeat last ran.

    ``/readyz`` reports it, so an operator sees at once whether beat and a worker run.
    """
    cache.set(
        WORKER_HEARTBEAT_CACHE_KEY,
        {"at": timezone.now().isoformat(), "worker": self.request.hostname},
        timeout=None,
    )


@shared_task(ignore_result=False)
def ping() -> str:
    """Answer ``"pong"``: lets operators and tests check a worker consumes the queue."""
    return "pong"
