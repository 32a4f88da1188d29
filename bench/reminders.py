"""Reminder dispatch by real Celery workers on PostgreSQL + Redis: rate and duplicates.

50,000 due reminders (appointment reminders of 500 young people, each with a phone and
both push and e-mail on, the profile's defaults) are sent by the real task,
``mentoring.tasks.dispatch_due_reminders``, run by real Celery workers (separate
processes, ``--pool=solo``) on the local Redis broker, as beat and retries would: twice
as many task runs as workers are queued at once. The clock starts when the first task
is sent and stops when the database shows every reminder ``sent`` (polled every 0.2 s).
One run with 2 workers, one with 4 (the state reset in between).

A run may take twice the time the target allows (100 s for 50,000; ``--deadline``): a
run still going then has missed the target whatever comes next. The rate is what was
sent by then; the reminders no worker has claimed yet are withdrawn (cancelled, as if
their appointments had been), the workers finish the batches they hold, and everything
dispatched is checked. ``--deadline 0`` waits for all 50,000 instead; a task run may
then outlast ``reminders.STALE_CLAIM`` (10 minutes), and the checks cover that too.

Push goes to the ``recording`` backend (a ``RecordedSend`` row per idempotency key,
``calls`` counting every attempt), e-mail to Django's dummy backend (``dummymail://``):
both providers are outside the machine and not part of the figure, except for the
recording backend's own queries, which are counted apart below.

Prints, for each run: reminders per second, duplicates (push calls beyond the first per
key, e-mail deliveries attempted more than once, delivery rows beyond one per reminder
and channel, notifications beyond one per reminder) and lost reminders (dispatched but
not ``sent`` at the end; channels and notifications missing are shown too). Then, in
this process, what explains the figure: the statements and transactions of one dispatch
of 100 reminders, by table; the round trip of one query and of one committed write; an
in-process ``reminders.dispatch`` of 1,000 reminders; and two floors: the same rows
written set-wise per claimed batch of 500 (the app's claim and words, bench code for
the rest; 10,000 reminders), and one plain UPDATE setting ``state = 'sent'`` on all rows.

Targets: >= 1,000 reminders/s, 0 duplicates, 0 lost. Figures are reported, not asserted:
the exit status is 0 either way.

It works in its own database, ``jalon_bench_reminders`` on the PostgreSQL server at
127.0.0.1:5432 (user ``postgres``; dropped and created at the start, dropped at the end)
and Redis databases 9 (broker and results) and 10 (cache) at 127.0.0.1:6379, flushed at
the start and at the end; whatever DATABASE_URL or REDIS_URL say. About 5 minutes. Run:

    .venv/bin/python bench/reminders.py [--reminders 50000] [--workers 2,4] [--deadline S]
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

POSTGRES = "postgres://postgres@127.0.0.1:5432"
DATABASE = "jalon_bench_reminders"
REDIS_URL = "redis://127.0.0.1:6379/9"
REDIS_CACHE_URL = "redis://127.0.0.1:6379/10"
WORK_DIR = Path(tempfile.mkdtemp(prefix="jalon-bench-reminders-"))
# The same environment for this process and the workers.
os.environ["DJANGO_SETTINGS_MODULE"] = "backend.settings"
os.environ["DJANGO_ENV"] = "development"
os.environ["DEBUG"] = "false"  # as deployed: no query log kept by the workers
os.environ["VAR_DIR"] = str(WORK_DIR)
os.environ["DATABASE_URL"] = f"{POSTGRES}/{DATABASE}"
os.environ["REDIS_URL"] = REDIS_URL
os.environ["REDIS_CACHE_URL"] = REDIS_CACHE_URL
os.environ["EMAIL_URL"] = "dummymail://"
os.environ["PUSH_BACKEND"] = "recording"
os.environ["LOG_LEVEL"] = "WARNING"

import django  # noqa: E402
from throwaway import drop_database, flush_redis, recreate_database  # noqa: E402

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, connections, transaction  # noqa: E402
from django.db.models import Count, F, Q, Sum  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User, YoungPersonProfile  # noqa: E402
from accounts.roles import Role  # noqa: E402
from backend.tasks import ping  # noqa: E402
from mentoring.agenda import channels, reminders  # noqa: E402
from mentoring.models import (  # noqa: E402
    Appointment,
    Device,
    Notification,
    RecordedSend,
    Reminder,
    ReminderDelivery,
)
from mentoring.tasks import dispatch_due_reminders  # noqa: E402

YOUNG_PEOPLE = 500
TARGET_RATE = 1_000
CAPTURED = 100  # reminders of the in-process dispatch whose queries are counted
IN_PROCESS = 1_000  # reminders of the timed in-process dispatch
FLOOR = 10_000  # reminders of the set-wise floor
State = Reminder.State


# --- Isolated database and Redis -----------------------------------------------------------


# --- Data ------------------------------------------------------------------------------------


def populate(total: int) -> list:
    """``total`` due reminders, spread over ``YOUNG_PEOPLE``; returns their due times in order.

    Reminder ``i`` is due at ``base + i`` seconds (all in the past), so that a dispatch
    at ``now = due[k]`` takes exactly the first ``k + 1`` of them.
    """
    password = make_password(None)
    users = User.objects.bulk_create(
        [
            User(
                email=f"bench.young.{number}@example.org",
                first_name=f"Jeune {number}",
                role=Role.YOUNG_PERSON,
                password=password,
            )
            for number in range(YOUNG_PEOPLE)
        ]
    )
    YoungPersonProfile.objects.bulk_create([YoungPersonProfile(user=user) for user in users])
    Device.objects.bulk_create(
        [
            Device(user=user, platform=Device.Platform.ANDROID, token=f"bench-{uuid.uuid4().hex}")
            for user in users
        ]
    )
    base = timezone.now() - timedelta(days=1)
    due = [base + timedelta(seconds=number) for number in range(total)]
    step = 5_000
    for start in range(0, total, step):
        numbers = range(start, min(start + step, total))
        # No title or place: they are sealed with the owner's key, and the reminders'
        # texts never read them (they are discreet).
        appointments = Appointment.objects.bulk_create(
            [
                Appointment(
                    owner=users[number % YOUNG_PEOPLE],
                    starts_at=due[number] + timedelta(minutes=60),
                    reminder_offsets=[60],
                )
                for number in numbers
            ]
        )
        Reminder.objects.bulk_create(
            [
                Reminder(
                    user_id=appointment.owner_id,
                    kind=Reminder.Kind.APPOINTMENT,
                    appointment=appointment,
                    offset_minutes=60,
                    due_at=due[number],
                )
                for number, appointment in zip(numbers, appointments, strict=True)
            ]
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return due


def reset() -> None:
    """Every reminder pending again, nothing delivered: as right after ``populate``."""
    tables = [model._meta.db_table for model in (ReminderDelivery, Notification, RecordedSend)]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)}")
        cursor.execute(
            f"UPDATE {Reminder._meta.db_table} SET state = %s, attempts = 0, claimed_at = NULL,"  # noqa: S608 - table name from the model
            " claimed_by = '', sent_at = NULL, next_attempt_at = NULL, last_error = ''",
            [State.PENDING],
        )
        cursor.execute(f"VACUUM FULL ANALYZE {Reminder._meta.db_table}")
        cursor.execute("VACUUM ANALYZE")


# --- Real workers ----------------------------------------------------------------------------


@dataclass
class Worker:
    name: str
    process: subprocess.Popen
    log: Path


def start_workers(count: int, queue: str) -> list[Worker]:
    """``count`` workers on ``queue``, each also on a queue of its own (for its ping)."""
    workers = []
    for number in range(1, count + 1):
        name = f"{queue}-{number}"
        log_path = WORK_DIR / f"{name}.log"
        with log_path.open("w") as log:
            process = subprocess.Popen(  # noqa: S603 - fixed command line
                [
                    *(sys.executable, "-m", "celery", "-A", "backend", "worker"),
                    *("--pool=solo", "--loglevel=WARNING", "--queues", f"{queue},{name}"),
                    *("--hostname", f"{name}@bench", "--without-gossip", "--without-mingle"),
                ],
                cwd=BASE_DIR,
                env=dict(os.environ),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        workers.append(Worker(name=name, process=process, log=log_path))
    deadline = time.monotonic() + 60
    try:
        for worker in workers:  # a round trip through each worker: it consumes, Redis answers
            result = ping.apply_async(queue=worker.name)
            while not result.ready():
                if worker.process.poll() is not None or time.monotonic() > deadline:
                    log = worker.log.read_text(errors="replace")
                    raise RuntimeError(f"worker {worker.name} not ready:\n{log}")
                time.sleep(0.1)
            if result.get(timeout=5) != "pong":
                raise RuntimeError(f"worker {worker.name} answered {result.result!r}")
    except BaseException:
        stop_workers(workers)
        raise
    return workers


def stop_workers(workers: list[Worker]) -> None:
    for worker in workers:
        if worker.process.poll() is None:
            worker.process.terminate()
    for worker in workers:
        try:
            worker.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.process.kill()
            worker.process.wait()


def worker_trouble(workers: list[Worker]) -> str:
    """The lines of the workers' logs that tell of a problem."""
    lines = []
    for worker in workers:
        for line in worker.log.read_text(errors="replace").splitlines():
            if re.search(r"ERROR|CRITICAL|Traceback|WARNING", line):
                lines.append(f"  {worker.name}: {line[:200]}")
    return "\n".join(lines[:20])


