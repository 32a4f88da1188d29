"""How the page tests sign in: through allauth's browser pages, as a person does, or
(for the page matrices, which sign every role in for every case) with the session such a
sign-in leaves."""

from django.conf import settings
from django.test import Client

from tests.conftest import (
    PASSWORD,
    second_factor_required_of,
    signed_in_token,
    totp_code,
    totp_enrol,
)


def browser_client(user, password: str = PASSWORD) -> Client:
    """A Django test client signed in as ``user`` through ``/accounts/login/`` and, for
    staff and référents, the second-factor page (TOTP). ``None``: anonymous."""
    client = Client()
    if user is None:
        return client
    if second_factor_required_of(user):
        totp_enrol(user)
    response = client.post("/accounts/login/", {"login": user.email, "password": password})
    assert response.status_code == 302, response.content
    if response["Location"].startswith("/accounts/2fa/authenticate"):
        response = client.post("/accounts/2fa/authenticate/", {"code": totp_code(user)})
        assert response.status_code == 302, response.content
    return client


def session_client(user) -> Client:
    """A Django test client holding the session cookie of a finished sign-in of ``user``
    (``signed_in_token``, as ``Client.force_login`` makes one). ``None``: anonymous."""
    client = Client()
    if user is not None:
        client.cookies[settings.SESSION_COOKIE_NAME] = signed_in_token(user)
    return client
