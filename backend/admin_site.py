"""The admin panel's site: Django's, with room for pages and a home page from the apps.

Backend imports no app: the apps above it plug their pages in from their own
``admin.py`` (which Django's admin finds by name, as it finds every ``admin.py``), with
``add_page`` and ``set_home``. The figures app puts its dashboard there.
"""

from collections.abc import Callable

from django.contrib import admin
from django.http import HttpRequest
from django.urls import path
from django.utils.translation import gettext_lazy as _


class JalonAdminSite(admin.AdminSite):
    site_header = _("Jalon administration")
    site_title = _("Jalon")
    index_title = _("Administration")
    # No "View site": Jalon's site is the mobile app, which staff do not reach from here.
    site_url = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pages: list = []
        self._home: Callable[[HttpRequest], dict] | None = None

    def add_page(self, route: str, view: Callable, name: str) -> None:
        """Serve ``view`` at ``/admin/<route>`` for signed-in staff, as ``admin:<name>``."""
        self._pages.append((route, view, name))

    def set_home(self, template: str, context: Callable[[HttpRequest], dict]) -> None:
        """Draw the home page with ``template`` (extending ``admin/index.html``), given
        what ``context(request)`` adds."""
        self.index_template = template
        self._home = context

    def get_urls(self):
        return [
            *(path(route, self.admin_view(view), name=name) for route, view, name in self._pages),
            *super().get_urls(),
        ]

    def index(self, request, extra_context=None):
        context = {**(self._home(request) if self._home else {}), **(extra_context or {})}
        return super().index(request, context)
