"""The production topology of docker-compose.yml, as Compose renders it, and its probes.

Compose renders the file with deploy/jalon.env.example and the secrets of
deploy/init-secrets.sh (``config`` needs no Docker engine). The test is skipped when no
Compose command exists, unless ``JALON_DEPLOY_TESTS=required`` (CI): Debian's
``apt-get install -y --no-install-recommends docker-compose`` provides one.
"""

import os
import re
import shutil
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml
from celery import Celery
from celery.utils.imports import symbol_by_name

from backend import beat
from backend.celery import app as celery_app
from backend.crypto.keyring import Keyring

from .test_settings import _manage, production

BASE_DIR = Path(__file__).resolve().parent.parent
APP_SERVICES = ("web", "worker", "beat", "migrate")
# What docker-compose.yml fixes whatever deploy/jalon.env says (the topology's own values).
FIXED = {"DJANGO_ENV", "TRUSTED_PROXY_IPS", "VAULT_KEYRING_FILE"}
SECRETS = {
    "SECRET_KEY": "secret_key",
    "DATABASE_PASSWORD": "postgres_password",
    "EMAIL_PASSWORD": "email_password",
    "VAULT_S3_ACCESS_KEY": "vault_s3_access_key",
    "VAULT_S3_SECRET_KEY": "vault_s3_secret_key",
}
_COMMENTED = re.compile(r"^# ([A-Z][A-Z0-9_]*)=(\S*)")
_ACTIVE = re.compile(r"^([A-Z][A-Z0-9_]*)=(.*)$")


def _compose_command() -> list[str] | None:
    """``docker compose`` (the plugin) or ``docker-compose``, whichever answers here."""
    candidates = [["docker", "compose"], ["docker-compose"]]
    for command in candidates:
        if shutil.which(command[0]) is None:
            continue
        probe = subprocess.run(  # noqa: S603 - fixed command lines
            [*command, "version"], capture_output=True, text=True, timeout=60, check=False
        )
        if probe.returncode == 0:
            return command
    return None


