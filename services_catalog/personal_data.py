"""The catalogue's part of a young person's data export and erasure.

Found by its name (``backend.personal_data``). Procedures go with the account by
cascade; ``erase`` takes the person's monthly pseudonyms out of the figures' events.
Error reports stay, detached from the account (``reporter`` is set to null): the entry
they are about still needs checking.
"""

from . import services
from .selectors import demarches_for_user, error_reports_for_user

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


def export_error_reports(user) -> list[dict]:
    """Every error report ``user`` sent while signed in. Kept, anonymous, on erasure."""
    return [
        {
            "entry_id": report.entry_id,
            "entry_title": report.entry.title,
            "kind": report.kind,
            "message": report.message,
            "state": report.state,
            "created_at": report.created_at.isoformat(),
            "handled_at": report.handled_at.isoformat() if report.handled_at else None,
        }
        for report in error_reports_for_user(user=user)
    ]


MORE_SECTIONS = {"catalogue_error_reports": export_error_reports}
