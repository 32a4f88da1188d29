"""Periodic jobs of referents (scheduled in ``CELERY_BEAT_SCHEDULE``)."""

from celery import shared_task

from . import services


@shared_task
def end_links_past_end_date() -> int:
    """Write down the end of links whose end date has passed (reads already hide them)."""
    return services.links_end_past_end_date()


@shared_task
def ask_adult_confirmation() -> int:
    """At 18, ask young people to confirm the links they made as minors (once each)."""
    return services.links_ask_adult_confirmation()