@dataclass
class Run:
    workers: int
    total: int
    seconds: float  # from the first task sent to all sent, or to the deadline
    measured: int  # reminders sent in ``seconds``
    withdrawn: int  # not yet claimed at the deadline: withdrawn, not dispatched
    samples: list[tuple[float, int]]
    tally: dict
    per_worker: dict
    trouble: str

    @property
    def rate(self) -> float:
        return self.measured / self.seconds

    def steady_rate(self) -> float | None:
        """Reminders per second from 10 % to 90 % of the measured time (no start, no tail)."""
        low = next((s for s in self.samples if s[0] >= self.seconds * 0.1), None)
        high = next((s for s in self.samples if s[0] >= self.seconds * 0.9), None)
        if low is None or high is None or high[0] <= low[0]:
            return None
        return (high[1] - low[1]) / (high[0] - low[0])


def tally(expected: int) -> dict:
    """Sent, lost and duplicated, from the database; ``expected`` reminders should be sent."""
    recorded = RecordedSend.objects.aggregate(
        rows=Count("id"), extra=Sum(F("calls") - 1), keys_twice=Count("id", filter=Q(calls__gt=1))
    )
    deliveries = ReminderDelivery.objects.aggregate(
        rows=Count("id"),
        sent=Count("id", filter=Q(state=ReminderDelivery.State.SENT)),
        email_extra=Sum(F("attempts") - 1, filter=Q(channel="email", attempts__gt=1)),
    )
    pairs = ReminderDelivery.objects.values("reminder_id", "channel").distinct().count()
    notifications = Notification.objects.count()
    notified = Notification.objects.values("reminder_id").distinct().count()
    sent = Reminder.objects.filter(state=State.SENT).count()
    figures = {
        "sent": sent,
        "lost": expected - sent,
        "push_missing": expected - recorded["rows"],
        "deliveries_missing": 2 * expected - deliveries["sent"],
        "notifications_missing": expected - notified,
        "push_extra_calls": recorded["extra"] or 0,
        "push_keys_twice": recorded["keys_twice"],
        "email_extra_attempts": deliveries["email_extra"] or 0,
        "delivery_rows_extra": deliveries["rows"] - pairs,
        "notifications_extra": notifications - notified,
        "reclaimed": Reminder.objects.filter(attempts__gt=1).count(),
    }
    figures["duplicates"] = (
        figures["push_extra_calls"]
        + figures["email_extra_attempts"]
        + figures["delivery_rows_extra"]
        + figures["notifications_extra"]
    )
    return figures


