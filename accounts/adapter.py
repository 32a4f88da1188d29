import ipaddress

from allauth.account.adapter import DefaultAccountAdapter

from . import services
from .roles import Role


class AccountAdapter(DefaultAccountAdapter):
    """allauth's hooks for Jalon."""

    def is_open_for_signup(self, request) -> bool:
        # Young people sign up from the app (headless API). The browser pages only
        # serve staff signing in to the admin; their accounts are made by an administrator.
        return request.path.startswith("/_allauth/")

    def get_login_redirect_url(self, request) -> str:
        # Référents work in the professional space, never in the admin.
        if request.user.is_authenticated and request.user.role == Role.REFERENT:
            return "/pro/"
        return super().get_login_redirect_url(request)

    def save_user(self, request, user, form, commit=True):
        # A young person unless they signed up as a volunteer mentor (accounts.forms).
        user.role = form.cleaned_data.get("account_type") or Role.YOUNG_PERSON
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            services.young_person_profile_ensure(user=user)
        return user

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        # allauth counts failed logins (``ACCOUNT_RATE_LIMITS["login_failed"]``, "per
        # key") under this key, the e-mail alone by default: five wrong passwords from
        # anywhere then lock the account for everyone, its owner included. With the
        # client's address in the key, a guesser only delays their own address. allauth
        # also clears this key after a password reset (from the address that reset it).
        login = super()._get_login_attempts_cache_key(request, **credentials)
        return f"{login}:{_source(self.get_client_ip(request))}"


def _source(ip: str) -> str:
    """The client's address; for IPv6, its /64 (one host's whole range)."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network(f"{address}/64", strict=False).network_address)
    return str(address)
