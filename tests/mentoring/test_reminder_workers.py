"""Reminders sent by real Celery workers: two of them at once, each reminder once.

Needs PostgreSQL (row locks, and a database the worker processes can reach) and a broker
other processes reach (Redis in CI). The workers use the test database.
"""

import os
import subprocess
import sys
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from mentoring import agenda
from mentoring.models import Notification, RecordedSend, Reminder
from mentoring.tasks import dispatch_due_reminders
from tests.test_celery_worker import BASE_DIR, Worker

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.skipif(
        connection.vendor != "postgresql" or not os.environ.get("REDIS_URL"),
        reason="real workers need PostgreSQL and Redis",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

REMINDERS = 200


def _test_database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        f"/{db['NAME']}"
    )


@pytest.fixture
def two_workers(tmp_path):
    queue = f"reminders-{uuid.uuid4().hex[:8]}"
    workers = []
    for number in (1, 2):
        log_path = tmp_path / f"worker{number}.log"
        with log_path.open("w") as log:
            process = subprocess.Popen(  # noqa: S603 - fixed command line
                [
                    *(sys.executable, "-m", "celery", "-A", "backend", "worker"),
                    *("--pool=solo", "--loglevel=INFO", "--queues", queue),
                    *("--hostname", f"{queue}-{number}@%h"),
                ],
                cwd=BASE_DIR,
                env={**os.environ, "DATABASE_URL": _test_database_url()},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        workers.append(Worker(name=f"{queue}-{number}", queue=queue, process=process, log=log_path))
    try:
        yield workers
    finally:
        for worker in workers:
            worker.process.terminate()
        for worker in workers:
            try:
                worker.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.process.kill()


def test_two_real_workers_send_every_reminder_exactly_once(young_person, two_workers):
    for _ in range(REMINDERS):
        agenda.appointment_save(
            owner=young_person,
            data={
                "title": "CAF",
                "starts_at": timezone.now() + timedelta(hours=2),
                "reminder_offsets": [60],
            },
        )
    Reminder.objects.update(due_at=timezone.now() - timedelta(minutes=1))

    # Several runs of the task land on both workers at once, as beat and retries would.
    for _ in range(6):
        dispatch_due_reminders.apply_async(queue=two_workers[0].queue)

    def all_sent() -> bool:
        return Reminder.objects.filter(state="sent").count() == REMINDERS

    two_workers[0].wait_for(all_sent, f"{REMINDERS} reminders sent")
    assert RecordedSend.objects.count() == REMINDERS
    assert set(RecordedSend.objects.values_list("calls", flat=True)) == {1}
    assert Notification.objects.count() == REMINDERS
    claimed_by = {
        name.split("@")[0] for name in Reminder.objects.values_list("claimed_by", flat=True)
    }
    assert claimed_by <= {worker.name for worker in two_workers}