def _documented_variables() -> list[str]:
    """The variables of README.md's "Configuration" table."""
    readme = (BASE_DIR / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    names = []
    for line in section.splitlines():
        if line.startswith("| `"):
            first_cell = line.split("|")[1]
            names += re.findall(r"`([A-Z][A-Z0-9_]*)`", first_cell)
    return names


def _example_lines() -> list[str]:
    return (BASE_DIR / "deploy" / "jalon.env.example").read_text(encoding="utf-8").splitlines()


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict:
    """``compose config`` of a copy of the project whose env file is the example with
    every commented default switched on, and whose secrets init-secrets.sh made."""
    compose = _compose_command()
    if compose is None:
        message = (
            "no Compose command here (docker compose or docker-compose): "
            "apt-get install -y --no-install-recommends docker-compose"
        )
        if os.environ.get("JALON_DEPLOY_TESTS") == "required":
            pytest.fail(message + " (JALON_DEPLOY_TESTS=required)")
        pytest.skip(message)
    project = tmp_path_factory.mktemp("project")
    shutil.copy(BASE_DIR / "docker-compose.yml", project)
    shutil.copytree(
        BASE_DIR / "deploy", project / "deploy", ignore=shutil.ignore_patterns("secrets")
    )
    env_lines = []
    for line in _example_lines():
        commented = _COMMENTED.match(line)
        env_lines.append(f"{commented[1]}={commented[2]}" if commented else line)
    (project / "deploy" / "jalon.env").write_text("\n".join(env_lines) + "\n")
    environment = {k: v for k, v in os.environ.items() if not k.startswith("JALON_")}
    environment["JALON_SECRETS_DIR"] = str(project / "secrets")
    made = subprocess.run(  # noqa: S603 - fixed command line
        ["/bin/sh", str(project / "deploy" / "init-secrets.sh")],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert made.stdout.count("created") == len(SECRETS) + 1
    result = subprocess.run(  # noqa: S603 - fixed command line
        [*compose, "--profile", "backup", "-f", "docker-compose.yml", "config"],
        cwd=project,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    config = yaml.safe_load(result.stdout)
    config["_env"] = dict(_ACTIVE.match(line).groups() for line in env_lines if _ACTIVE.match(line))
    config["_project"] = project
    return config


def _secret_names(service: dict) -> set[str]:
    return {entry if isinstance(entry, str) else entry["source"] for entry in service["secrets"]}


def _networks(service: dict) -> dict:
    networks = service.get("networks") or {}
    return networks if isinstance(networks, dict) else dict.fromkeys(networks)


def test_the_proxy_is_the_only_way_in(rendered):
    services = rendered["services"]
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"proxy"}
    ports = str(services["proxy"]["ports"])
    assert "80" in ports and "443" in ports
    # One proxy hop: the proxy's fixed address is the only one the app trusts, on a
    # network that only the proxy and web join.
    proxy_address = _networks(services["proxy"])["edge"]["ipv4_address"]
    assert services["web"]["environment"]["TRUSTED_PROXY_IPS"] == proxy_address
    on_edge = {name for name, service in services.items() if "edge" in _networks(service)}
    assert on_edge == {"proxy", "web"}
    assert services["proxy"]["depends_on"]["web"]["condition"] == "service_healthy"
    caddyfile = (BASE_DIR / "deploy" / "Caddyfile").read_text()
    assert "reverse_proxy web:{$PORT:8000}" in caddyfile
    assert "trusted_proxies" not in caddyfile.split("{$JALON_HOST}")[1]


def test_web_worker_and_beat_have_health_checks(rendered):
    services = rendered["services"]
    checks = {name: " ".join(services[name]["healthcheck"]["test"]) for name in APP_SERVICES[:3]}
    assert "/readyz" in checks["web"]
    # $HOSTNAME is the container's, expanded by its shell, not by Compose (which prints
    # the escaped $$ back, or not, by version).
    assert re.search(r"inspect ping --destination celery@\$\$?HOSTNAME ", checks["worker"])
    assert "backend.beat /app/var/celerybeat-schedule" in checks["beat"]
    assert "--schedule /app/var/celerybeat-schedule" in " ".join(services["beat"]["command"])


def test_every_documented_variable_is_reachable(rendered):
    """Each variable of the README's table is set through the env file (and what the
    file says arrives), fixed by the topology, or read from a secret file."""
    env_file = rendered["_env"]
    documented = _documented_variables()
    assert len(documented) > 40
    for name in APP_SERVICES:
        service = rendered["services"][name]
        environment = service["environment"]
        unreachable = []
        for variable in documented:
            if variable in SECRETS:
                assert environment[f"{variable}_FILE"] == f"/run/secrets/{SECRETS[variable]}"
                assert SECRETS[variable] in _secret_names(service)
                assert variable not in environment  # the value never sits in the environment
            elif variable in FIXED:
                assert environment[variable]
            elif variable in env_file:
                assert str(environment.get(variable, "")) == env_file[variable], variable
            elif variable != "JALON_HOST":  # the proxy's: checked below
                unreachable.append(variable)
        assert not unreachable, f"{name}: not in deploy/jalon.env.example: {unreachable}"
    assert rendered["services"]["proxy"]["environment"]["JALON_HOST"] == env_file["JALON_HOST"]
    assert ":" not in env_file["DATABASE_URL"].split("://")[1].split("@")[0]  # no password


def test_the_secrets_are_files_the_containers_read(rendered):
    project = rendered["_project"]
    secrets = rendered["secrets"]
    assert set(secrets) == {*SECRETS.values(), "vault_keyring"}
    for entry in secrets.values():
        path = Path(entry["file"])
        assert path.parent == project / "secrets"
        assert path.stat().st_mode & 0o777 == 0o444
    assert (project / "secrets").stat().st_mode & 0o777 == 0o700
    secret_key = (project / "secrets" / "secret_key").read_text()
    assert len(secret_key) >= 50
    keyring = Keyring.from_json((project / "secrets" / "vault_keyring.json").read_text())
    assert keyring.current == "1"
    assert len(keyring.keys["1"]) == 32
    assert (project / "secrets" / "email_password").read_text() == ""  # unset until written
    postgres = rendered["services"]["postgres"]
    assert postgres["environment"]["POSTGRES_PASSWORD_FILE"] == "/run/secrets/postgres_password"
    # The keyring goes to the backup service for backup.sh, never into a backup's folder.
    backup = rendered["services"]["backup"]
    assert "vault_keyring" in _secret_names(backup)
    assert backup["command"][-2:] == ["/backups", "/keyring-backups"]


def _secret_file(tmp_path: Path, name: str, content: str) -> str:
    path = tmp_path / name
    path.write_text(content + "\n")  # as `echo` writes it: the newline is dropped
    return str(path)


def test_production_reads_its_secrets_from_files(tmp_path):
    secret_key = "s" * 30 + "ecret-from-a-file-0123456789"
    shown = (
        "from django.conf import settings as s; "
        "print(s.SECRET_KEY, s.DATABASES['default']['PASSWORD'], s.EMAIL_HOST_PASSWORD, "
        "s.EMAIL_HOST_USER, s.STORAGES['vault']['OPTIONS']['access_key'], "
        "s.STORAGES['vault']['OPTIONS']['secret_key'])"
    )
    result = _manage(
        "shell",
        "--no-imports",
        "-c",
        shown,
        **production(
            SECRET_KEY=None,
            SECRET_KEY_FILE=_secret_file(tmp_path, "key", secret_key),
            DATABASE_URL="postgres://jalon@db.invalid:5432/jalon",
            DATABASE_PASSWORD_FILE=_secret_file(tmp_path, "db", "p@ss:w/rd"),
            EMAIL_URL="smtp+tls://mailer@smtp.example.org:587",
            EMAIL_PASSWORD_FILE=_secret_file(tmp_path, "smtp", "smtp secret"),
            VAULT_S3_BUCKET="jalon-vault",
            VAULT_S3_ACCESS_KEY_FILE=_secret_file(tmp_path, "access", "AKIA42"),
            VAULT_S3_SECRET_KEY_FILE=_secret_file(tmp_path, "s3", "s3-secret"),
        ),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        secret_key,
        "p@ss:w/rd",
        "smtp",
        "secret",
        "mailer",
        "AKIA42",
        "s3-secret",
    ]


def test_a_secret_given_twice_or_unreadable_is_refused(tmp_path):
    twice = _manage("check", **production(SECRET_KEY_FILE=_secret_file(tmp_path, "key", "x")))
    assert twice.returncode != 0
    assert "Set SECRET_KEY or SECRET_KEY_FILE, not both." in twice.stderr
    missing = _manage(
        "check", **production(EMAIL_URL=None, EMAIL_URL_FILE=str(tmp_path / "absent"))
    )
    assert missing.returncode != 0
    assert f"EMAIL_URL_FILE: cannot read {tmp_path / 'absent'}" in missing.stderr


class _Readiness(BaseHTTPRequestHandler):
    status = 200
    hosts: list[str] = []

    def do_GET(self):
        self.hosts.append(f"{self.headers['Host']} {self.path}")
        self.send_response(self.status)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_the_web_health_check_asks_readiness_on_port(tmp_path):
    """The web service's probe, run as Docker runs it, against a stand-in of gunicorn."""
    compose = yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())
    command = compose["services"]["web"]["healthcheck"]["test"]
    assert command[:3] == ["CMD", "python", "-c"]
    _Readiness.hosts = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Readiness)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    environment = {
        **os.environ,
        "PORT": str(server.server_address[1]),
        "ALLOWED_HOSTS": "jalon.example.org,.example.org",
    }
    try:
        probes = []
        for status in (200, 503):
            _Readiness.status = status
            probes.append(
                subprocess.run(  # noqa: S603 - the compose file's own probe
                    [sys.executable, "-c", command[3]],
                    env=environment,
                    capture_output=True,
                    timeout=30,
                ).returncode
            )
    finally:
        server.shutdown()
    assert probes[0] == 0
    assert probes[1] != 0
    assert _Readiness.hosts == ["jalon.example.org /readyz"] * 2


def test_beat_ticks_a_heartbeat_that_its_health_check_reads(tmp_path):
    assert symbol_by_name(celery_app.conf.beat_scheduler) is beat.HeartbeatScheduler
    assert celery_app.conf.beat_max_loop_interval < beat.DEFAULT_MAX_AGE_SECONDS
    schedule = str(tmp_path / "celerybeat-schedule")
    assert beat.main([schedule]) == 1  # never ticked
    # An app of its own, with nothing to schedule: a tick sends no task anywhere.
    app = Celery("heartbeat-test", set_as_current=False)
    scheduler = beat.HeartbeatScheduler(app=app, schedule_filename=schedule)
    try:
        scheduler.tick()
    finally:
        scheduler.close()
    assert beat.main([schedule]) == 0
    stale = time.time() - beat.DEFAULT_MAX_AGE_SECONDS - 5
    os.utime(beat.heartbeat_path(schedule), (stale, stale))
    assert beat.main([schedule]) == 1
    assert beat.main([schedule, "--max-age", "3600"]) == 0
