"""The admin panel's site: Django's, with the steering figures on its home page."""

from functools import partial

from django.contrib import admin
from django.urls import path
from django.utils.translation import gettext_lazy as _


class JalonAdminSite(admin.AdminSite):
    site_header = _("Jalon administration")
    site_title = _("Jalon")
    index_title = _("Administration")
    index_template = "admin/jalon_index.html"

    def get_urls(self):
        from accounts.figures import dashboard

        return [
            path(
                "figures/",
                self.admin_view(partial(dashboard.dashboard_view, admin_site=self)),
                name="figures",
            ),
            path(
                "figures/<str:scope>/<str:key>.csv",
                self.admin_view(dashboard.csv_view),
                name="figures-csv",
            ),
            *super().get_urls(),
        ]

    def index(self, request, extra_context=None):
        from accounts.figures import dashboard

        context = {**dashboard.home_context(request), **(extra_context or {})}
        return super().index(request, context)
