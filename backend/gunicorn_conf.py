"""Gunicorn's configuration (``gunicorn --config python:backend.gunicorn_conf``).

The access log keeps the method, the path without its query string, the status, the size
and the time: no client address, no query string, no referrer, no user agent. Every
gunicorn handler also goes through the project's redaction filter (backend/logging.py).

It listens on every interface of the container, on ``PORT`` (8000 unless set).
"""

import os

# int(): a mistyped PORT stops gunicorn at start, naming the value, instead of binding elsewhere.
bind = f"0.0.0.0:{int(os.environ.get('PORT', '8000'))}"
workers = 3
accesslog = "-"
# %(U)s is the path alone: a query string may carry a secret, even by mistake.
access_log_format = '"%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'

_FORMAT = {"format": "%(asctime)s [%(process)d] [%(levelname)s] %(message)s"}
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_secrets": {"()": "backend.logging.RedactSecrets"}},
    "formatters": {"generic": _FORMAT, "access": {"format": "%(message)s"}},
    "handlers": {
        "error_console": {
            "class": "logging.StreamHandler",
            "formatter": "generic",
            "filters": ["redact_secrets"],
            "stream": "ext://sys.stderr",
        },
        "access_console": {
            "class": "logging.StreamHandler",
            "formatter": "access",
            "filters": ["redact_secrets"],
            "stream": "ext://sys.stdout",
        },
    },
    "root": {"level": "INFO", "handlers": ["error_console"]},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["access_console"], "propagate": False},
    },
}