def run_workers(count: int, total: int, deadline: float) -> Run:
    """Dispatch by ``count`` workers until all are sent or ``deadline`` seconds have passed.

    At the deadline, the reminders no worker has claimed yet are withdrawn (cancelled,
    as if their appointments had been): the workers finish the batches they hold and
    their task runs end, so what was dispatched can be checked whole.
    """
    queue = f"bench-reminders-{uuid.uuid4().hex[:8]}"
    workers = start_workers(count, queue)
    withdrawn = 0
    try:
        samples = []
        start = time.perf_counter()
        for _ in range(2 * count):  # as beat and retries would: more runs than workers
            dispatch_due_reminders.apply_async(queue=queue)
        while True:
            sent = Reminder.objects.filter(state=State.SENT).count()
            now = time.perf_counter() - start
            samples.append((now, sent))
            if sent >= total:
                break
            if any(worker.process.poll() is not None for worker in workers):
                break
            if deadline and now >= deadline:
                withdrawn = Reminder.objects.filter(state=State.PENDING).update(
                    state=State.CANCELLED, last_error="withdrawn by the benchmark"
                )
                finish_by = time.monotonic() + 120
                while Reminder.objects.filter(state=State.SENDING).exists():
                    if time.monotonic() > finish_by:
                        break
                    time.sleep(0.2)
                break
            time.sleep(0.2)
        time.sleep(1)  # the task runs still queued find nothing left: let them end
    finally:
        stop_workers(workers)
    seconds, measured = samples[-1]
    claimed = Reminder.objects.exclude(claimed_by="").values_list("claimed_by")
    per_worker = {
        name.split("@")[0].rsplit("-", 1)[-1]: n
        for name, n in sorted(claimed.annotate(n=Count("id")).values_list("claimed_by", "n"))
    }
    return Run(
        workers=count,
        total=total,
        seconds=seconds,
        measured=measured,
        withdrawn=withdrawn,
        samples=samples,
        tally=tally(total - withdrawn),
        per_worker=per_worker,
        trouble=worker_trouble(workers),
    )


