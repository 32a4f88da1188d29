"""Redaction of what the logs would otherwise keep: secrets, e-mail addresses, client
addresses.

``RedactSecrets`` is attached to every handler (``settings.LOGGING``, and gunicorn's own
in ``backend/gunicorn_conf.py``). It formats each record's message with its arguments,
rewrites it and drops the arguments, so no formatter can bring a secret back; exception
tracebacks and stacks are rewritten too. Imports nothing of Django: gunicorn's master
process loads it before the application.
"""

import ipaddress
import logging
import re
import traceback

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
    """``text`` without secrets, e-mail addresses or full IP addresses."""
    text = _URL_CREDENTIALS.sub(_keep_name, text)
    text = _EMAIL.sub("[email]", text)
    for pattern in (_SHARE_PATH, _SHARE_FRAGMENT, _SECRET_QUERY, _SECRET_FIELD):
        text = pattern.sub(_keep_name, text)
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
