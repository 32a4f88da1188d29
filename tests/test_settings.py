"""Production mode: refuses to start without its secrets, and passes ``check --deploy``."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    hidden = {"SECRET_KEY", "ALLOWED_HOSTS", "EMAIL_URL"}
    base = {k: v for k, v in os.environ.items() if k not in hidden}
    return subprocess.run(  # noqa: S603 - fixed command line
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_refuses_to_start_without_secret_key():
    result = _manage("check", DJANGO_ENV="production", ALLOWED_HOSTS="jalon.example.org")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_passes_the_deployment_checklist():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="jalon.example.org",
        EMAIL_URL="smtp+tls://mailer:secret@smtp.example.org:587",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_mail_server():
    # Sign-up and password-reset codes go by e-mail: without one, nobody could sign up.
    result = _manage(
        "check",
        DJANGO_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="jalon.example.org",
    )
    assert result.returncode != 0
    assert "EMAIL_URL" in result.stderr


def test_unknown_environment_name_is_refused():
    result = _manage("check", DJANGO_ENV="prod")
    assert result.returncode != 0
    assert "DJANGO_ENV" in result.stderr