# --- In this process: where the time goes ----------------------------------------------------


@dataclass
class QueryLog:
    """Every statement (and whether inside ``atomic``) and every commit of ``atomic``."""

    statements: list[tuple[str, bool]] = field(default_factory=list)
    commits: int = 0

    def __call__(self, execute, sql, params, many, context):
        self.statements.append((sql, context["connection"].in_atomic_block))
        return execute(sql, params, many, context)

    def transactions(self) -> int:
        """Statements in autocommit are a transaction each; an ``atomic`` block is one."""
        return sum(1 for _sql, atomic in self.statements if not atomic) + self.commits


def logged(action) -> QueryLog:
    log = QueryLog()
    wrapper = connections["default"]
    real_commit = wrapper.commit

    def commit():
        log.commits += 1
        real_commit()

    wrapper.commit = commit
    try:
        with wrapper.execute_wrapper(log):
            action()
    finally:
        del wrapper.commit
    return log


TABLE = re.compile(r'(?:FROM|INTO|UPDATE)\s+"(\w+)"')


def describe(statement: str) -> str:
    verb = statement.split(None, 1)[0].upper()
    match = TABLE.search(statement)
    return f"{verb} {match.group(1) if match else ''}".strip()


def round_trips() -> tuple[float, float]:
    """Milliseconds for one ``SELECT 1``, and for one single-row UPDATE committed alone."""
    rounds = 1000
    ids = list(Reminder.objects.values_list("id", flat=True)[:rounds])
    with connection.cursor() as cursor:
        start = time.perf_counter()
        for _ in range(rounds):
            cursor.execute("SELECT 1")
        select = (time.perf_counter() - start) / rounds
        table = Reminder._meta.db_table
        start = time.perf_counter()
        for pk in ids:
            cursor.execute(f"UPDATE {table} SET last_error = '' WHERE id = %s", [pk])  # noqa: S608
        update = (time.perf_counter() - start) / len(ids)
    return select * 1000, update * 1000


def set_wise_floor(now) -> tuple[int, float]:
    """The rows a dispatch writes, written set-wise per claimed batch (bench code).

    The same claim as the app's, the same words, then per batch of ``reminders.BATCH``:
    the push and e-mail delivery rows, the recording backend's rows, the notifications
    and the reminders' new state, each in one statement, in one transaction. The e-mail
    goes, one by one, to the dummy backend as in the app. Returns (reminders, seconds).
    """
    email = channels.email_backend()
    done = 0
    start = time.perf_counter()
    while ids := reminders._claim(now, "floor", reminders.BATCH):
        batch = list(
            Reminder.objects.filter(id__in=ids)
            .select_related("user", "user__profile", "appointment")
            .order_by("due_at", "id")
        )
        tokens = dict(
            Device.objects.filter(user_id__in={r.user_id for r in batch}).values_list(
                "user_id", "token"
            )
        )
        deliveries, recorded, notifications = [], [], []
        for reminder in batch:
            message = reminders._compose(reminder)
            for channel in ("push", "email"):
                key = f"{message.idempotency_key}-{channel}"
                deliveries.append(
                    ReminderDelivery(
                        reminder=reminder,
                        channel=channel,
                        idempotency_key=key,
                        state=ReminderDelivery.State.SENT,
                        attempts=1,
                        sent_at=now,
                    )
                )
            recorded.append(
                RecordedSend(
                    channel="push",
                    idempotency_key=f"{message.idempotency_key}-push",
                    recipient=tokens.get(reminder.user_id, ""),
                    title=message.title,
                    kind=message.kind,
                    target_id=message.target_id,
                )
            )
            email.send(
                reminder.user,
                replace(message, idempotency_key=f"{message.idempotency_key}-email"),
            )
            notifications.append(
                Notification(
                    user_id=reminder.user_id,
                    reminder=reminder,
                    title=message.title,
                    body=message.body,
                )
            )
        with transaction.atomic():
            ReminderDelivery.objects.bulk_create(deliveries)
            RecordedSend.objects.bulk_create(recorded)
            Notification.objects.bulk_create(notifications)
            Reminder.objects.filter(id__in=ids).update(state=State.SENT, sent_at=now)
        done += len(batch)
    return done, time.perf_counter() - start


