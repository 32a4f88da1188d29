"""``/metrics``: off unless enabled, only with the bearer token, and what it counts.

The figures are read as a Prometheus server reads them: scraping ``/metrics`` and parsing
the text format (prometheus-client's own parser).
"""

import json
import os
import secrets
import subprocess
import sys
import time
import urllib.request

import pytest
from django.core.cache import cache
from prometheus_client.parser import text_string_to_metric_families

from backend.celery import app as celery_app
from backend.logging import request_id_var
from backend.tasks import ping
from tests.test_celery_worker import worker  # noqa: F401 - a fixture
from tests.test_logging import BASE_DIR, _free_port

TOKEN = secrets.token_urlsafe(32)
EMAIL = "jeanne.dupont@example.org"


@celery_app.task(name="tests.test_metrics.fails")
def fails(secret: str) -> None:
    raise ValueError(f"no account for {EMAIL} with token {secret}")


@pytest.fixture
def metrics_on(settings):
    settings.METRICS_ENABLED = True
    settings.METRICS_TOKEN = TOKEN


def scrape(client) -> dict[tuple[str, tuple], float]:
    """Every sample of ``/metrics``: {(name, sorted labels): value}."""
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def sample(samples: dict, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_are_off_by_default(client):
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 404


@pytest.mark.parametrize(
    "authorization", [None, "Bearer wrong-token-of-some-length", f"Basic {TOKEN}", TOKEN]
)
def test_metrics_need_the_bearer_token(client, metrics_on, authorization):
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization else {}
    response = client.get("/metrics", **headers)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert b"jalon_" not in response.content


@pytest.mark.django_db
def test_requests_are_counted_by_view_method_and_status(client, metrics_on):
    before = scrape(client)
    for _ in range(2):
        assert client.get("/healthz").status_code == 200
    assert client.get("/api/v1/nothing/here/").status_code == 404
    after = scrape(client)

    def grew(name, **labels):
        return sample(after, name, **labels) - sample(before, name, **labels)

    assert grew("jalon_http_requests_total", view="healthz", method="GET", status="200") == 2
    # A path that resolves to no named view counts under its route, never its text.
    assert not [key for key in after if "nothing/here" in str(key)]
    assert grew("jalon_http_request_duration_seconds_count", view="healthz", method="GET") == 2
    assert (
        grew("jalon_http_request_duration_seconds_bucket", view="healthz", method="GET", le="+Inf")
        == 2
    )


def test_nothing_is_counted_while_metrics_are_off(client, settings):
    settings.METRICS_ENABLED, settings.METRICS_TOKEN = True, TOKEN
    before = scrape(client)
    settings.METRICS_ENABLED = False
    assert client.get("/healthz").status_code == 200
    ping.apply()
    settings.METRICS_ENABLED = True
    after = scrape(client)
    for name, labels in (
        ("jalon_http_requests_total", {"view": "healthz", "method": "GET", "status": "200"}),
        ("jalon_celery_task_started_total", {"task": "backend.tasks.ping"}),
    ):
        assert sample(after, name, **labels) == sample(before, name, **labels)


@pytest.mark.django_db
def test_tasks_are_counted_and_their_failures_kept(client, metrics_on):
    token = secrets.token_urlsafe(32)
    assert ping.apply().get() == "pong"  # run as a worker runs it, signals included
    result = fails.apply(args=(token,))
    assert result.failed()
    samples = scrape(client)
    assert sample(samples, "jalon_celery_task_started_total", task="backend.tasks.ping") == 1
    assert sample(samples, "jalon_celery_task_succeeded_total", task="backend.tasks.ping") == 1
    assert sample(samples, "jalon_celery_task_failed_total", task="tests.test_metrics.fails") == 1
    assert (
        sample(samples, "jalon_celery_task_succeeded_total", task="tests.test_metrics.fails") == 0
    )
    assert sample(samples, "jalon_celery_broker_up") == 1


def test_the_queue_length_is_the_brokers(client, metrics_on):
    before = sample(scrape(client), "jalon_celery_queue_length", queue="celery")
    ping.apply_async()  # no worker here: it waits
    ping.apply_async()
    try:
        after = sample(scrape(client), "jalon_celery_queue_length", queue="celery")
        assert after == before + 2
    finally:
        with celery_app.connection_for_write() as connection:
            connection.default_channel.queue_purge("celery")


@pytest.mark.django_db
def test_reminder_deliveries_are_counted_by_channel(client, metrics_on, young_person):
    from datetime import timedelta

    from django.utils import timezone

    from mentoring.agenda import reminders
    from mentoring.models import Reminder

    young_person.profile.notify_by_email = True
    young_person.profile.save()
    Reminder.objects.create(
        user=young_person,
        kind=Reminder.Kind.CHECK_IN,
        offset_minutes=0,
        due_at=timezone.now() - timedelta(minutes=1),
    )
    stats = reminders.dispatch()
    assert stats.sent == 1
    samples = scrape(client)
    for channel in ("push", "email"):
        name = "jalon_reminder_deliveries_total"
        assert sample(samples, name, channel=channel, outcome="sent") == 1
        assert sample(samples, name, channel=channel, outcome="failed") == 0


# --- The failed tasks' page -----------------------------------------------------------


@pytest.mark.django_db
def test_superusers_see_the_failed_tasks_without_personal_data(
    client, superuser, staff_93, staff_75
):
    token = secrets.token_urlsafe(32)
    request_id_var.set("req-failing-1")
    try:
        fails.apply(args=(token,))
    finally:
        request_id_var.set(None)
    for officer in (staff_93, staff_75):
        client.force_login(officer)
        assert client.get("/admin/tasks/failures/").status_code == 403
        assert "tests.test_metrics.fails" not in client.get("/admin/").content.decode()
    client.force_login(superuser)
    home = client.get("/admin/").content.decode()
    assert 'href="/admin/tasks/failures/"' in home
    assert "1 tâche de fond en échec ces dernières 24 heures" in home
    page = client.get("/admin/tasks/failures/").content.decode()
    assert "Tâches de fond en échec" in page
    assert "En attente dans la file" in page and "celery : " in page
    assert "tests.test_metrics.fails" in page
    assert "ValueError" in page and "req-failing-1" in page
    assert EMAIL not in page and token not in page
    assert "[email]" in page


# --- Across processes: a real worker ---------------------------------------------------


@pytest.fixture
def observed_worker(monkeypatch, request):
    """The worker of tests/test_celery_worker.py, with metrics on and JSON logs."""
    monkeypatch.setenv("METRICS_ENABLED", "true")
    monkeypatch.setenv("METRICS_TOKEN", TOKEN)
    monkeypatch.setenv("LOG_FORMAT", "json")
    return request.getfixturevalue("worker")


@pytest.mark.celery_worker
def test_a_worker_counts_its_tasks_and_logs_their_ids(client, metrics_on, observed_worker):
    cache.clear()
    request_id_var.set("req-from-the-app")
    try:
        result = ping.apply_async(queue=observed_worker.queue)
    finally:
        request_id_var.set(None)
    observed_worker.wait_for(result.ready, "the task's result")

    def counted() -> bool:
        samples = scrape(client)
        return sample(samples, "jalon_celery_task_succeeded_total", task="backend.tasks.ping") >= 1

    observed_worker.wait_for(counted, "the worker's count of the task")
    # Celery's banner is printed, not logged: the log records are the JSON lines.
    log = observed_worker.log.read_text().splitlines()
    lines = [json.loads(line) for line in log if line.startswith("{")]
    of_the_task = [line for line in lines if line.get("task_id") == result.id]
    assert of_the_task, log
    for line in of_the_task:
        assert line["task_name"] == "backend.tasks.ping"
        assert line["request_id"] == "req-from-the-app"  # who queued it


# --- Settings -------------------------------------------------------------------------


def test_metrics_cannot_be_on_without_a_token():
    from tests.test_settings import _manage

    result = _manage("check", METRICS_ENABLED="true", METRICS_TOKEN=None, DATABASE_URL=None)
    assert result.returncode != 0
    assert "METRICS_TOKEN" in result.stderr


def test_gunicorn_workers_add_up_in_multiprocess_mode(tmp_path):
    """Under gunicorn, each scrape reaches one worker, and shows every worker's requests."""
    port = _free_port()
    multiproc = tmp_path / "prometheus"
    multiproc.mkdir()
    (multiproc / "counter_999999.db").write_bytes(b"")  # a previous run's: emptied at start
    env = {
        k: v for k, v in os.environ.items() if k not in {"DJANGO_ENV", "DATABASE_URL", "REDIS_URL"}
    }
    env.update(
        VAR_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="backend.settings",
        METRICS_ENABLED="true",
        METRICS_TOKEN=TOKEN,
        PROMETHEUS_MULTIPROC_DIR=str(multiproc),
    )
    server = subprocess.Popen(  # noqa: S603 - fixed command line
        [
            *(sys.executable, "-m", "gunicorn", "--config", "python:backend.gunicorn_conf"),
            *("--bind", f"127.0.0.1:{port}", "--workers", "2", "backend.wsgi:application"),
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:  # refused until gunicorn listens; then waits for a worker to boot
                urllib.request.urlopen(f"{base}/healthz", timeout=60)  # noqa: S310 - loopback
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("gunicorn did not answer")
        scrape_request = urllib.request.Request(  # noqa: S310 - loopback
            f"{base}/metrics", headers={"Authorization": f"Bearer {TOKEN}"}
        )
        labels = {"view": "healthz", "method": "GET", "status": "200"}

        def healthz_count() -> float:
            text = urllib.request.urlopen(scrape_request, timeout=30).read().decode()  # noqa: S310
            samples = {
                (s.name, tuple(sorted(s.labels.items()))): s.value
                for family in text_string_to_metric_families(text)
                for s in family.samples
            }
            return sample(samples, "jalon_http_requests_total", **labels)

        before = healthz_count()
        for _ in range(9):
            urllib.request.urlopen(f"{base}/healthz", timeout=30)  # noqa: S310 - loopback
        pids = {path.name.split("_")[-1] for path in multiproc.glob("counter_*.db")}
        # Each scrape reaches one worker and adds up every worker's files.
        for _ in range(3):
            assert healthz_count() == before + 9
    finally:
        server.terminate()
        errors = server.communicate(timeout=30)[1].decode()
    assert pids and "999999.db" not in pids, errors
