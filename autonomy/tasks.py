"""Periodic jobs of the path to autonomy (scheduled in ``CELERY_BEAT_SCHEDULE``); the
milestones themselves are computed on read."""

from celery import shared_task

from . import services


@shared_task
def plan_check_in_reminders() -> int:
    """The monthly "Où en es-tu ?" reminder: at most one a month per young person, to
    those who keep it on; the reminders' dispatcher sends them."""
    return services.check_in_reminders_plan()