@dataclass
class Explained:
    queries: int
    transactions: int
    by_kind: Counter
    select_ms: float
    commit_ms: float
    in_process_rate: float
    floor_count: int
    floor_rate: float
    update_count: int
    update_rate: float


def explain(due: list, total: int) -> Explained:
    reset()
    reminders.dispatch(now=due[19])  # warm-up: translations, first connection, caches
    log = logged(lambda: reminders.dispatch(now=due[19 + CAPTURED]))
    sent = Reminder.objects.filter(state=State.SENT).count()
    if sent != 20 + CAPTURED:
        raise RuntimeError(f"the captured dispatch sent {sent - 20} reminders, not {CAPTURED}")
    select_ms, commit_ms = round_trips()
    last = min(20 + CAPTURED + IN_PROCESS, total) - 1
    start = time.perf_counter()
    stats = reminders.dispatch(now=due[last])
    in_process_rate = stats.sent / (time.perf_counter() - start)
    floor_until = due[min(last + FLOOR, total - 1)]
    floor_count, floor_seconds = set_wise_floor(floor_until)
    dispatched = Reminder.objects.filter(due_at__lte=floor_until).count()
    figures = tally(dispatched)
    if figures["duplicates"] or figures["lost"]:
        raise RuntimeError(f"the in-process runs did not send each reminder once: {figures}")
    with connection.cursor() as cursor:  # the floor of floors: one statement for all
        start = time.perf_counter()
        cursor.execute(
            f"UPDATE {Reminder._meta.db_table} SET state = %s, sent_at = now()",  # noqa: S608
            [State.SENT],
        )
        updated = cursor.rowcount
        update_seconds = time.perf_counter() - start
    return Explained(
        queries=len(log.statements),
        transactions=log.transactions(),
        by_kind=Counter(describe(sql) for sql, _atomic in log.statements),
        select_ms=select_ms,
        commit_ms=commit_ms,
        in_process_rate=in_process_rate,
        floor_count=floor_count,
        floor_rate=floor_count / floor_seconds,
        update_count=updated,
        update_rate=updated / update_seconds,
    )


# --- Report ---------------------------------------------------------------------------------


