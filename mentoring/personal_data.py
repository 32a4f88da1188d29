"""Mentoring's part of a user's data export and erasure (see ``backend.personal_data``)."""

from . import selectors, services

SECTION = "mentoring"


def export(user) -> dict:
    """What mentoring keeps of ``user`` (see ``selectors.personal_data_export``)."""
    return selectors.personal_data_export(user)


def erase(user) -> None:
    """End ``user``'s current matches before the account goes, so the other side is told why."""
    services.mentoring_erase(user)
