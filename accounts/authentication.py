"""How the mobile app authenticates against the project's own API.

Besides the token itself, two rules of the sessions apply to every ``/api/v1/`` request:

- with ``STAFF_REQUIRE_MFA``, a staff account's session must have passed a second factor
  (TOTP or a recovery code, through allauth), whether it came from the app API or the
  admin's cookie; otherwise every request is refused (``403 mfa_required``);
- the most sensitive operations ask for a proof of the password or of the second factor
  made less than ``ACCOUNT_REAUTHENTICATION_TIMEOUT`` seconds ago
  (``accounts.permissions.RecentlyAuthenticated``, ``403 reauthentication_required``).
"""

import time

from allauth.account.internal.flows.login import get_authentication_records
from allauth.headless.contrib.rest_framework.authentication import XSessionTokenAuthentication
from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication

from .roles import ADMIN_ROLES, ALWAYS_SECOND_FACTOR_ROLES
from .services import activity_record

# Sign-in proofs that count as "the person is here": the password, or a second factor.
PROOF_METHODS = frozenset({"password", "mfa"})
# When the session last pushed its idle expiry forward (Unix time), see ``_session_touch``.
TOUCHED_AT_KEY = "jalon_touched_at"


class SecondFactorRequired(exceptions.PermissionDenied):
    default_code = "mfa_required"
    default_detail = _(
        "This account must sign in with its second factor (TOTP) to use the API. "
        "Set it up in the admin panel (staff) or the professional space (référents)."
    )


def _records(session: SessionBase, user) -> list[dict]:
    """allauth's log of how this session's user proved who they are (oldest first)."""

    class _Holder:  # allauth reads the records off a request's session
        pass

    holder = _Holder()
    holder.session = session
    return [r for r in get_authentication_records(holder, user) if isinstance(r, dict)]


def is_staff_account(user) -> bool:
    """Whether the account works in the admin panel (any staff role, or a superuser)."""
    return bool(user.is_staff or user.is_superuser or user.role in ADMIN_ROLES)


def session_passed_second_factor(session: SessionBase, user) -> bool:
    """Whether the person signed in to this session with a second factor."""
    return any(r.get("method") == "mfa" for r in _records(session, user))


def session_recently_authenticated(session: SessionBase, user) -> bool:
    """Whether the person proved their password or second factor in this session less
    than ``ACCOUNT_REAUTHENTICATION_TIMEOUT`` seconds ago (sign-in or reauthentication)."""
    times = [
        r["at"]
        for r in _records(session, user)
        if r.get("method") in PROOF_METHODS and isinstance(r.get("at"), int | float)
    ]
    return bool(times) and time.time() - max(times) < settings.ACCOUNT_REAUTHENTICATION_TIMEOUT


def second_factor_required(user) -> bool:
    """Whether every session of ``user`` must have passed a second factor: staff with
    ``STAFF_REQUIRE_MFA``, and référents always (they see young people's data)."""
    if user.role in ALWAYS_SECOND_FACTOR_ROLES:
        return True
    return bool(settings.STAFF_REQUIRE_MFA and is_staff_account(user))


def _check_second_factor(user, session: SessionBase) -> None:
    if second_factor_required(user) and not session_passed_second_factor(session, user):
        raise SecondFactorRequired()


def _session_touch(session: SessionBase, user) -> None:
    """Push the session's idle expiry (``SESSION_COOKIE_AGE``) forward, at most once per
    ``SESSION_TOUCH_INTERVAL`` seconds so that reading the API does not write every time."""
    last = session.get(TOUCHED_AT_KEY)
    if not isinstance(last, int | float):
        times = [r["at"] for r in _records(session, user) if isinstance(r.get("at"), int | float)]
        last = max(times, default=0)
    now = time.time()
    if now - last >= settings.SESSION_TOUCH_INTERVAL:
        session[TOUCHED_AT_KEY] = now
        session.save()


class SessionTokenAuthentication(XSessionTokenAuthentication):
    """allauth's ``X-Session-Token``, as handed out by ``/_allauth/app/v1/``.

    Declaring a ``WWW-Authenticate`` challenge makes DRF answer 401 (not 403) to a
    request without valid credentials, so the app knows it must sign in again.

    Every request it authenticates counts the day as one of the person's activity days
    (the steering figures' "active accounts"), and keeps the session from expiring idle.
    """

    def authenticate(self, request):
        """Authenticate by session token and record that the person used the app today."""
        result = super().authenticate(request)
        if result is not None:
            user, session = result
            _check_second_factor(user, session)
            _session_touch(session, user)
            activity_record(user)
        return result

    def authenticate_header(self, request) -> str:
        return 'Session-Token header="X-Session-Token"'


class StaffSecondFactorSessionAuthentication(SessionAuthentication):
    """DRF's session cookie (the admin's, for the API docs), with the staff second factor."""

    def authenticate(self, request):
        """Authenticate by the session cookie; refuse a staff session without second factor."""
        result = super().authenticate(request)
        if result is not None:
            _check_second_factor(result[0], request._request.session)
        return result


def request_session(request) -> SessionBase:
    """The session a DRF request was authenticated with: the token's, or the cookie's."""
    if isinstance(request.auth, SessionBase):
        return request.auth
    return request._request.session


class SessionTokenScheme(OpenApiAuthenticationExtension):
    """Describes the ``X-Session-Token`` header in the OpenAPI schema."""

    target_class = "accounts.authentication.SessionTokenAuthentication"
    name = "sessionToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "X-Session-Token",
            "description": (
                "Session token from allauth's app API (/_allauth/app/v1/auth/login). The "
                "database keeps only its hash. It expires after SESSION_COOKIE_AGE seconds "
                "without use and SESSION_ABSOLUTE_AGE seconds after sign-in. A staff "
                "account's token works only once the sign-in passed the second factor "
                "(403 mfa_required otherwise)."
            ),
        }


class StaffSessionCookieScheme(OpenApiAuthenticationExtension):
    """Describes the session cookie (the admin's, for the API docs) in the OpenAPI schema."""

    target_class = "accounts.authentication.StaffSecondFactorSessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": settings.SESSION_COOKIE_NAME,
            "description": (
                "The admin panel's session cookie. A staff account's works only once its "
                "sign-in passed the second factor (403 mfa_required otherwise)."
            ),
        }
