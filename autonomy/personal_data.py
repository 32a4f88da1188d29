"""The path to autonomy's part of a user's data export and erasure (``backend.personal_data``)."""

from .models import Interview

SECTION = "autonomy"


def export(user) -> dict:
    """The young person's interviews: asked for, scheduled, held."""
    return {
        "interviews": [
            {
                "kind": interview.kind,
                "requested_at": interview.requested_at.isoformat()
                if interview.requested_at
                else None,
                "scheduled_for": interview.scheduled_for.isoformat()
                if interview.scheduled_for
                else None,
                "held_on": interview.held_on.isoformat() if interview.held_on else None,
            }
            for interview in Interview.objects.filter(young_person=user).order_by("kind")
        ]
    }


# No ``erase``: a young person's interviews cascade with the account, and a référent who
# recorded one leaves it as it was (``recorded_by`` is set to null).
