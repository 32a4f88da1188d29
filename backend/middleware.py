"""The client's address, as the trusted reverse proxies tell it, and nobody else.

``X-Forwarded-For`` and ``X-Forwarded-Proto`` are only claims: any client can send them.
``TrustedProxyMiddleware`` believes them only from a peer in ``TRUSTED_PROXY_IPS``: then
``REMOTE_ADDR`` becomes the nearest address in ``X-Forwarded-For`` that is not a trusted
proxy itself (the one the outermost trusted proxy saw). Both headers are then removed,
so allauth's rate limits, DRF's throttles and anything else read ``REMOTE_ADDR`` alone,
and a direct client can neither choose its address nor claim HTTPS.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings

_FORWARDED = "HTTP_X_FORWARDED_FOR"
_PROTO = "HTTP_X_FORWARDED_PROTO"


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries)


def _address(text: str):
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def client_address(peer: str, forwarded: str, trusted: tuple) -> str:
    """The client's address, for a request from ``peer`` carrying ``forwarded``."""
    peer_address = _address(peer)
    if peer_address is None or not any(peer_address in net for net in trusted):
        return peer
    client = peer
    for hop in reversed(forwarded.split(",") if forwarded else []):
        address = _address(hop)
        if address is None:
            break  # garbage before the hop our proxy appended: the client wrote it
        client = str(address)
        if not any(address in net for net in trusted):
            break
    return client


class TrustedProxyMiddleware:
    """First in ``MIDDLEWARE``: every later layer sees the resolved address only."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        meta = request.META
        trusted = _networks(tuple(settings.TRUSTED_PROXY_IPS))
        peer = meta.get("REMOTE_ADDR", "")
        peer_address = _address(peer)
        from_proxy = peer_address is not None and any(peer_address in net for net in trusted)
        meta["REMOTE_ADDR"] = client_address(peer, meta.pop(_FORWARDED, ""), trusted)
        if not from_proxy:
            meta.pop(_PROTO, None)  # only the TLS proxy may say the request was HTTPS
        return self.get_response(request)
