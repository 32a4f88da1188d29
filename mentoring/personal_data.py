"""Mentoring's part of a user's data export and erasure (see ``backend.personal_data``).

The SMS number (sealed with the person's key), the SMS sent and their daily counts go
with the account by cascade; the département's monthly count stays (it was paid for, and
names nobody).
"""

from . import selectors, services
from .agenda import sms

SECTION = "mentoring"


def export(user) -> dict:
    """What mentoring keeps of ``user`` (see ``selectors.personal_data_export``), with
    their number for SMS and the SMS they were sent."""
    return {**selectors.personal_data_export(user), "sms": sms.export(user)}


def erase(user) -> None:
    """End ``user``'s current matches before the account goes, so the other side is told why."""
    services.mentoring_erase(user)
