"""Accounts' part of a user's data export: the days they used the app.

The account and the profile open the export (``selectors.personal_data_export``).
Erasure needs no ``erase``: activity days go with the account by cascade.
"""

from . import selectors

SECTION = "activity_days"


def export(user) -> list[str]:
    """The days ``user`` used the app, oldest first."""
    return selectors.activity_days_export(user)
