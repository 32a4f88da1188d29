"""Monthly pseudonyms of visitors, for figures that count distinct people.

A département's figures say how many *people* searched or read something, not only how
many times. Counting people needs a way to tell two events of the same person apart from
events of two people, without keeping who they are: no user id and no IP address is
stored, only a keyed hash of them that changes every calendar month.
"""

from datetime import datetime

from django.utils import timezone
from django.utils.crypto import salted_hmac
from rest_framework.throttling import BaseThrottle

# Changing the salt changes every pseudonym: only do it at the start of a month.
PSEUDONYM_SALT = "jalon.figures.visitor"
PSEUDONYM_LENGTH = 16


def visitor_pseudonym(request, moment: datetime | None = None) -> str:
    """A 16-hex-character pseudonym of whoever sent ``request``, for ``moment``'s month.

    It is the same for the same person within one calendar month (Paris time, like the
    figures' periods) and different from one month to the next, so events can be counted
    per distinct person within a month, but cannot be linked across months. It is keyed
    with the server's secret: without it, nobody can tell whose pseudonym it is, even
    knowing a user's id or an address.

    A signed-in person is recognised by their account, an anonymous one by their network
    address as the throttles see it (forged ``X-Forwarded-For`` hops beyond the trusted
    proxies are ignored). Several people behind one address count as one: the figures
    err on the side of too few, never on the side of identifying.

    ``moment`` is an aware datetime (now by default). Returns "" when the request carries
    neither a user nor an address.
    """
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return pseudonym(user_subject(user.pk), moment)
    # The throttles' own reading of the address, so NUM_PROXIES decides in one place
    # how many X-Forwarded-For hops are trusted.
    address = BaseThrottle().get_ident(request)
    return pseudonym(address_subject(address), moment) if address else ""


def user_subject(user_id: int) -> str:
    """Who a signed-in person is, for ``pseudonym``."""
    return f"user:{user_id}"


def address_subject(address: str) -> str:
    """Who an anonymous visitor is, for ``pseudonym``: their network address."""
    return f"ip:{address}"


def pseudonym(subject: str, moment: datetime | None = None) -> str:
    """The pseudonym of ``subject`` (``user_subject``, ``address_subject``) for
    ``moment``'s month."""
    # The default time zone (Europe/Paris), not the request's: months must be the
    # figures' months whatever language or zone a request comes with.
    paris = timezone.get_default_timezone()
    month = timezone.localtime(moment or timezone.now(), paris).strftime("%Y-%m")
    digest = salted_hmac(PSEUDONYM_SALT, f"{subject}:{month}", algorithm="sha256").hexdigest()
    return digest[:PSEUDONYM_LENGTH]
