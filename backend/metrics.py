"""Prometheus metrics, on ``/metrics`` behind a bearer token, when ``METRICS_ENABLED``.

Two kinds of figures:

- **the web process's own**, through prometheus-client: requests by view, method and
  status, and their latency. Under gunicorn's several workers, prometheus-client's
  multiprocess mode (``PROMETHEUS_MULTIPROC_DIR``, a directory the workers share, emptied
  when gunicorn starts: ``backend/gunicorn_conf.py``) adds up every worker's;
- **shared counters**, written by any process (Celery workers mostly, in other containers)
  and read by whichever web process is scraped: Celery tasks started, succeeded, failed and
  retried by task name, and reminder deliveries sent or failed by channel. They live in
  a Redis hash of the cache's database (``HINCRBY``: atomic, across containers), or, on the
  embedded default without Redis, in one entry of the file cache (one machine; an
  increment may be lost when two processes write at the same instant). The length of the
  broker's queues is read at scrape time (Redis: ``LLEN``; filesystem broker: its files).

Nothing here is on by default: with ``METRICS_ENABLED`` off, the middleware and the
counters do nothing and ``/metrics`` answers 404.
"""

import hmac
import logging
import os
import time
from collections.abc import Iterable
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import REGISTRY

logger = logging.getLogger(__name__)

REQUESTS = Counter(
    "jalon_http_requests",
    "HTTP requests answered, by view, method and status.",
    ["view", "method", "status"],
)
LATENCY = Histogram(
    "jalon_http_request_duration_seconds",
    "Time to answer an HTTP request, by view and method.",
    ["view", "method"],
)

# Shared counters: family -> (metric name, help, label names).
SHARED_COUNTERS = {
    "task_started": ("jalon_celery_task_started", "Celery tasks started.", ("task",)),
    "task_succeeded": ("jalon_celery_task_succeeded", "Celery tasks succeeded.", ("task",)),
    "task_failed": ("jalon_celery_task_failed", "Celery tasks failed.", ("task",)),
    "task_retried": ("jalon_celery_task_retried", "Celery task retries.", ("task",)),
    "reminder_deliveries": (
        "jalon_reminder_deliveries",
        "Reminder deliveries handed to a channel, by channel and outcome (sent, failed).",
        ("channel", "outcome"),
    ),
}
_KEY = "jalon:metrics:{}"
_SEPARATOR = "\t"
BROKER_TIMEOUT_SECONDS = 2


def enabled() -> bool:
    return bool(getattr(settings, "METRICS_ENABLED", False))


@lru_cache(maxsize=4)
def _redis_client(url: str):
    import redis

    return redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)


def shared_redis():
    """A client of the cache's Redis database, or None on the embedded default."""
    url = getattr(settings, "REDIS_CACHE_URL", "") if getattr(settings, "REDIS_URL", "") else ""
    return _redis_client(url) if url else None


def increment(family: str, *labels: str, amount: int = 1) -> None:
    """Add ``amount`` to the shared counter ``family`` (see ``SHARED_COUNTERS``) for
    ``labels``; nothing when metrics are off. Never raises: a metric is not worth a task."""
    if not enabled() or amount <= 0:
        return
    field = _SEPARATOR.join(labels)
    try:
        client = shared_redis()
        if client is not None:
            client.hincrby(_KEY.format(family), field, amount)
        else:
            counts = cache.get(_KEY.format(family)) or {}
            counts[field] = counts.get(field, 0) + amount
            cache.set(_KEY.format(family), counts, timeout=None)
    except Exception as error:
        logger.warning("metric %s not counted: %s", family, error)


def shared_counts(family: str) -> dict[tuple[str, ...], int]:
    """The shared counter ``family``: {labels: count}."""
    client = shared_redis()
    if client is not None:
        raw = client.hgetall(_KEY.format(family))
        counts = {field.decode(): int(value) for field, value in raw.items()}
    else:
        counts = cache.get(_KEY.format(family)) or {}
    return {tuple(field.split(_SEPARATOR)): count for field, count in counts.items()}


def queue_lengths() -> dict[str, int]:
    """Messages waiting in each of the broker's queues the workers consume."""
    from kombu.exceptions import ChannelError

    from .celery import app as celery_app

    names = {celery_app.conf.task_default_queue}
    names.update(queue.name for queue in celery_app.conf.task_queues or ())
    lengths = {}
    with celery_app.connection_for_read() as connection:
        connection.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
        channel = connection.default_channel
        for name in sorted(names):
            try:
                lengths[name] = channel.queue_declare(queue=name, passive=True).message_count
            except ChannelError:  # never declared: nothing was ever queued there
                lengths[name] = 0
    return lengths


class SharedCollector:
    """What is read at scrape time: the shared counters and the broker's queues."""

    def collect(self) -> Iterable:
        for family, (name, documentation, labels) in SHARED_COUNTERS.items():
            metric = CounterMetricFamily(name, documentation, labels=list(labels))
            try:
                counts = shared_counts(family)
            except Exception as error:
                logger.warning("metric %s unreadable: %s", family, error)
                counts = {}
            for values, count in sorted(counts.items()):
                if len(values) == len(labels):
                    metric.add_metric(list(values), count)
            yield metric
        queue = GaugeMetricFamily(
            "jalon_celery_queue_length", "Tasks waiting in the broker's queue.", labels=["queue"]
        )
        up = GaugeMetricFamily("jalon_celery_broker_up", "Whether the broker answered (1) or not.")
        try:
            lengths = queue_lengths()
        except Exception as error:
            logger.warning("broker queue length unreadable: %s", error)
            up.add_metric([], 0)
        else:
            up.add_metric([], 1)
            for name, length in lengths.items():
                queue.add_metric([name], length)
        yield queue
        yield up


class _Scrape:
    """The collectors of one scrape: prometheus-client only calls ``collect``."""

    def __init__(self, *collectors) -> None:
        self.collectors = collectors

    def collect(self) -> Iterable:
        for collector in self.collectors:
            yield from collector.collect()


def _collectors() -> list:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import CollectorRegistry, multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # every gunicorn worker's figures
        return [registry, SharedCollector()]
    return [REGISTRY, SharedCollector()]


def _authorised(request: HttpRequest) -> bool:
    scheme, _space, token = request.headers.get("Authorization", "").partition(" ")
    expected = settings.METRICS_TOKEN
    return (
        scheme.lower() == "bearer"
        and bool(expected)
        and hmac.compare_digest(token.strip().encode(), expected.encode())
    )


@never_cache
def metrics_view(request: HttpRequest) -> HttpResponse:
    """``/metrics``: 404 when metrics are off, 401 without the bearer ``METRICS_TOKEN``."""
    if not enabled():
        raise Http404
    if not _authorised(request):
        response = HttpResponse("Unauthorized\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(generate_latest(_Scrape(*_collectors())), content_type=CONTENT_TYPE_LATEST)


def _view_label(request: HttpRequest) -> str:
    """The view's URL name (or its route): a few dozen values, never an id or a token."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "<unresolved>"
    return match.view_name or match.route or "<unnamed>"


class MetricsMiddleware:
    """Counts each request and its latency, by view (not path: ids would explode the
    series), method and status. Does nothing when metrics are off."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not enabled():
            return self.get_response(request)
        started = time.perf_counter()
        response = self.get_response(request)
        view = _view_label(request)
        method = request.method if request.method in _METHODS else "other"
        REQUESTS.labels(view, method, str(response.status_code)).inc()
        LATENCY.labels(view, method).observe(time.perf_counter() - started)
        return response


_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
