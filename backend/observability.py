"""What ties a log line, an error or a metric to its request or task.

- ``RequestIdMiddleware`` gives each request an id: the proxy's ``X-Request-ID`` when it
  is a sane token, else a new UUID. It is put where the log filter reads it
  (``backend.logging.request_id_var``), in the WSGI environment for gunicorn's access
  line, and in the response's ``X-Request-ID``.
- The Celery signals below put a task's id and name in the logs' context, carry the id of
  the request that queued a task in the task's headers, count tasks for the metrics
  (``backend.metrics``), and keep the last failures for the admin's "Failed tasks" page.
"""

import json
import logging
import re
import traceback
import uuid

from celery import signals as celery_signals
from django.core import signals as django_signals
from django.core.cache import cache
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from . import metrics
from .logging import (
    ENVIRON_REQUEST_ID,
    ENVIRON_USER_ID,
    current_user_id,
    redact,
    request_id_var,
    request_var,
    task_var,
)

logger = logging.getLogger(__name__)

REQUEST_ID_HEADER = "X-Request-ID"
# nginx's $request_id, a UUID, a load balancer's trace id: letters, digits and . _ : -
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
TASK_HEADER = "jalon_request_id"


def request_id_from(value: str | None) -> str:
    """The proxy's request id when it is a sane token; a new one otherwise."""
    if value and _SANE_REQUEST_ID.fullmatch(value):
        return value
    return str(uuid.uuid4())


class RequestIdMiddleware:
    """First in ``MIDDLEWARE``: every log line of the request carries its id."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = request_id
        request.META[ENVIRON_REQUEST_ID] = request_id
        # Left set until the response is closed (``request_finished``): Django logs a
        # 4xx/5xx answer after the middleware has returned.
        request_id_var.set(request_id)
        request_var.set(request)
        response = self.get_response(request)
        user_id = current_user_id(request)
        if user_id is not None:
            request.META[ENVIRON_USER_ID] = str(user_id)
        response[REQUEST_ID_HEADER] = request_id
        return response


@receiver(django_signals.request_finished)
def _forget_request(**kwargs) -> None:
    request_id_var.set(None)
    request_var.set(None)


# --- Celery ---------------------------------------------------------------------------


@celery_signals.before_task_publish.connect
def _carry_request_id(headers=None, **kwargs) -> None:
    """A task queued while answering a request logs that request's id too."""
    request_id = request_id_var.get()
    if request_id and headers is not None:
        headers.setdefault(TASK_HEADER, request_id)


# A task run eagerly (inside a request) must give its caller's context back.
_saved_contexts: dict[str, tuple] = {}


@celery_signals.task_prerun.connect
def _task_started(task_id=None, task=None, **kwargs) -> None:
    name = getattr(task, "name", "?")
    queued_by = getattr(getattr(task, "request", None), TASK_HEADER, None)
    _saved_contexts[task_id] = (
        task_var.set((task_id, name)),
        request_id_var.set(queued_by) if queued_by else None,
    )
    metrics.increment("task_started", name)


@celery_signals.task_postrun.connect
def _task_ended(task_id=None, **kwargs) -> None:
    tokens = _saved_contexts.pop(task_id, None)
    if tokens is None:
        return
    task_token, request_token = tokens
    try:
        task_var.reset(task_token)
        if request_token is not None:
            request_id_var.reset(request_token)
    except ValueError:  # ended in another context than it started: just forget it
        task_var.set(None)


@celery_signals.task_success.connect
def _task_succeeded(sender=None, **kwargs) -> None:
    metrics.increment("task_succeeded", getattr(sender, "name", "?"))


@celery_signals.task_retry.connect
def _task_retried(sender=None, **kwargs) -> None:
    metrics.increment("task_retried", getattr(sender, "name", "?"))


@celery_signals.task_failure.connect
def _task_failed(sender=None, task_id=None, exception=None, einfo=None, **kwargs) -> None:
    name = getattr(sender, "name", "?")
    metrics.increment("task_failed", name)
    try:
        record_failure(name, task_id, exception, einfo)
    except Exception as error:
        logger.warning("task failure of %s not kept: %s", name, error)


# --- Failed tasks ---------------------------------------------------------------------

FAILURES_KEY = "jalon:task-failures"
FAILURES_KEPT = 200


def record_failure(name: str, task_id: str | None, exception, einfo=None) -> None:
    """Keep a failed task for the admin's page: when, which task, which error (redacted:
    no e-mail address, token or client address), never its arguments."""
    trace = getattr(einfo, "traceback", None) or "".join(
        traceback.format_exception(type(exception), exception, exception.__traceback__)
        if exception is not None
        else []
    )
    entry = {
        "at": timezone.now().isoformat(),
        "task": name,
        "task_id": task_id or "",
        "request_id": request_id_var.get() or "",
        "exception": type(exception).__name__ if exception is not None else "",
        "message": redact(str(exception))[:1000] if exception is not None else "",
        "traceback": redact(trace)[-8000:],
    }
    client = metrics.shared_redis()
    if client is not None:
        with client.pipeline() as pipe:
            pipe.lpush(FAILURES_KEY, json.dumps(entry))
            pipe.ltrim(FAILURES_KEY, 0, FAILURES_KEPT - 1)
            pipe.execute()
    else:
        failures = cache.get(FAILURES_KEY) or []
        cache.set(FAILURES_KEY, [entry, *failures][:FAILURES_KEPT], timeout=None)


def recent_failures(limit: int = FAILURES_KEPT) -> list[dict]:
    """The last failed tasks, newest first (at most ``FAILURES_KEPT``)."""
    client = metrics.shared_redis()
    if client is not None:
        return [json.loads(raw) for raw in client.lrange(FAILURES_KEY, 0, limit - 1)]
    return (cache.get(FAILURES_KEY) or [])[:limit]
