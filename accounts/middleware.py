from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _


class StaffMfaRequiredMiddleware:
    """With ``STAFF_REQUIRE_MFA``, staff reach the admin only once they have set up TOTP.

    Until then every admin page sends them to allauth's TOTP activation page. The admin
    login itself goes through allauth (``secure_admin_login``), which asks for the code.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._must_set_up_mfa(request):
            messages.warning(
                request,
                _("Set up two-factor authentication (TOTP) to access the admin panel."),
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)

    def _must_set_up_mfa(self, request) -> bool:
        if not settings.STAFF_REQUIRE_MFA:
            return False
        admin_root = reverse("admin:index")
        if not request.path.startswith(admin_root) or request.path.startswith(
            reverse("admin:logout")
        ):
            return False
        user = request.user
        return (
            user.is_authenticated
            and user.is_staff
            and not is_mfa_enabled(user, [Authenticator.Type.TOTP])
        )
