"""The vault in the admin panel: counts and sizes, nothing else.

No staff member, coordinator or superuser has a path to a document, its title or its
file name: this admin has no list of documents, no detail page, no action.
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from accounts.scoping import departements_for_user, user_sees_all_departements

from . import selectors
from .models import Document

# Partner organisations propose offers; they have no business with the vault's figures.
_ROLES_SEEING_USAGE = {Role.DEPARTEMENT_STAFF, Role.COORDINATOR, Role.NATIONAL_EDITOR}


@admin.register(Document)
class VaultUsageAdmin(admin.ModelAdmin):
    def has_module_permission(self, request) -> bool:
        user = request.user
        return bool(
            user.is_active
            and user.is_staff
            and (user.is_superuser or user.role in _ROLES_SEEING_USAGE)
        )

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
        user = request.user
        if user_sees_all_departements(user):
            codes, scope = None, _("all départements")
        else:
            departements = list(departements_for_user(user))
            codes = [d.code for d in departements]
            scope = ", ".join(f"{d.code} {d.name}" for d in departements) or "—"
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Vault usage"),
            "scope": scope,
            "usage": selectors.vault_usage(codes),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/vault/usage.html", context)
