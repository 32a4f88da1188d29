"""The Celery application: configured from Django settings (``CELERY_*``)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")

app = Celery("jalon")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The signals that give tasks' logs their ids, count tasks and keep their failures.
from . import observability  # noqa: E402, F401
