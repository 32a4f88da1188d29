"""A real Celery worker, started as its own process on the configured broker.

On the embedded default the broker is kombu's filesystem transport under ``var/``; with
``REDIS_URL`` it is Redis. Either way, the task crosses a process boundary.
"""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.core.cache import cache

from backend.tasks import WORKER_HEARTBEAT_CACHE_KEY, ping

BASE_DIR = Path(__file__).resolve().parent.parent


@pytest.fixture
def worker(tmp_path):
    """Start ``celery worker --beat`` on a private queue plus the default one."""
    name = f"test-{uuid.uuid4().hex[:10]}"
    queue = name
    env = {**os.environ, "WORKER_HEARTBEAT_SECONDS": "1"}
    log = (tmp_path / "worker.log").open("w")
    process = subprocess.Popen(  # noqa: S603 - fixed command line
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "backend",
            "worker",
            "--beat",
            "--pool=solo",
            "--loglevel=INFO",
            "--queues",
            f"{queue},celery",
            "--hostname",
            f"{name}@%h",
            "--schedule",
            str(tmp_path / "beat-schedule"),
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield {"queue": queue, "name": name, "log": tmp_path / "worker.log"}
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.mark.celery_worker
def test_worker_executes_a_queued_task(worker):
    result = ping.apply_async(queue=worker["queue"])
    try:
        assert result.get(timeout=90) == "pong"
    except Exception:
        print(worker["log"].read_text())
        raise


@pytest.mark.celery_worker
def test_beat_runs_periodic_tasks_on_the_worker(worker):
    deadline = time.monotonic() + 90
    heartbeat = None
    while time.monotonic() < deadline:
        heartbeat = cache.get(WORKER_HEARTBEAT_CACHE_KEY)
        if heartbeat and heartbeat["worker"].startswith(worker["name"]):
            break
        time.sleep(0.5)
    else:
        print(worker["log"].read_text())
        pytest.fail(f"no heartbeat from {worker['name']}: last seen {heartbeat!r}")
