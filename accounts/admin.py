from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Departement, DepartementContact, User
from .roles import ADMIN_ROLES
from .scoping import DepartementScopedModelAdmin


@admin.register(Departement)
class DepartementAdmin(admin.ModelAdmin):
    """Reference data: everyone with access reads it, no one edits it here."""

    list_display = ["code", "name", "region_name"]
    list_filter = ["region_name"]
    search_fields = ["code", "name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DepartementContact)
class DepartementContactAdmin(DepartementScopedModelAdmin):
    list_display = ["name", "kind", "departement", "phone", "updated_at"]
    list_filter = ["kind", ("departement", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name"]
    list_select_related = ["departement"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


class UserCreationForm(auth_forms.AdminUserCreationForm):
    class Meta(auth_forms.AdminUserCreationForm.Meta):
        model = User
        fields = ("email",)

    def clean_email(self):
        email = self.cleaned_data["email"].lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("An account already uses this e-mail address."))
        return email


class UserChangeForm(auth_forms.UserChangeForm):
    class Meta(auth_forms.UserChangeForm.Meta):
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Accounts, for superusers only: they create staff accounts and give their role.

    Profiles are deliberately absent: nobody reads a young person's profile here.
    """

    form = UserChangeForm
    add_form = UserCreationForm
    ordering = ["email"]
    list_display = ["email", "role", "is_staff", "is_active", "date_joined"]
    list_filter = ["role", "is_staff", "is_active", "departements"]
    search_fields = ["email"]
    filter_horizontal = ["departements"]
    readonly_fields = ["last_login", "date_joined", "is_staff"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Role"), {"fields": ["first_name", "role", "departements"]}),
        (_("Status"), {"fields": ["is_active", "is_staff", "is_superuser"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"fields": ["email", "usable_password", "password1", "password2"]}),
        (_("Role"), {"fields": ["first_name", "role", "departements"]}),
    ]

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.user_apply_role(user=obj)

    def get_deleted_objects(self, objs, request):
        deleted, model_count, _perms_needed, protected = super().get_deleted_objects(objs, request)
        # Erasing an account takes everything that is the person's (services.user_erase),
        # including rows such as vault documents that no admin may delete one by one.
        return deleted, model_count, set(), protected

    def delete_model(self, request, obj):
        services.user_erase(user=obj)  # the vault's keys and blobs go too

    def delete_queryset(self, request, queryset):
        for user in queryset:
            services.user_erase(user=user)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and not _is_admin_account(obj):
            fields.append("email")
        return fields

    def user_change_password(self, request, id, form_url=""):
        user = self.get_object(request, unquote(id))
        if user is not None and not _is_admin_account(user):
            # Whoever sets a young person's password can sign in as them and open their
            # vault: their credentials stay theirs (resets go through their e-mail).
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)


def _is_admin_account(user: User) -> bool:
    return user.is_superuser or user.role in ADMIN_ROLES
