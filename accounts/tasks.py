from celery import shared_task
from django.contrib.sessions.models import Session
from django.utils import timezone


@shared_task
def purge_expired_sessions() -> int:
    """Delete expired sessions, and with them the app's expired session tokens."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted


@shared_task
def archive_last_month_figures() -> int:
    """Keep last month's figures for every département (beat runs it on the 1st)."""
    from accounts.figures.periods import Period
    from accounts.figures.report import archive_month

    computed, _kept = archive_month(Period.last_closed_month().first)
    return computed
