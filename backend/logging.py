"""Redaction of what the logs would otherwise keep: secrets, e-mail addresses, client
addresses.

``RedactSecrets`` is attached to every handler (``settings.LOGGING``, and gunicorn's own
in ``backend/gunicorn_conf.py``). It formats each record's message with its arguments,
rewrites it and drops the arguments, so no formatter can bring a secret back; exception
tracebacks and stacks are rewritten too. Imports nothing of Django: gunicorn's master
process loads it before the application.

``RequestContext`` adds the request's id and user's primary key (never an e-mail) and a
Celery task's id to each record; ``JsonFormatter`` writes a record as one JSON object
per line (``LOG_FORMAT=json``), ``TextFormatter`` as a readable line (the default of the
embedded default).
"""

import ipaddress
import json
import logging
import re
import traceback
from collections.abc import Mapping
from contextvars import ContextVar
from datetime import UTC, datetime

REDACTED = "[redacted]"

# "X-Session-Token: abc", "'Authorization': 'Bearer abc'", "password=abc"; the short
# names (code, key, pin, otp) only quoted, as in a dict or JSON: "status code: 404" stays.
_SECRET_FIELD = re.compile(
    r"""(?ix)
    (?P<name>(?:
        ["']?(?:x-share-token|x-share-code|x-session-token|authorization|
            proxy-authorization|cookie|set-cookie|x-csrftoken|
            [\w-]*(?:token|password|secret))["']?
        |["'](?:code|key|pin|otp)["']
    )\s*[:=]\s*["']?)
    (?:(?:bearer|basic|token)\s+)?
    (?P<value>[^\s,;&'"}\]]+)
    """
)
# Query strings: ?token=..., &code=..., ;sessionid=...
_SECRET_QUERY = re.compile(
    r"(?i)(?P<name>[?&;](?:[\w-]*token|code|key|password|secret|signature|sessionid|pin|otp)=)"
    r"(?P<value>[^&\s#\"']*)"
)
# Credentials in a URL: redis://:password@host, postgres://user:password@host.
_URL_CREDENTIALS = re.compile(r"(?P<name>\b[a-z][\w+.-]*://[^:/\s@]*:)(?P<value>[^@\s/]+)(?=@)")
# A share link's token in a path (the old /vault/shared/<token>/) or a fragment.
_SHARE_PATH = re.compile(r"(?P<name>/vault/shared/)(?!content/)(?P<value>[^/\s?#\"']+)")
# The SMS receipts' address carries its secret: /hooks/sms/<secret>/.
_HOOK_PATH = re.compile(r"(?P<name>/hooks/sms/)(?P<value>[^/\s?#\"']+)")
# A French phone number (+33 6 12 34 56 78, 0612345678): a person's, never logged.
_PHONE = re.compile(r"(?<![\w+])(?:\+33[\s.-]?|0)[1-9](?:[\s.-]?\d{2}){4}(?!\d)")
_SHARE_FRAGMENT = re.compile(r"(?P<name>/partage/#)(?P<value>[^\s\"']+)")
# A long random-looking run (tokens, session keys, hashes), but not a UUID (ids).
_LONG_RUN = re.compile(r"(?<![\w-])[\w-]{32,}(?![\w-])")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_EMAIL = re.compile(
    r"[\w.!#$%&'*+/=?^`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+"
)
_IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")
_IPV6 = re.compile(r"(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])")


def _keep_name(match: re.Match) -> str:
    return match.group("name") + REDACTED


def _long_run(match: re.Match) -> str:
    run = match.group(0)
    if _UUID.fullmatch(run) or not (re.search(r"\d", run) and re.search(r"[A-Za-z]", run)):
        return run  # a document's id, or a long word: nothing secret
    return REDACTED


def _network(match: re.Match) -> str:
    """An address is kept as its network only (/24, /48): enough to tell a flood."""
    text = match.group(0)
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return text  # a time of day, a version number
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def redact(text: str) -> str:
    """``text`` without secrets, e-mail addresses, phone numbers or full IP addresses."""
    text = _URL_CREDENTIALS.sub(_keep_name, text)
    text = _EMAIL.sub("[email]", text)
    for pattern in (_SHARE_PATH, _HOOK_PATH, _SHARE_FRAGMENT, _SECRET_QUERY, _SECRET_FIELD):
        text = pattern.sub(_keep_name, text)
    text = _PHONE.sub("[phone]", text)
    text = _LONG_RUN.sub(_long_run, text)
    text = _IPV4.sub(_network, text)
    return _IPV6.sub(_network, text)


