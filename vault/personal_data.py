"""The vault's part of a user's data export and erasure (see ``backend.personal_data``)."""

from . import selectors, services

SECTION = "vault"


def export(user) -> dict:
    """What the vault keeps of ``user``, and where to get the files."""
    return selectors.personal_data_export(user)


def erase(user) -> None:
    """Shred ``user``'s keys and files before the account goes."""
    services.vault_erase(user)
