"""How the mobile app authenticates against the project's own API."""

from allauth.headless.contrib.rest_framework.authentication import XSessionTokenAuthentication
from drf_spectacular.extensions import OpenApiAuthenticationExtension

from .services import activity_record


class SessionTokenAuthentication(XSessionTokenAuthentication):
    """allauth's ``X-Session-Token``, as handed out by ``/_allauth/app/v1/``.

    Declaring a ``WWW-Authenticate`` challenge makes DRF answer 401 (not 403) to a
    request without valid credentials, so the app knows it must sign in again.

    Every request it authenticates counts the day as one of the person's activity days
    (the steering figures' "active accounts").
    """

    def authenticate(self, request):
        """Authenticate by session token and record that the person used the app today."""
        result = super().authenticate(request)
        if result is not None:
            user, _auth = result
            activity_record(user)
        return result

    def authenticate_header(self, request) -> str:
        return 'Session-Token header="X-Session-Token"'


class SessionTokenScheme(OpenApiAuthenticationExtension):
    """Describes the ``X-Session-Token`` header in the OpenAPI schema."""

    target_class = "accounts.authentication.SessionTokenAuthentication"
    name = "sessionToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "X-Session-Token",
            "description": "Session token from allauth's app API (/_allauth/app/v1/auth/login).",
        }