class RedactSecrets(logging.Filter):
    """Rewrites every record that passes, whatever logged it; never drops one."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # arguments that do not fit the message
            message = f"{record.msg} {record.args!r}"
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip()
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


# --- Context and structured output ------------------------------------------------------
# Set by backend/observability.py (a request's id and the request, whose user is read only
# once authentication has resolved it) and by the Celery signals (a task's id and name).
request_id_var: ContextVar[str | None] = ContextVar("jalon_request_id", default=None)
request_var: ContextVar[object | None] = ContextVar("jalon_request", default=None)
task_var: ContextVar[tuple[str, str] | None] = ContextVar("jalon_task", default=None)

# What gunicorn's access log finds in the WSGI environment (``%({name}e)s``): the request
# is over by then, so the middleware leaves its id and its user's there.
ENVIRON_REQUEST_ID = "jalon.request_id"
ENVIRON_USER_ID = "jalon.user_id"


def current_user_id(request=None) -> int | str | None:
    """The primary key of the request's user, if authentication has resolved one.

    Never evaluates a lazy ``request.user``: a log line must not cost a session lookup.
    """
    request = request if request is not None else request_var.get()
    if request is None:
        return None
    user = getattr(request, "user", None)
    # Django's SimpleLazyObject keeps the user in ``_wrapped`` once resolved.
    user = getattr(user, "_wrapped", user)
    if getattr(user, "is_authenticated", False) is not True:
        return None
    return getattr(user, "pk", None)


class RequestContext(logging.Filter):
    """Adds ``request_id``, ``user_id``, ``task_id`` and ``task_name`` to every record.

    Placed before ``RedactSecrets`` on a handler: gunicorn's access records carry their
    request's id and user in their arguments, which the redaction drops.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        atoms = record.args if isinstance(record.args, Mapping) else None
        if atoms is not None and "U" in atoms and "s" in atoms:  # gunicorn's access line
            record.request_id = _atom(atoms, ENVIRON_REQUEST_ID)
            user_id = _atom(atoms, ENVIRON_USER_ID)
            record.user_id = int(user_id) if user_id and user_id.isdigit() else user_id
            record.http = {
                "method": atoms.get("m"),
                "path": redact(str(atoms.get("U") or "")),
                "status": _int(atoms.get("s")),
                "bytes": _int(atoms.get("B")),
                "duration_ms": _int(atoms.get("M")),
            }
        else:
            record.request_id = request_id_var.get()
            record.user_id = current_user_id()
        task = task_var.get()
        record.task_id, record.task_name = task if task else (None, None)
        return True


def _atom(atoms: Mapping, name: str) -> str | None:
    value = atoms.get(f"{{{name}}}e")
    return None if value in (None, "-", "") else str(value)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class JsonFormatter(logging.Formatter):
    """One JSON object per line: timestamp (ISO 8601, UTC), level, logger, message,
    request_id, user_id, and the task's or the HTTP request's fields when there are some.

    Only these fields are written, never a record's other attributes: whatever a library
    attaches to a record (a request, a user, headers) stays out. The message and the
    traceback are the ones ``RedactSecrets`` rewrote.
    """

    def format(self, record: logging.LogRecord) -> str:
        moment = datetime.fromtimestamp(record.created, UTC)
        entry = {
            "timestamp": moment.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
            "user_id": getattr(record, "user_id", None),
        }
        if getattr(record, "task_id", None):
            entry["task_id"], entry["task_name"] = record.task_id, record.task_name
        if getattr(record, "http", None):
            entry["http"] = record.http
        if record.exc_info and not record.exc_text:  # a handler without RedactSecrets
            record.exc_text = redact(self.formatException(record.exc_info))
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False, default=str)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


class TextFormatter(logging.Formatter):
    """The readable line of the embedded default: time, level, logger, request id."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        if not hasattr(record, "request_id"):  # a handler without RequestContext
            record.request_id = None
        saved = record.request_id
        record.request_id = saved or "-"
        try:
            return super().format(record)
        finally:
            record.request_id = saved
