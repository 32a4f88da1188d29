"""Rate limits key on the client's real address: X-Forwarded-For counts only when the
request came from a trusted proxy (``TRUSTED_PROXY_IPS``), and the shipped topology
lets no client reach gunicorn past that proxy."""

import ipaddress
import secrets
from pathlib import Path

import pytest
import yaml
from django.core.cache import cache

BASE_DIR = Path(__file__).resolve().parent.parent
PROXY = "172.30.0.2"  # what the test trusts, as docker-compose.yml does
CLIENT = "198.51.100.7"
LOGIN = "/_allauth/app/v1/auth/login"
SHARE_LINK = "/api/v1/vault/shared/"  # throttled at 60 per minute per address


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXY_IPS = [PROXY]


def spoofed() -> str:
    """A forged hop, a different one each time."""
    return f"203.0.113.{secrets.randbelow(250) + 1}"


def failed_logins(api_client, count: int, *, remote: str, forwarded=None) -> list[int]:
    statuses = []
    for attempt in range(count):
        extra = {"REMOTE_ADDR": remote}
        if forwarded is not None:
            extra["HTTP_X_FORWARDED_FOR"] = forwarded(attempt)
        response = api_client.post(
            LOGIN,
            {"email": f"nobody{attempt}@example.org", "password": "not-the-password"},
            format="json",
            **extra,
        )
        statuses.append(response.status_code)
    return statuses


ATTEMPTS = 40  # past allauth's limits per address (30 logins a minute)


@pytest.mark.django_db
def test_a_direct_client_cannot_choose_its_address_with_x_forwarded_for(api_client, behind_proxy):
    honest = failed_logins(api_client, ATTEMPTS, remote=CLIENT).count(429)
    assert honest > 0
    cache.clear()
    # Each attempt forges another hop: throttled just the same.
    statuses = failed_logins(api_client, ATTEMPTS, remote=CLIENT, forwarded=lambda _: spoofed())
    assert statuses.count(429) == honest, statuses
    # DRF's throttles alike: the share link's 60 per minute.
    answers = [
        api_client.get(SHARE_LINK, REMOTE_ADDR=CLIENT, HTTP_X_FORWARDED_FOR=spoofed()).status_code
        for _ in range(61)
    ]
    assert answers[-1] == 429 and 429 not in answers[:-1], answers


@pytest.mark.django_db
def test_through_the_trusted_proxy_each_client_counts_on_its_own(api_client, behind_proxy):
    # People behind the proxy (which appends each one's real address): the proxy's own
    # address is nobody's, so none of them is throttled for the others.
    statuses = failed_logins(
        api_client, ATTEMPTS, remote=PROXY, forwarded=lambda attempt: f"192.0.2.{attempt + 1}"
    )
    assert 429 not in statuses, statuses
    # A forged hop before the real one changes nothing: the proxy's hop is the client.
    honest = failed_logins(api_client, ATTEMPTS, remote=CLIENT).count(429)
    cache.clear()
    statuses = failed_logins(
        api_client, ATTEMPTS, remote=PROXY, forwarded=lambda _: f"{spoofed()}, {CLIENT}"
    )
    assert statuses.count(429) == honest > 0, statuses


@pytest.mark.django_db
def test_a_direct_client_cannot_claim_https(api_client, behind_proxy, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    direct = api_client.get("/api/v1/", REMOTE_ADDR=CLIENT, HTTP_X_FORWARDED_PROTO="https")
    assert direct.status_code == 301
    proxied = api_client.get("/api/v1/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_PROTO="https")
    assert proxied.status_code == 404


def compose() -> dict:
    return yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())


def test_the_shipped_topology_trusts_exactly_its_own_proxy():
    topology = compose()
    services = topology["services"]
    # Only the proxy is reachable from outside; gunicorn only through it.
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"proxy"}
    edge = {name for name, service in services.items() if "edge" in service.get("networks", {})}
    assert edge == {"proxy", "web"}
    proxy_address = ipaddress.ip_address(services["proxy"]["networks"]["edge"]["ipv4_address"])
    (subnet,) = topology["networks"]["edge"]["ipam"]["config"]
    assert proxy_address in ipaddress.ip_network(subnet["subnet"])
    environment = services["web"]["environment"]
    assert "TRUSTED_PROXY_COUNT" not in environment
    assert environment["TRUSTED_PROXY_IPS"] == str(proxy_address)
    caddyfile = [
        line.strip()
        for line in (BASE_DIR / "deploy" / "Caddyfile").read_text().splitlines()
        if not line.lstrip().startswith("#")
    ]
    assert "reverse_proxy web:{$PORT:8000} {" in caddyfile  # gunicorn binds PORT
    # Caddy's own request id for each request: a client's X-Request-ID is not believed.
    assert "header_up X-Request-ID {http.request.uuid}" in caddyfile
    # Trusting no proxy, Caddy replaces whatever X-Forwarded-For a client sent.
    assert not any("trusted_proxies" in line for line in caddyfile)