def report(total: int, runs: list[Run], explained: Explained, seconds: float) -> None:
    print(
        f"{total:,} due reminders of {YOUNG_PEOPLE} young people (push + e-mail each), "
        "sent by real Celery workers (--pool=solo) on PostgreSQL + Redis, "
        f"{os.cpu_count()} CPUs"
    )
    print(
        f"{'workers':>7} {'sent':>7} {'seconds':>8} {'rem/s':>7} {'steady':>7} {'dupl.':>6}"
        f" {'lost':>5} {'reclaimed':>9}  claimed per worker"
    )
    for run in runs:
        steady = run.steady_rate()
        split = ", ".join(f"#{name}: {n}" for name, n in run.per_worker.items())
        print(
            f"{run.workers:>7} {run.measured:>7} {run.seconds:8.1f} {run.rate:7.0f}"
            f" {steady if steady is not None else float('nan'):7.0f}"
            f" {run.tally['duplicates']:>6} {run.tally['lost']:>5}"
            f" {run.tally['reclaimed']:>9}  {split}"
        )
    print(
        "  rem/s: sent / seconds from the first task sent; steady: from 10 % to 90 % of "
        "those seconds; reclaimed: reminders claimed more than once"
    )
    for run in runs:
        t = run.tally
        if run.withdrawn:
            print(
                f"  {run.workers} workers: deadline reached with {run.measured:,} of"
                f" {total:,} sent ({total / run.rate:.0f} s for all at this rate);"
                f" {run.withdrawn:,} not yet claimed were withdrawn, the"
                f" {total - run.withdrawn - run.measured:,} claimed were finished: the"
                f" {total - run.withdrawn:,} dispatched are checked"
            )
        print(
            f"  {run.workers} workers: duplicates = push calls beyond the first "
            f"{t['push_extra_calls']} (keys {t['push_keys_twice']}) + e-mail attempts beyond "
            f"the first {t['email_extra_attempts']} + delivery rows beyond one per channel "
            f"{t['delivery_rows_extra']} + notifications beyond one {t['notifications_extra']};"
            f" lost = not sent {t['lost']} (push keys missing {t['push_missing']}, deliveries "
            f"missing {t['deliveries_missing']}, notifications missing "
            f"{t['notifications_missing']})"
        )
        if run.trouble:
            print(f"  {run.workers} workers, the workers' logs say:\n{run.trouble}")
    e = explained
    push = sum(n for kind, n in e.by_kind.items() if "device" in kind or "recordedsend" in kind)
    print()
    print(
        f"Database work of one in-process dispatch of {CAPTURED} reminders: {e.queries}"
        f" statements ({e.queries / CAPTURED:.1f} per reminder, of which"
        f" {push / CAPTURED:.1f} by the recording push backend) in {e.transactions}"
        f" transactions ({e.transactions / CAPTURED:.1f} per reminder, each a commit)"
    )
    for kind, n in e.by_kind.most_common():
        print(f"  {n / CAPTURED:5.2f} per reminder  {kind}")
    print(
        f"  one SELECT 1: {e.select_ms:.3f} ms; one single-row UPDATE committed alone: "
        f"{e.commit_ms:.3f} ms"
    )
    print()
    print("In this process (one connection), same machine, same rows:")
    print(
        f"  reminders.dispatch of {IN_PROCESS:,} reminders: {e.in_process_rate:9.0f} reminders/s"
        f" ({1000 / e.in_process_rate:.1f} ms each)"
    )
    print(
        f"  set-wise floor, {e.floor_count:,} reminders (same claim, words and rows, written"
        f" per claimed batch of {reminders.BATCH}): {e.floor_rate:9.0f} reminders/s"
    )
    print(
        f"  one plain UPDATE of state to 'sent' for {e.update_count:,} rows:"
        f" {e.update_rate:9.0f} rows/s"
    )
    if runs:
        best = max(runs, key=lambda r: r.rate)
        print(
            f"  the best worker run ({best.workers} workers, {best.rate:.0f}/s) is"
            f" {best.rate / e.floor_rate:.3f} of the set-wise floor (one connection) and"
            f" {best.rate / e.update_rate:.4f} of the plain UPDATE"
        )
    print()
    for run in runs:
        print(
            f"{run.workers} workers: target >= {TARGET_RATE:,} reminders/s "
            f"{'met' if run.rate >= TARGET_RATE else 'MISSED'} ({run.rate:.0f}/s); "
            f"0 duplicates {'met' if run.tally['duplicates'] == 0 else 'MISSED'} "
            f"({run.tally['duplicates']}); 0 lost "
            f"{'met' if run.tally['lost'] == 0 else 'MISSED'} ({run.tally['lost']}"
            f"{f' of {run.total - run.withdrawn:,} dispatched' if run.withdrawn else ''})"
        )
    print(f"({seconds:.0f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--reminders", type=int, default=50_000, help="due reminders")
    parser.add_argument("--workers", default="2,4", help="worker counts, one run each")
    parser.add_argument(
        "--deadline",
        type=float,
        default=None,
        help="seconds a run may take (default: twice what the target allows; 0: no limit)",
    )
    options = parser.parse_args()
    total = options.reminders
    if total < 20 + CAPTURED + IN_PROCESS:
        sys.exit(f"--reminders must be at least {20 + CAPTURED + IN_PROCESS}")
    deadline = 2 * total / TARGET_RATE if options.deadline is None else options.deadline
    started = time.perf_counter()
    recreate_database(POSTGRES, DATABASE)
    flush_redis(REDIS_URL, REDIS_CACHE_URL)
    try:
        call_command("migrate", verbosity=0)
        due = populate(total)
        print(f"(set-up: {time.perf_counter() - started:.0f} s)", flush=True)
        runs = []
        for count in (int(n) for n in options.workers.split(",")):
            reset()
            runs.append(run_workers(count, total, deadline))
            print(f"({count} workers: {runs[-1].rate:.0f} reminders/s)", flush=True)
        explained = explain(due, total)
        report(total, runs, explained, time.perf_counter() - started)
    finally:
        drop_database(POSTGRES, DATABASE)
        flush_redis(REDIS_URL, REDIS_CACHE_URL)
        shutil.rmtree(WORK_DIR, ignore_errors=True)


if __name__ == "__main__":
    main()
