"""How the page tests sign in: through allauth's browser pages, as a person does."""

from django.test import Client

from tests.conftest import PASSWORD, second_factor_required_of, totp_code, totp_enrol


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
