"""How the mobile app authenticates against the project's own API."""

from allauth.headless.contrib.rest_framework.authentication import XSessionTokenAuthentication


class SessionTokenAuthentication(XSessionTokenAuthentication):
    """allauth's ``X-Session-Token``, as handed out by ``/_allauth/app/v1/``.

    Declaring a ``WWW-Authenticate`` challenge makes DRF answer 401 (not 403) to a
    request without valid credentials, so the app knows it must sign in again.
    """

    def authenticate_header(self, request) -> str:
        return 'Session-Token header="X-Session-Token"'
