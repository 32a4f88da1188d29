"""The catalogue's part of a young person's data export and erasure.

Found by its name (``backend.personal_data``). Procedures go with the account by
cascade; ``erase`` takes the person's monthly pseudonyms out of the figures' events.
"""

from . import services
from .selectors import demarches_for_user

SECTION = "demarches"


def export(user) -> list[dict]:
    """Every procedure of ``user``, with the steps they ticked. Erased with the account."""
    return [
        {
            "entry_id": demarche.entry_id,
            "entry_title": demarche.entry.title,
            "status": demarche.status,
            "completed_steps": [step.text for step in demarche.completed_steps.all()],
            "created_at": demarche.created_at.isoformat(),
            "updated_at": demarche.updated_at.isoformat(),
            "closed_at": demarche.closed_at.isoformat() if demarche.closed_at else None,
        }
        for demarche in demarches_for_user(user=user)
    ]


def erase(user) -> None:
    """Replace ``user``'s pseudonyms in the searches and readings not yet forgotten."""
    services.visitor_pseudonyms_erase(user_id=user.pk)
