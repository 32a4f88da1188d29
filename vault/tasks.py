from celery import shared_task

from . import services


@shared_task
def clean_up_pending_blobs() -> int:
    """Delete blobs that a crash left without their document row."""
    return services.pending_blobs_clean_up()
