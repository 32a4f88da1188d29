from celery import shared_task

from . import services


@shared_task
def archive_expired_entries() -> int:
    """Daily: entries past their validity leave the app (and its offline copies)."""
    return services.entries_archive_expired()


@shared_task
def touch_newly_valid_entries() -> int:
    """Hourly: entries whose validity starts today reach the app's offline copies."""
    return services.entries_touch_newly_valid()


@shared_task
def touch_closure_notices() -> int:
    """Hourly: entries whose closure comes into notice or ended reach the offline copies."""
    return services.entries_touch_closure_notices()
