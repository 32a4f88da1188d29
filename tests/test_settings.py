"""Production mode: refuses to start without its secrets, and passes ``check --deploy``."""

import base64
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent


HIDDEN = {
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "EMAIL_URL",
    "VAULT_KEYRING",
    "VAULT_KEYRING_FILE",
    "DATABASE_URL",
    "REDIS_URL",
    "REDIS_CACHE_URL",
    "DEBUG",
    "STAFF_REQUIRE_MFA",
    "TRUSTED_PROXY_IPS",
    "TRUSTED_PROXY_COUNT",
}


def _manage(*args: str, **env: str | None) -> subprocess.CompletedProcess:
    """``manage.py args`` in a fresh process, with ``env`` (a ``None`` value: unset)."""
    base = {k: v for k, v in os.environ.items() if k not in HIDDEN}
    merged = {k: v for k, v in {**base, **env}.items() if v is not None}
    return subprocess.run(  # noqa: S603 - fixed command line
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=merged,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_refuses_to_start_without_secret_key():
    result = _manage("check", DJANGO_ENV="production", ALLOWED_HOSTS="jalon.example.org")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def production(**changes: str | None) -> dict:
    """A complete production environment, with ``changes`` (``None``: unset). The
    servers' host names do not resolve: loading the settings connects to nothing."""
    return {
        "DJANGO_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "jalon.example.org",
        "EMAIL_URL": "smtp+tls://mailer:secret@smtp.example.org:587",
        "VAULT_KEYRING": _new_keyring(),
        "DATABASE_URL": "postgres://jalon:secret@db.invalid:5432/jalon",
        "REDIS_URL": "redis://cache.invalid:6379/0",
        **changes,
    }


def test_production_passes_the_deployment_checklist():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **production())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_mail_server():
    # Sign-up and password-reset codes go by e-mail: without one, nobody could sign up.
    result = _manage(
        "check",
        **production(
            EMAIL_URL=None, VAULT_KEYRING=None, VAULT_KEYRING_FILE="/run/secrets/vault-keyring"
        ),
    )
    assert result.returncode != 0
    assert "EMAIL_URL" in result.stderr


def _new_keyring() -> str:
    key = base64.b64encode(secrets.token_bytes(32)).decode()
    return json.dumps({"current": "1", "keys": {"1": key}})


def test_production_checks_fail_when_the_keyring_file_is_missing(tmp_path):
    result = _manage(
        "check",
        **production(VAULT_KEYRING=None, VAULT_KEYRING_FILE=str(tmp_path / "missing-keyring.json")),
    )
    assert result.returncode != 0
    assert "vault.E001" in result.stderr
    assert not (tmp_path / "missing-keyring.json").exists()  # never generated in production


def test_production_refuses_to_start_without_a_vault_keyring():
    # A generated keyring would be lost with the container, and every document with it.
    result = _manage("check", **production(VAULT_KEYRING=None))
    assert result.returncode != 0
    assert "VAULT_KEYRING" in result.stderr


def test_vault_blobs_go_to_object_storage_when_a_bucket_is_set():
    result = _manage(
        "shell",
        "-c",
        "from django.core.files.storage import storages; s = storages['vault']; "
        "print(type(s).__name__, s.bucket_name, s.endpoint_url, s.default_acl)",
        VAULT_S3_BUCKET="jalon-vault",
        VAULT_S3_ENDPOINT_URL="https://s3.example.org",
    )
    assert result.returncode == 0, result.stderr
    storage, bucket, endpoint, acl = result.stdout.splitlines()[-1].split()
    assert (storage, bucket, endpoint, acl) == (
        "S3Storage",
        "jalon-vault",
        "https://s3.example.org",
        "private",
    )


def test_unknown_environment_name_is_refused():
    result = _manage("check", DJANGO_ENV="prod")
    assert result.returncode != 0
    assert "DJANGO_ENV" in result.stderr


def test_a_suppression_threshold_that_would_hide_nothing_is_refused():
    result = _manage("check", FIGURES_MIN_PEOPLE="1")
    assert result.returncode != 0
    assert "FIGURES_MIN_PEOPLE" in result.stderr
    assert _manage("check", FIGURES_MIN_PEOPLE="10").returncode == 0


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        pytest.param({"DEBUG": "true"}, "DEBUG", id="debug"),
        pytest.param({"STAFF_REQUIRE_MFA": "false"}, "STAFF_REQUIRE_MFA", id="no-staff-mfa"),
        pytest.param({"ALLOWED_HOSTS": "*"}, "ALLOWED_HOSTS", id="any-host"),
        pytest.param({"ALLOWED_HOSTS": "jalon.example.org,*"}, "ALLOWED_HOSTS", id="any-host-too"),
        pytest.param({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS", id="no-host"),
        pytest.param({"SECRET_KEY": secrets.token_urlsafe(20)}, "SECRET_KEY", id="short-key"),
        pytest.param({"SECRET_KEY": "a" * 64}, "SECRET_KEY", id="monotonous-key"),
        pytest.param(
            {"SECRET_KEY": "django-insecure-" + secrets.token_urlsafe(50)},
            "SECRET_KEY",
            id="startproject-key",
        ),
        pytest.param(
            {"SECRET_KEY": "dev-only-insecure-key-never-used-in-production" + "x" * 10},
            "SECRET_KEY",
            id="development-key",
        ),
        pytest.param({"DATABASE_URL": None}, "DATABASE_URL", id="no-database"),
        pytest.param({"REDIS_URL": None}, "REDIS_URL", id="no-redis"),
        pytest.param({"REDIS_URL": ""}, "REDIS_URL", id="empty-redis"),
        pytest.param({"TRUSTED_PROXY_COUNT": "1"}, "TRUSTED_PROXY_IPS", id="proxy-count"),
        pytest.param({"TRUSTED_PROXY_IPS": "0.0.0.0/0"}, "TRUSTED_PROXY_IPS", id="trust-all"),
        pytest.param({"TRUSTED_PROXY_IPS": "proxy"}, "TRUSTED_PROXY_IPS", id="not-an-address"),
    ],
)
def test_production_refuses_an_unsafe_configuration(changes, named):
    # Each of these used to start, at most with a warning of check --deploy: the embedded
    # SQLite database and filesystem broker, a debug page, an admin without 2FA...
    result = _manage("check", **production(**changes))
    assert result.returncode != 0, result.stdout
    assert "ImproperlyConfigured" in result.stderr
    assert named in result.stderr.strip().splitlines()[-1]


def test_production_trusts_the_listed_proxies():
    result = _manage("check", **production(TRUSTED_PROXY_IPS="172.30.0.2,2001:db8::/64"))
    assert result.returncode == 0, result.stderr
