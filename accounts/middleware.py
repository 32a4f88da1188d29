from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from .enrolment import ENROLLED_SESSION_KEY

# The browser pages a staff member reaches before their session has passed the second
# factor: signing in and out, proving their password again, setting up TOTP (with the
# enrolment code) and seeing the recovery codes that come with it.
_BEFORE_SECOND_FACTOR = frozenset(
    {
        "account_login",
        "account_logout",
        "account_reauthenticate",
        "mfa_authenticate",
        "mfa_reauthenticate",
        "mfa_activate_totp",
    }
)


class StaffMfaRequiredMiddleware:
    """With ``STAFF_REQUIRE_MFA``, every browser page of a staff member (the admin and
    allauth's account pages) needs a session that passed the second factor.

    Without TOTP, they are sent to the activation page, which asks for the enrolment
    code an administrator gave them (``accounts.enrolment``). With TOTP but a session
    that did not pass it (signed in before it was set up, or otherwise), they are signed
    out and sign in again through allauth, which asks for the code. The API under
    ``/api/`` and the app's ``/_allauth/`` have their own checks.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._applies(request):
            user = request.user
            if not is_mfa_enabled(user, [Authenticator.Type.TOTP]):
                messages.warning(
                    request,
                    _(
                        "Set up two-factor authentication (TOTP) to access the admin panel, "
                        "with the enrolment code an administrator gave you."
                    ),
                )
                return redirect("mfa_activate_totp")
            if not _session_passed_second_factor(request, user):
                logout(request)
                messages.warning(
                    request,
                    _("Sign in again with your second factor to access the admin panel."),
                )
                login = reverse("account_login")
                return redirect(f"{login}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    def _applies(self, request) -> bool:
        if not settings.STAFF_REQUIRE_MFA:
            return False
        user = request.user
        if not (user.is_authenticated and (user.is_staff or user.is_superuser)):
            return False
        path = request.path_info
        if path.startswith(reverse("admin:index")):
            return not path.startswith(reverse("admin:logout"))
        if path.startswith("/accounts/"):
            try:
                name = resolve(path).url_name
            except Resolver404:
                return False
            return name not in _BEFORE_SECOND_FACTOR
        return False


def _session_passed_second_factor(request, user) -> bool:
    """Whether this session signed in with a second factor or set one up itself."""
    if request.session.get(ENROLLED_SESSION_KEY):
        return True
    return any(
        record.get("method") == "mfa" for record in get_authentication_records(request, user)
    )
