from celery import shared_task

from .agenda import reminders


@shared_task(bind=True, acks_late=True)
def dispatch_due_reminders(self) -> dict:
    """Send the reminders that are due (beat runs this every REMINDERS_DISPATCH_SECONDS)."""
    stats = reminders.dispatch(worker=self.request.hostname or "")
    return stats.__dict__
