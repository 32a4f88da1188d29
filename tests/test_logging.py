"""No secret, e-mail address or full client address reaches the logs.

The requests are real, and what they log is read from the handler the project's own
``LOGGING`` configured (pytest's capture handler sits beside it, unfiltered).
"""

import io
import logging
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.vault.conftest import make_document  # noqa: F401 - a fixture
from vault import services

BASE_DIR = Path(__file__).resolve().parent.parent
EMAIL = "jeanne.dupont@example.org"


def project_handlers() -> list[logging.Handler]:
    """Every handler of every logger, but pytest's own."""
    loggers = [logging.getLogger()] + [
        logger
        for logger in logging.Logger.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]
    return [
        handler
        for logger in loggers
        for handler in logger.handlers
        # pytest's capture, and libraries' NullHandler, which writes nowhere
        if not type(handler).__module__.startswith("_pytest")
        and not isinstance(handler, logging.NullHandler)
    ]


@pytest.fixture
def log_output():
    """What the project's console handler writes, while the test runs."""
    (handler,) = [h for h in logging.getLogger().handlers if h in project_handlers()]
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        yield stream
    finally:
        handler.setStream(previous)


def test_every_handler_redacts():
    from backend.logging import RedactSecrets

    handlers = project_handlers()
    assert handlers
    for handler in handlers:
        assert any(isinstance(f, RedactSecrets) for f in handler.filters), handler


@pytest.mark.django_db
def test_a_404_on_a_url_carrying_a_token_logs_no_token(api_client, log_output):
    token = secrets.token_urlsafe(32)
    response = api_client.get(f"/api/v1/vault/shared/{token}/content/?code=123456")
    assert response.status_code == 404
    response = api_client.get(f"/api/v1/nothing/{EMAIL}/?token={token}")
    assert response.status_code == 404
    written = log_output.getvalue()
    assert "Not Found: /api/v1/vault/shared/" in written  # Django's request warning
    assert token not in written
    assert EMAIL not in written


@pytest.mark.django_db
def test_a_refused_share_code_logs_neither_token_nor_code(
    api_client,
    young_person,
    make_document,  # noqa: F811 - the fixture imported above
    log_output,
):
    _share, token, code = services.share_link_create(
        document=make_document(young_person), with_code=True
    )
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    response = api_client.get(
        "/api/v1/vault/shared/", HTTP_X_SHARE_TOKEN=token, HTTP_X_SHARE_CODE=wrong
    )
    assert response.status_code == 403
    written = log_output.getvalue()
    assert "Forbidden: /api/v1/vault/shared/" in written
    assert token not in written
    assert wrong not in written


def test_what_any_code_logs_is_redacted(log_output):
    token, session = secrets.token_urlsafe(32), secrets.token_hex(16)
    logging.getLogger("django.server").info(
        '"%s" %s', f"GET /api/v1/x/?token={token}&code=482913 HTTP/1.1", 404
    )
    logging.getLogger("jalon.test").warning(
        "headers %s, from %s and %s, user %s",
        {"X-Session-Token": session, "Authorization": f"Bearer {token}"},
        "203.0.113.45",
        "2001:db8:85a3:8d3:1319:8a2e:370:7348",
        EMAIL,
    )
    logging.getLogger("jalon.test").warning(
        "readiness check %s failed: %s", "redis", "cannot reach redis://:s3cr3t-pass@redis:6379/0"
    )
    try:
        raise ValueError(f"no account for {EMAIL} with token {token}")
    except ValueError:
        logging.getLogger("jalon.test").exception("lookup failed")
    written = log_output.getvalue()
    for secret in (token, session, "482913", EMAIL, "203.0.113.45", "370:7348", "s3cr3t-pass"):
        assert secret not in written
    # What an operator needs stays: the route, the status, the network of the client.
    assert "GET /api/v1/x/" in written and "404" in written
    assert "203.0.113.0/24" in written
    assert "ValueError" in written


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_gunicorn_access_log_holds_no_secret(tmp_path):
    port = _free_port()
    token = secrets.token_urlsafe(32)
    env = {
        k: v for k, v in os.environ.items() if k not in {"DJANGO_ENV", "DATABASE_URL", "REDIS_URL"}
    }
    env.update(VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="backend.settings")
    server = subprocess.Popen(  # noqa: S603 - fixed command line
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            "python:backend.gunicorn_conf",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "backend.wsgi:application",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        url = f"http://127.0.0.1:{port}/api/v1/vault/shared/{token}/?code=482913&e={EMAIL}"
        request = urllib.request.Request(url, headers={"Referer": f"http://x/?token={token}"})
        for _ in range(100):
            try:
                urllib.request.urlopen(request, timeout=5)  # noqa: S310 - loopback
            except urllib.error.HTTPError as error:
                assert error.code == 404
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("gunicorn did not answer")
        time.sleep(0.5)
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0].decode()
    assert "GET /api/v1/vault/shared/" in output, output  # the access line is there
    for secret in (token, "482913", EMAIL, "127.0.0.1"):
        assert secret not in output, output
