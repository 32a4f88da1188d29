"""Error tracking through sentry-sdk, only when ``SENTRY_DSN`` is set (settings call ``init``).

Nothing personal leaves: ``send_default_pii`` is off, request bodies and local variables
are never captured, and ``scrub`` (every event and transaction passes through it) drops
the request's body, cookies, headers, query string and environment and the user's e-mail
and address (only their primary key stays), then runs every remaining text (message,
exception values, breadcrumbs, extras) through the logs' redaction (``backend.logging``):
no e-mail address, token, code or full client address.
"""

from urllib.parse import urlsplit, urlunsplit

from .logging import current_user_id, redact, request_id_var

_REQUEST_KEPT = ("method", "url")
# Sentry's own identifiers (32 hexadecimal digits, which the redaction would take for a
# token), the release (a commit's hash) and what describes the SDK: kept as they are.
_NOT_REDACTED = {
    *("event_id", "trace_id", "span_id", "parent_span_id", "release", "dist", "sdk", "modules"),
}


def _redacted(value):
    """``value`` with every string in it redacted (dicts and lists walked)."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {
            key: item if key in _NOT_REDACTED else _redacted(item) for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [_redacted(item) for item in value]
    return value


def scrub(event: dict, hint: dict | None = None) -> dict:
    """The event without personal data (see the module); given to ``before_send``."""
    request = event.get("request")
    if isinstance(request, dict):
        kept = {key: request[key] for key in _REQUEST_KEPT if key in request}
        if "url" in kept:
            kept["url"] = urlunsplit(urlsplit(str(kept["url"]))._replace(query="", fragment=""))
        event["request"] = kept
    user_id = (event.get("user") or {}).get("id") or current_user_id()
    event["user"] = {"id": str(user_id)} if user_id is not None else {}
    for frames in _stack_frames(event):
        for frame in frames:
            frame.pop("vars", None)
    logentry = event.get("logentry")
    if isinstance(logentry, dict):
        logentry.pop("params", None)  # the formatted message stays, redacted below
    request_id = request_id_var.get()
    if request_id:
        event.setdefault("tags", {})["request_id"] = request_id
    return _redacted(event)


def _stack_frames(event: dict):
    for exception in (event.get("exception") or {}).get("values") or []:
        yield (exception.get("stacktrace") or {}).get("frames") or []
    for thread in (event.get("threads") or {}).get("values") or []:
        yield (thread.get("stacktrace") or {}).get("frames") or []


def _scrub_breadcrumb(crumb: dict, hint: dict | None = None) -> dict:
    return _redacted(crumb)


def init(*, dsn: str, environment: str, traces_sample_rate: float, release: str = "") -> None:
    """Start sentry-sdk with the Django and Celery integrations and the scrubbing above."""
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release or None,
        traces_sample_rate=traces_sample_rate,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        # Sessions would carry the user agent; the errors are what is wanted here.
        auto_session_tracking=False,
        before_send=scrub,
        before_send_transaction=scrub,
        before_breadcrumb=_scrub_breadcrumb,
    )
