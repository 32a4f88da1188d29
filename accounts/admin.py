from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import display_for_value, unquote
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import models
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from . import services
from .exceptions import EnrolmentRefused
from .models import Departement, DepartementContact, User
from .roles import ADMIN_ROLES, ALWAYS_SECOND_FACTOR_ROLES
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
    actions = ["issue_enrolment_code"]
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
            # A young person's or a mentor's account stays theirs: whoever could change
            # its address, or make it an admin account (whose address an administrator
            # may change), could then reset its password and open the vault.
            fields.extend(_OWN_ACCOUNT_FIELDS)
        return fields

    @admin.action(description=_("Issue a two-factor enrolment code"))
    def issue_enrolment_code(self, request, queryset):
        """Show, once, a code with which each selected staff account sets up TOTP."""
        issued, refused = [], []
        for user in queryset.order_by("email"):
            try:
                issued.append(
                    (user, services.staff_enrolment_issue(user=user, issued_by=request.user))
                )
            except EnrolmentRefused as error:
                refused.append((user, str(error)))
        for user, reason in refused:
            self.message_user(request, f"{user.email}: {reason}", level=messages.ERROR)
        if not issued:
            return None
        # A page of its own, not a message: messages may be stored in a cookie or the
        # session, and the code must not be kept anywhere.
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Two-factor enrolment codes"),
            "issued": issued,
            "refused": refused,
            "hours": settings.STAFF_ENROLMENT_CODE_HOURS,
        }
        # The admin's views are never cached (no-store): the code stays off disk caches.
        return TemplateResponse(request, "admin/accounts/user/enrolment_codes.html", context)

    def user_change_password(self, request, id, form_url=""):
        user = self.get_object(request, unquote(id))
        if user is not None and not _is_admin_account(user):
            # Whoever sets a young person's password can sign in as them and open their
            # vault: their credentials stay theirs (resets go through their e-mail).
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)


def _is_admin_account(user: User) -> bool:
    return user.is_superuser or user.role in ADMIN_ROLES


# What no one changes in the admin on a young person's or a mentor's account.
_OWN_ACCOUNT_FIELDS = ("email", "role", "is_superuser", "departements")


# allauth's admin of e-mail addresses lets anyone who reaches it change an address, add
# one and mark it verified: a password reset sent there would take the account over.
# Addresses follow the account's e-mail, which only staff accounts may change (above).
admin.site.unregister(EmailAddress)

# allauth's admin of authenticators shows each one's data (the TOTP secret), and lets
# anyone change or delete a young person's second factor.
admin.site.unregister(Authenticator)

# Permissions come from the role (accounts/roles.py), never from groups: a group page
# would only offer a superuser a second, unused way to grant them (listed in English).
admin.site.unregister(Group)


# Whose second factors a superuser sees and may remove: staff, and the roles that always
# sign in with one (référents).
_SECOND_FACTOR_ACCOUNTS = models.Q(user__is_staff=True) | models.Q(
    user__role__in=ALWAYS_SECOND_FACTOR_ROLES
)


@admin.register(Authenticator)
class AuthenticatorAdmin(admin.ModelAdmin):
    """Staff and référents' second factors: their kind and dates only, never their secret.

    A superuser may remove one (a lost phone), after which the person sets up a new one
    with an enrolment code. Young people's and mentors' are not shown.
    """

    list_display = ["account", "type", "created", "last_used"]
    list_filter = ["type"]
    fields = ["account", "type", "created", "last_used"]
    readonly_fields = fields
    search_fields = ["user__email"]
    list_select_related = ["user"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(_SECOND_FACTOR_ACCOUNTS)

    # allauth's own labels of these fields have no French: ours stand in for them. A
    # method's value reaches the page as text: display_for_value gives it the admin's
    # formatting (Paris time, French).
    @admin.display(description=_("account"), ordering="user")
    def account(self, authenticator: Authenticator):
        return authenticator.user

    @admin.display(description=_("set up on"), ordering="created_at")
    def created(self, authenticator: Authenticator) -> str:
        return display_for_value(authenticator.created_at, "-")

    @admin.display(description=_("last used on"), ordering="last_used_at")
    def last_used(self, authenticator: Authenticator) -> str:
        return display_for_value(authenticator.last_used_at, "-")

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and (
            obj is None or obj.user.is_staff or obj.user.role in ALWAYS_SECOND_FACTOR_ROLES
        )
