"""Celery beat's liveness: a heartbeat file that beat touches, and a check that reads it.

Beat has no port and answers no ping, and a beat that hangs (a lost broker connection, a
stuck lock) still runs as a process: nothing would notice that no periodic task goes out
any more. ``HeartbeatScheduler`` touches ``<schedule file>.heartbeat`` at every tick of
beat's loop, which wakes at least every ``CELERY_BEAT_MAX_LOOP_INTERVAL`` seconds; the
health check of docker-compose.yml runs ``python -m backend.beat SCHEDULE_FILE``, which
fails once that file is older than ``--max-age`` seconds::

    celery -A backend beat --scheduler backend.beat:HeartbeatScheduler --schedule FILE
"""

import argparse
import sys
import time
from pathlib import Path

from celery.beat import PersistentScheduler

DEFAULT_MAX_AGE_SECONDS = 180


def heartbeat_path(schedule_filename: str) -> Path:
    """The heartbeat file of the beat whose schedule is ``schedule_filename``."""
    return Path(f"{schedule_filename}.heartbeat")


class HeartbeatScheduler(PersistentScheduler):
    """Celery's persistent scheduler, which also touches its heartbeat file at every tick."""

    def tick(self, *args, **kwargs):
        """Send what is due (Celery's own tick), then record that beat is alive."""
        interval = super().tick(*args, **kwargs)
        heartbeat_path(self.schedule_filename).touch()
        return interval


def heartbeat_age(schedule_filename: str) -> float | None:
    """Seconds since beat's last tick, or ``None`` if it never ticked."""
    try:
        return time.time() - heartbeat_path(schedule_filename).stat().st_mtime
    except FileNotFoundError:
        return None


def main(argv: list[str] | None = None) -> int:
    """The health check: 0 while beat ticks, 1 once its heartbeat is stale or missing."""
    parser = argparse.ArgumentParser(prog="python -m backend.beat", description=__doc__)
    parser.add_argument("schedule", help="beat's --schedule file")
    parser.add_argument("--max-age", type=float, default=DEFAULT_MAX_AGE_SECONDS)
    arguments = parser.parse_args(argv)
    age = heartbeat_age(arguments.schedule)
    if age is None:
        print(f"beat never ticked: no {heartbeat_path(arguments.schedule)}", file=sys.stderr)
        return 1
    if age > arguments.max_age:
        print(f"beat's last tick was {age:.0f} s ago", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
