"""No secret, e-mail address or full client address reaches the logs.

The requests are real, and what they log is read from the handler the project's own
``LOGGING`` configured (pytest's capture handler sits beside it, unfiltered).
"""

import io
import json
import logging
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta
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
    # The readable line of the embedded default: time, level, logger, the request's id.
    assert re.search(
        r"^\d{4}-\d\d-\d\d [\d:,]+ WARNING django\.request \[[0-9a-f-]{36}\] Not", written, re.M
    )
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


# --- Structured logs (LOG_FORMAT=json) -------------------------------------------------


@pytest.fixture
def json_log_output(log_output):
    """What the project's console handler writes, formatted as ``LOG_FORMAT=json`` does."""
    from backend.logging import JsonFormatter

    (handler,) = [h for h in logging.getLogger().handlers if h in project_handlers()]
    previous = handler.formatter
    handler.setFormatter(JsonFormatter())
    try:
        yield log_output
    finally:
        handler.setFormatter(previous)


def json_lines(text: str) -> list[dict]:
    """Every line is one JSON object: a line that is not fails the test."""
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _utc_timestamp(value: str) -> datetime:
    assert value.endswith("Z"), value
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    assert moment.utcoffset() == timedelta(0)
    assert abs(datetime.now(UTC) - moment) < timedelta(minutes=5)
    return moment


@pytest.mark.django_db
def test_a_request_logs_json_with_its_id_and_user_but_no_email(client, staff_93, json_log_output):
    client.force_login(staff_93)
    response = client.get("/admin/nulle-part/", HTTP_X_REQUEST_ID="edge-4f2a.91")
    assert response.status_code == 404
    assert response["X-Request-ID"] == "edge-4f2a.91"  # the proxy's id, given back
    lines = json_lines(json_log_output.getvalue())
    (line,) = [entry for entry in lines if entry["logger"] == "django.request"]
    assert line["level"] == "WARNING"
    assert line["message"] == "Not Found: /admin/nulle-part/"
    assert line["request_id"] == "edge-4f2a.91"
    assert line["user_id"] == staff_93.pk
    _utc_timestamp(line["timestamp"])
    assert staff_93.email not in json_log_output.getvalue()


@pytest.mark.django_db
def test_each_request_gets_its_own_id_when_the_proxy_gives_none_or_garbage(client, json_log_output):
    first = client.get("/api/v1/nothing/")
    second = client.get("/api/v1/nothing/", HTTP_X_REQUEST_ID=f"{EMAIL} x")
    ids = [first["X-Request-ID"], second["X-Request-ID"]]
    for request_id in ids:
        assert uuid.UUID(request_id)  # made here, not copied
    assert ids[0] != ids[1]
    lines = [e for e in json_lines(json_log_output.getvalue()) if e["logger"] == "django.request"]
    assert [line["request_id"] for line in lines] == ids
    assert [line["user_id"] for line in lines] == [None, None]  # nobody signed in
    assert EMAIL not in json_log_output.getvalue()
    logging.getLogger("jalon.test").warning("between two requests")
    between = json_lines(json_log_output.getvalue())[-1]
    assert between["message"] == "between two requests"
    assert between["request_id"] is None  # the last request's id is not left behind


def test_json_logs_carry_no_email_token_or_extra(json_log_output):
    token = secrets.token_urlsafe(32)
    logger = logging.getLogger("jalon.test")
    logger.warning(
        "sign-in of %s with %s",
        EMAIL,
        {"X-Session-Token": token},
        extra={"email": EMAIL, "body": "Bonjour, je m'appelle Jeanne"},
    )
    try:
        raise ValueError(f"no account for {EMAIL} with token {token}")
    except ValueError:
        logger.exception("lookup failed")
    written = json_log_output.getvalue()
    assert EMAIL not in written and token not in written and "Jeanne" not in written
    first, second = json_lines(written)
    assert first["message"] == "sign-in of [email] with {'X-Session-Token': '[redacted]'}"
    assert set(first) == {"timestamp", "level", "logger", "message", "request_id", "user_id"}
    assert (
        second["level"] == "ERROR" and "ValueError: no account for [email]" in second["exception"]
    )


def test_gunicorn_writes_json_access_lines_with_the_request_id(tmp_path):
    port = _free_port()
    token = secrets.token_urlsafe(32)
    env = {
        k: v for k, v in os.environ.items() if k not in {"DJANGO_ENV", "DATABASE_URL", "REDIS_URL"}
    }
    env.update(VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="backend.settings", LOG_FORMAT="json")
    server = subprocess.Popen(  # noqa: S603 - fixed command line
        [
            *(sys.executable, "-m", "gunicorn", "--config", "python:backend.gunicorn_conf"),
            *("--bind", f"127.0.0.1:{port}", "--workers", "1", "backend.wsgi:application"),
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        url = f"http://127.0.0.1:{port}/api/v1/vault/shared/{token}/?e={EMAIL}"
        request = urllib.request.Request(url, headers={"X-Request-ID": "caddy-7781"})
        for _ in range(100):
            try:
                # Refused until gunicorn listens; then waits for its worker to boot.
                urllib.request.urlopen(request, timeout=60)  # noqa: S310 - loopback
            except urllib.error.HTTPError as error:
                assert error.code == 404
                assert error.headers["X-Request-ID"] == "caddy-7781"
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("gunicorn did not answer")
        time.sleep(0.5)
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0].decode()
    lines = json_lines(output)  # gunicorn's own lines too: every line is JSON
    (access,) = [line for line in lines if line["logger"] == "gunicorn.access"]
    assert access["request_id"] == "caddy-7781"
    assert access["http"]["method"] == "GET" and access["http"]["status"] == 404
    assert access["http"]["path"] == "/api/v1/vault/shared/[redacted]/"
    _utc_timestamp(access["timestamp"])
    (app,) = [line for line in lines if line["logger"] == "django.request"]
    assert app["request_id"] == "caddy-7781" and app["level"] == "WARNING"
    assert any(line["logger"] == "gunicorn.error" for line in lines)
    for secret in (token, EMAIL, "127.0.0.1"):
        assert secret not in output, output


def test_production_logs_json_and_the_embedded_default_text():
    from tests.test_settings import _manage, production

    show = (
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; print(s.LOG_FORMAT)",
    )
    assert _manage(*show, **production()).stdout.strip() == "json"
    embedded = _manage(*show, DATABASE_URL=None, REDIS_URL=None, LOG_FORMAT=None)
    assert embedded.stdout.strip() == "text"
    refused = _manage("check", DATABASE_URL=None, LOG_FORMAT="xml")
    assert refused.returncode != 0 and "LOG_FORMAT" in refused.stderr


def test_the_sms_receipts_secret_and_phone_numbers_never_reach_a_log_line():
    from backend.logging import redact

    line = redact('"POST /hooks/sms/receipts-5b1f0c9e7a/ HTTP/1.1" 200 for +33612345678')
    assert "receipts-5b1f0c9e7a" not in line and "612345678" not in line
    assert redact("call 06 12 34 56 78 at 12:30") == "call [phone] at 12:30"
