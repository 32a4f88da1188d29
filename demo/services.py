"""Loading the whole demo, part after part, in the order the parts rely on each other."""

from collections import Counter
from dataclasses import dataclass
from datetime import date

from accounts.models import User

from .accounts import load_demo_accounts
from .activity import load_demo_activity
from .autonomy import load_demo_autonomy
from .catalogue import load_demo_catalogue
from .mentoring import load_demo_mentoring
from .referents import load_demo_referents
from .vault import load_demo_vault


@dataclass(frozen=True)
class DemoLoaded:
    """What one load made or brought back, part by part."""

    accounts: list[User]
    catalogue: Counter
    documents: int
    mentor_applications: int
    referents: int
    milestone_entries: int
    activity: Counter


def load_demo(*, today: date | None = None) -> DemoLoaded:
    """Create the demo, or bring it back to its defined state in place. Idempotent.

    The accounts come first (the others are about them), then the catalogue (the
    activity reads and saves its entries), the vault, the mentors, and the activity
    (its mentors are approved by the 93 coordinator).
    """
    accounts = load_demo_accounts()
    catalogue = load_demo_catalogue()
    documents = load_demo_vault()
    mentor_applications = load_demo_mentoring()
    referents = load_demo_referents()
    milestone_entries = load_demo_autonomy()
    activity = load_demo_activity(today)
    return DemoLoaded(
        accounts, catalogue, documents, mentor_applications, referents, milestone_entries, activity
    )
