"""The figures in the admin panel, plugged in here (Django's admin finds this module
by its name): the dashboard on the home page and its pages, and the vault's usage page.

The usage page is the vault's tables of the figures, drawn for the admin's entry of
the vault (``/admin/vault/document/``): the vault is below the figures, so the figures
app registers it. No staff member, coordinator or superuser has a path to a document,
its title or its file name: no list of documents, no detail page, no action.
"""

from functools import partial

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from vault.models import Document

from . import access, dashboard

admin.site.add_page(
    "figures/", partial(dashboard.dashboard_view, admin_site=admin.site), name="figures"
)
admin.site.add_page("figures/<str:scope>/<str:key>.csv", dashboard.csv_view, name="figures-csv")
admin.site.set_home("admin/figures/index.html", dashboard.home_context)


@admin.register(Document)
class VaultUsageAdmin(admin.ModelAdmin):
    def has_module_permission(self, request) -> bool:
        user = request.user
        # Who reads aggregates is the figures' rule (``access``): coordinators do not.
        return bool(user.is_active and user.is_staff and access.may_read_figures(user))

    def has_view_permission(self, request, obj=None) -> bool:
        return obj is None and self.has_module_permission(request)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "",
                self.admin_site.admin_view(self.changelist_view),
                name="{}_{}_changelist".format(*info),
            )
        ]

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Vault usage"),
            **dashboard.vault_usage_context(request),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/figures/vault_usage.html", context)
