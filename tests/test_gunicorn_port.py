"""The image's server listens where the operator says: ``PORT`` (backend/gunicorn_conf.py).

gunicorn is started for real, with the project's configuration and nothing on its command
line but the number of workers, and answered on the port PORT named.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start_gunicorn(tmp_path, **env_vars: str) -> subprocess.Popen:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_ENV", "DATABASE_URL", "REDIS_URL", "PORT"}
    }
    env.update(VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="backend.settings", **env_vars)
    return subprocess.Popen(  # noqa: S603 - fixed command line
        [
            sys.executable,
            *("-m", "gunicorn", "--config", "python:backend.gunicorn_conf"),
            *("--workers", "1", "backend.wsgi:application"),
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def test_gunicorn_listens_on_the_port_named_by_PORT(tmp_path):
    port = _free_port()
    server = _start_gunicorn(tmp_path, PORT=str(port))
    try:
        for _ in range(150):
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/healthz", timeout=5
                ) as response:
                    status = response.status
                break
            except (urllib.error.URLError, ConnectionError):
                if server.poll() is not None:
                    break
                time.sleep(0.1)
        else:
            status = None
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0].decode()
    assert status == 200, output


def test_a_mistyped_PORT_stops_gunicorn_naming_it(tmp_path):
    server = _start_gunicorn(tmp_path, PORT="80OO")
    try:
        output = server.communicate(timeout=60)[0].decode()
    except subprocess.TimeoutExpired:
        server.kill()
        pytest.fail("gunicorn started with PORT=80OO")
    assert server.returncode != 0
    assert "80OO" in output, output
