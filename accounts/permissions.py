"""Permissions by role, shared by the apps' API views."""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, permissions

from .authentication import request_session, session_recently_authenticated
from .roles import Role


class _HasRole(permissions.IsAuthenticated):
    role: str

    def has_permission(self, request, view) -> bool:
        return super().has_permission(request, view) and request.user.role == self.role


class IsYoungPerson(_HasRole):
    role = Role.YOUNG_PERSON
    message = _("This part of Jalon is for young people only.")


class IsMentor(_HasRole):
    role = Role.MENTOR
    message = _("This part of Jalon is for mentors only.")


class ReauthenticationRequired(exceptions.PermissionDenied):
    default_code = "reauthentication_required"
    default_detail = _(
        "For this operation, confirm your password (or your second factor) first: "
        "POST /_allauth/app/v1/auth/reauthenticate."
    )


class RecentlyAuthenticated(permissions.BasePermission):
    """The person proved their password or second factor a few minutes ago at most.

    For the operations a stolen phone or token must not reach (the vault's export, new
    shares, the account's erasure). ``ACCOUNT_REAUTHENTICATION_TIMEOUT`` sets the window;
    allauth's ``/auth/reauthenticate`` and ``/auth/2fa/reauthenticate`` renew the proof.
    A view's ``reauthentication_methods`` limits it to some HTTP methods (all otherwise).
    """

    def has_permission(self, request, view) -> bool:
        methods = getattr(view, "reauthentication_methods", None)
        if methods is not None and request.method not in methods:
            return True
        if not request.user.is_authenticated:
            return False  # the other permissions answer 401
        if not session_recently_authenticated(request_session(request), request.user):
            raise ReauthenticationRequired()
        return True
