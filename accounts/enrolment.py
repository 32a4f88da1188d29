"""Setting up TOTP: a staff account needs a single-use enrolment code.

A staff password alone must not let anyone enrol their own authenticator (whoever is
first would own the account's second factor). So the TOTP activation of a staff account,
in the browser (``MFA_FORMS["activate_totp"]``) and through the app's API (the route
``accounts.allauth_urls`` puts before allauth's), asks for the code that a superuser or
an operator issued (``services.staff_enrolment_issue``). Everyone else activates TOTP as
allauth lets them.
"""

from allauth.headless.mfa.inputs import ActivateTOTPInput as AllauthActivateTOTPInput
from allauth.headless.mfa.views import ManageTOTPView as AllauthManageTOTPView
from allauth.mfa.totp.forms import ActivateTOTPForm as AllauthActivateTOTPForm
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import services
from .exceptions import EnrolmentRefused

# Set in the session that enrolled TOTP: it has just proved both the enrolment code and
# the new authenticator, which counts as passing the second factor (middleware).
ENROLLED_SESSION_KEY = "jalon_staff_mfa_enrolled_at"


class EnrolmentCodeMixin(forms.Form):
    """Adds ``enrolment_code``, required of staff accounts and spent on success."""

    enrolment_code = forms.CharField(
        label=_("Enrolment code"),
        required=False,
        help_text=_("Given to you by an administrator of Jalon (staff accounts only)."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def clean(self):
        cleaned_data = super().clean()
        if self.errors or not services.staff_enrolment_required(self.user):
            return cleaned_data
        code = cleaned_data.get("enrolment_code") or ""
        if not code:
            self.add_error(
                "enrolment_code",
                _("A staff account needs an enrolment code to set up two-factor authentication."),
            )
            return cleaned_data
        try:
            services.staff_enrolment_consume(user=self.user, code=code)
        except EnrolmentRefused as error:
            self.add_error("enrolment_code", str(error))
        return cleaned_data


class ActivateTOTPForm(EnrolmentCodeMixin, AllauthActivateTOTPForm):
    """allauth's TOTP activation page, with the enrolment code for staff."""


class ActivateTOTPInput(EnrolmentCodeMixin, AllauthActivateTOTPInput):
    """allauth's TOTP activation through the app's API, with the enrolment code for staff."""


class ManageTOTPView(AllauthManageTOTPView):
    """allauth's ``/account/authenticators/totp`` of the app, with the input above."""

    input_class = {"POST": ActivateTOTPInput}


def mark_session_enrolled(sender, request, user, authenticator, **kwargs) -> None:
    """``authenticator_added``: the session that enrolled TOTP has passed the second factor."""
    if request is not None and hasattr(request, "session") and authenticator.type == "totp":
        request.session[ENROLLED_SESSION_KEY] = timezone.now().timestamp()
