"""Gunicorn's configuration (``gunicorn --config python:backend.gunicorn_conf``).

The access log keeps the method, the path without its query string, the status, the size
and the time, plus the request's id and its user's primary key: no client address, no
query string, no referrer, no user agent. Every gunicorn handler also goes through the
project's redaction filter (backend/logging.py). ``LOG_FORMAT=json`` (the default in
production) writes one JSON object per line, as the application does.

With ``PROMETHEUS_MULTIPROC_DIR`` set (metrics, see backend/metrics.py), the directory is
emptied when gunicorn starts and a dead worker's live figures are dropped.

It listens on every interface of the container, on ``PORT`` (8000 unless set).
"""

import os
from pathlib import Path

# int(): a mistyped PORT stops gunicorn at start, naming the value, instead of binding elsewhere.
bind = f"0.0.0.0:{int(os.environ.get('PORT', '8000'))}"
workers = 3
accesslog = "-"
# %(U)s is the path alone: a query string may carry a secret, even by mistake.
access_log_format = '"%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'

_PRODUCTION = os.environ.get("DJANGO_ENV") == "production"
_LOG_FORMAT = os.environ.get("LOG_FORMAT") or ("json" if _PRODUCTION else "text")
_FORMATTER = {"()": f"backend.logging.{'Json' if _LOG_FORMAT == 'json' else 'Text'}Formatter"}
_FILTERS = ["request_context", "redact_secrets"]  # the context first: it reads the arguments
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_context": {"()": "backend.logging.RequestContext"},
        "redact_secrets": {"()": "backend.logging.RedactSecrets"},
    },
    "formatters": {"generic": _FORMATTER, "access": _FORMATTER},
    "handlers": {
        "error_console": {
            "class": "logging.StreamHandler",
            "formatter": "generic",
            "filters": _FILTERS,
            "stream": "ext://sys.stderr",
        },
        "access_console": {
            "class": "logging.StreamHandler",
            "formatter": "access",
            "filters": _FILTERS,
            "stream": "ext://sys.stdout",
        },
    },
    "root": {"level": "INFO", "handlers": ["error_console"]},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["access_console"], "propagate": False},
    },
}


def on_starting(server) -> None:
    """Start the metrics of this run from zero: old workers' files would add up forever."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        Path(directory).mkdir(parents=True, exist_ok=True)
        for stale in Path(directory).glob("*.db"):
            stale.unlink()


def child_exit(server, worker) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
