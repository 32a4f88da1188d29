"""Errors reach Sentry when ``SENTRY_DSN`` is set, and no personal data goes with them.

The Sentry server is a local stand-in (a real HTTP server on 127.0.0.1, the DSN's host);
the application runs in its own process, started with ``SENTRY_DSN`` as an operator
would set it, so the settings' own set-up is what is tested.
"""

import gzip
import json
import os
import secrets
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from backend.sentry import scrub

BASE_DIR = Path(__file__).resolve().parent.parent
EMAIL = "jeanne.dupont@example.org"

# In the application's process: a request that fails, with an e-mail address in its
# body, a token in its query string and its headers, and a cookie.
APPLICATION = """
import sys
import django
django.setup()
import sentry_sdk
from django.test import Client
from django.test.utils import override_settings

token, email = sys.argv[1], sys.argv[2]
assert sentry_sdk.get_client().is_active(), "SENTRY_DSN did not start Sentry"
with override_settings(ROOT_URLCONF="tests.sentry_urls"):
    client = Client(raise_request_exception=False)
    client.cookies["jalon_pref"] = email
    response = client.post(
        f"/test/fails/?token={token}",
        {"email": email},
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_X_REQUEST_ID="req-sentry-1",
    )
    assert response.status_code == 500, response.status_code
sentry_sdk.flush(timeout=10)
"""


class _Sentry(BaseHTTPRequestHandler):
    """Sentry's envelope endpoint: keeps what it receives."""

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        self.server.received.append((self.path, body))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.fixture
def sentry_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Sentry)
    server.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def _items(envelope: bytes) -> list[dict]:
    """The JSON items of an envelope (a header line, then item header and payload lines)."""
    return [json.loads(line) for line in envelope.splitlines()[1:] if line.startswith(b"{")]


def test_an_error_reaches_sentry_without_personal_data(sentry_server, tmp_path):
    token = secrets.token_urlsafe(32)
    port = sentry_server.server_address[1]
    env = {
        k: v for k, v in os.environ.items() if k not in {"DJANGO_ENV", "DATABASE_URL", "REDIS_URL"}
    }
    env.update(
        VAR_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="backend.settings",
        SENTRY_DSN=f"http://publickey@127.0.0.1:{port}/1",
        SENTRY_ENVIRONMENT="test-stand-in",
    )
    result = subprocess.run(  # noqa: S603 - fixed command line
        [sys.executable, "-c", APPLICATION, token, EMAIL],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert sentry_server.received, "nothing reached the Sentry stand-in"
    assert {path for path, _body in sentry_server.received} == {"/api/1/envelope/"}
    everything = b"\n".join(body for _path, body in sentry_server.received).decode()
    events = [
        item
        for _path, body in sentry_server.received
        for item in _items(body)
        if item.get("exception") or item.get("logentry")
    ]
    (error,) = [event for event in events if event.get("exception")]
    (value,) = error["exception"]["values"]
    assert value["type"] == "ValueError"
    assert value["value"] == "no account for [email] with token [redacted]"
    assert error["environment"] == "test-stand-in"
    assert error["tags"]["request_id"] == "req-sentry-1"
    assert set(error["request"]) <= {"method", "url"}  # no body, cookie, header, query
    assert error["transaction"] == "/test/fails/"  # the route, without its query string
    for frame in value["stacktrace"]["frames"]:
        assert "vars" not in frame
    # The logged error came too, redacted.
    assert any(
        (event.get("logentry") or {}).get("message", "").startswith("about to fail for [email]")
        or (event.get("logentry") or {}).get("formatted", "").startswith("about to fail")
        for event in events
    )
    for secret in (EMAIL, token, "jalon_pref", "Bearer", "127.0.0.1"):
        assert secret not in everything, secret


def test_scrub_keeps_only_the_users_id():
    event = {
        "event_id": "a" * 16 + "1" * 16,
        "user": {"id": 42, "email": EMAIL, "ip_address": "203.0.113.45", "username": EMAIL},
        "request": {
            "method": "POST",
            "url": "https://jalon.example.org/api/v1/x/?token=abc",
            "query_string": "token=abc",
            "cookies": {"sessionid": "s"},
            "headers": {"Authorization": "Bearer abc"},
            "data": {"email": EMAIL},
            "env": {"REMOTE_ADDR": "203.0.113.45"},
        },
        "breadcrumbs": {"values": [{"message": f"user {EMAIL} signed in from 203.0.113.45"}]},
        "extra": {"sys.argv": ["manage.py"], "email": EMAIL},
    }
    scrubbed = scrub(event)
    assert scrubbed["user"] == {"id": "42"}
    assert scrubbed["request"] == {"method": "POST", "url": "https://jalon.example.org/api/v1/x/"}
    assert scrubbed["event_id"] == event["event_id"]  # Sentry's own id stays whole
    text = json.dumps(scrubbed)
    assert EMAIL not in text and "203.0.113.45" not in text
    assert "203.0.113.0/24" in text
