"""Referents' part of a user's data export and erasure (see ``backend.personal_data``)."""

from . import selectors, services

SECTION = "referents"


def export(user) -> dict:
    """Links, notes and proposals of a young person; profile and links of a référent."""
    return selectors.personal_data_export(user)


def erase(user) -> None:
    """Invitations addressed to the account's e-mail address go before the account."""
    services.referents_erase(user)
