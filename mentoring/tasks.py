from celery import shared_task

from . import services
from .agenda import reminders


@shared_task(bind=True, acks_late=True)
def dispatch_due_reminders(self) -> dict:
    """Send the reminders that are due (beat runs this every REMINDERS_DISPATCH_SECONDS)."""
    stats = reminders.dispatch(worker=self.request.hostname or "")
    return stats.__dict__


@shared_task
def purge_expired_safety_material() -> int:
    """Delete what erased members left for safety reports once its retention is over
    (``SAFETY_REPORT_RETENTION_DAYS``); beat runs it every night."""
    return services.safety_material_purge()
