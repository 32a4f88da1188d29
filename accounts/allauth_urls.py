"""Routes that take the place of allauth's own under ``/_allauth/`` (included first)."""

from django.urls import path

from .enrolment import ManageTOTPView

urlpatterns = [
    # A staff account activates TOTP only with an enrolment code (accounts.enrolment).
    path(
        "app/v1/account/authenticators/totp",
        ManageTOTPView.as_api_view(client="app"),
        name="jalon_app_manage_totp",
    ),
]
