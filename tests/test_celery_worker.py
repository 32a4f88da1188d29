"""A real Celery worker, started as its own process on the configured broker.

On the embedded default the broker is kombu's filesystem transport under ``var/``; with
``REDIS_URL`` it is Redis. Either way, the task crosses a process boundary.
"""

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.cache import cache

from backend.tasks import WORKER_HEARTBEAT_CACHE_KEY, ping

BASE_DIR = Path(__file__).resolve().parent.parent
TIMEOUT_SECONDS = 90


@dataclass
class Worker:
    name: str
    queue: str
    process: subprocess.Popen
    log: Path

    def wait_for(self, condition: Callable[[], bool], what: str) -> None:
        """Poll ``condition`` until it holds; fail at once if the worker has died."""
        deadline = time.monotonic() + TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if condition():
                return
            if self.process.poll() is not None:
                pytest.fail(f"the worker died before {what}:\n{self.log.read_text()}")
            time.sleep(0.3)
        pytest.fail(f"timed out waiting for {what}:\n{self.log.read_text()}")


@pytest.fixture
def worker(tmp_path):
    """Start ``celery worker --beat`` on a private queue plus the default one."""
    name = f"test-{uuid.uuid4().hex[:10]}"
    log_path = tmp_path / "worker.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(  # noqa: S603 - fixed command line
            [
                *(sys.executable, "-m", "celery", "-A", "backend", "worker", "--beat"),
                *("--pool=solo", "--loglevel=INFO", "--queues", f"{name},celery"),
                *("--hostname", f"{name}@%h", "--schedule", str(tmp_path / "beat-schedule")),
            ],
            cwd=BASE_DIR,
            env={**os.environ, "WORKER_HEARTBEAT_SECONDS": "1"},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        yield Worker(name=name, queue=name, process=process, log=log_path)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.mark.celery_worker
def test_worker_executes_a_queued_task(worker):
    result = ping.apply_async(queue=worker.queue)
    worker.wait_for(result.ready, "the task's result")
    assert result.get(timeout=5) == "pong"


@pytest.mark.celery_worker
def test_beat_runs_periodic_tasks_on_the_worker(worker):
    def heartbeat_from_this_worker() -> bool:
        heartbeat = cache.get(WORKER_HEARTBEAT_CACHE_KEY)
        return bool(heartbeat and heartbeat["worker"].startswith(worker.name))

    worker.wait_for(heartbeat_from_this_worker, "a heartbeat from beat")
