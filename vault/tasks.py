import logging

from celery import shared_task
from django.conf import settings

from backend.crypto.keyring import keyring_advice

from . import services

logger = logging.getLogger(__name__)


@shared_task
def clean_up_pending_blobs() -> int:
    """Delete blobs that a crash left without their document row."""
    return services.pending_blobs_clean_up()


@shared_task
def check_master_keys() -> int:
    """Log what the master keyring needs (a rotation, a re-wrap, a retirement); how many."""
    advice = keyring_advice(rotation_days=settings.VAULT_MASTER_KEY_ROTATION_DAYS)
    for level, message in advice:
        logger.log(level, message)
    return len(advice)
