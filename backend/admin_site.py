"""The admin panel's site: Django's, with room for pages and a home page from the apps.

Backend imports no app: the apps above it plug their pages in from their own
``admin.py`` (which Django's admin finds by name, as it finds every ``admin.py``), with
``add_page`` and ``set_home``. The figures app puts its dashboard there.

The home page starts with the user's work: each app may have an ``admin_work.py`` (found
by ``backend.hooks.discover``) whose ``work_counters(request, site)`` returns its
``WorkCounter``s, usually made with ``site.work_counter``: how many rows wait, linking to
the list of exactly those rows.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import metrics, observability
from .hooks import discover

logger = logging.getLogger(__name__)

WORK_MODULE = "admin_work"


@dataclass(frozen=True)
class WorkCounter:
    """One line of the home page's work: "3 mentors to vet", linking to them."""

    label: str
    count: int
    url: str


class JalonAdminSite(admin.AdminSite):
    site_header = _("Jalon administration")
    site_title = _("Jalon")
    index_title = _("Administration")
    # No "View site": Jalon's site is the mobile app, which staff do not reach from here.
    site_url = None
    # Draws the work counters; figures' home template extends it (see set_home).
    index_template = "admin/jalon/index.html"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pages: list = []
        self._home: Callable[[HttpRequest], dict] | None = None

    def add_page(self, route: str, view: Callable, name: str) -> None:
        """Serve ``view`` at ``/admin/<route>`` for signed-in staff, as ``admin:<name>``."""
        self._pages.append((route, view, name))

    def set_home(self, template: str, context: Callable[[HttpRequest], dict]) -> None:
        """Draw the home page with ``template`` (extending ``admin/jalon/index.html``), given
        what ``context(request)`` adds."""
        self.index_template = template
        self._home = context

    def get_urls(self):
        return [
            path("tasks/failures/", self.admin_view(self.task_failures), name="task_failures"),
            *(path(route, self.admin_view(view), name=name) for route, view, name in self._pages),
            *super().get_urls(),
        ]

    def work_counter(
        self,
        request: HttpRequest,
        model: type[Model],
        label: Promise,
        query: dict[str, str],
        rows: Callable[[QuerySet], QuerySet],
    ) -> WorkCounter | None:
        """How many of ``model``'s rows wait for ``request.user``, or None if they may not
        see its list.

        The rows are ``rows(queryset)`` of the queryset of the model's admin (so scoped as
        its list is: the user's départements, a partner's own proposals); the link opens
        that list with the filters ``query``, which must keep the same rows. ``label`` says
        it: ``ngettext_lazy("%(count)d mentor to vet", "%(count)d mentors to vet", "count")``.
        One COUNT query.
        """
        model_admin = self._registry.get(model)
        if model_admin is None or not model_admin.has_view_or_change_permission(request):
            return None
        count = rows(model_admin.get_queryset(request)).count()
        meta = model._meta
        url = reverse(f"{self.name}:{meta.app_label}_{meta.model_name}_changelist")
        return WorkCounter(
            label=label % {"count": count}, count=count, url=f"{url}?{urlencode(query)}"
        )

    def work_counters(self, request: HttpRequest) -> list[WorkCounter]:
        """The counters of every app's ``admin_work.work_counters(request, site)``, in the
        order of ``INSTALLED_APPS``, those the user may see only."""
        counters = [
            counter
            for _app, module in discover(WORK_MODULE)
            for counter in module.work_counters(request, self)
            if counter is not None
        ]
        if request.user.is_superuser:
            counters.append(self._failed_tasks_counter())
        return counters

    def _failed_tasks_counter(self) -> WorkCounter:
        since = timezone.now() - timedelta(days=1)
        count = sum(1 for failure in _failures() if failure["at"] >= since)
        label = ngettext(
            "%(count)d background task failed in the last 24 hours",
            "%(count)d background tasks failed in the last 24 hours",
            count,
        )
        return WorkCounter(
            label=label % {"count": count}, count=count, url=reverse(f"{self.name}:task_failures")
        )

    def task_failures(self, request: HttpRequest) -> TemplateResponse:
        """Superusers only: the last failed Celery tasks, and how many wait in the queue.

        Tasks are not a département's: nobody else sees them.
        """
        if not request.user.is_superuser:
            raise PermissionDenied
        try:
            queues = metrics.queue_lengths()
        except Exception as error:
            logger.warning("broker queue length unreadable: %s", error)
            queues = None
        context = {
            **self.each_context(request),
            "title": _("Failed background tasks"),
            "failures": _failures(),
            "queues": queues,
            "kept": observability.FAILURES_KEPT,
        }
        return TemplateResponse(request, "admin/jalon/task_failures.html", context)

    def index(self, request, extra_context=None):
        context = {
            "work_counters": self.work_counters(request),
            **(self._home(request) if self._home else {}),
            **(extra_context or {}),
        }
        return super().index(request, context)


def _failures() -> list[dict]:
    """The last failed tasks, newest first, their time read as a date; none if the store
    does not answer (the admin's home stays open)."""
    try:
        failures = observability.recent_failures()
    except Exception as error:
        logger.warning("failed tasks unreadable: %s", error)
        return []
    return [{**failure, "at": datetime.fromisoformat(failure["at"])} for failure in failures]
