"""The demo's path to autonomy: which demo entries say what to do before each milestone,
and jeune.93's interviews (the one at 17 held, the six-month one scheduled)."""

from datetime import date, timedelta

from django.utils import timezone

from accounts.models import User
from autonomy.models import Interview, Milestone, MilestoneEntry
from services_catalog.models import Entry

from .catalogue import DEMO_SOURCE

# The demo catalogue's entries (by key) of each milestone, in order: the HAS check-lists.
MILESTONE_ENTRIES = {
    Milestone.INTERVIEW_17: ["entretien-autonomie-17-ans", "consulter-dossier-ase"],
    Milestone.MAJORITY: [
        "pecule",
        "accompagnement-jeune-majeur",
        "droit-au-compte",
        "assurance-maladie-carte-vitale",
    ],
    Milestone.RESIDENCE_PERMIT: ["titre-sejour-18-ans", "nationalite-francaise-ase"],
    Milestone.SIX_MONTHS: ["mission-locale", "aides-au-logement-caf"],
    Milestone.RETURN_RIGHT: ["accompagnement-jeune-majeur"],
    Milestone.END_OF_SUPPORT: ["demande-logement-social", "complementaire-sante-solidaire"],
}


def load_demo_autonomy() -> int:
    """Load (again) the milestones' entries and jeune.93's interviews; returns how many
    milestone entries there are. What a référent recorded since is kept."""
    entries = {
        entry.source_id: entry
        for entry in Entry.objects.filter(
            source=DEMO_SOURCE,
            source_id__in={key for keys in MILESTONE_ENTRIES.values() for key in keys},
        )
    }
    count = 0
    for milestone, keys in MILESTONE_ENTRIES.items():
        for position, key in enumerate(keys):
            if key in entries:
                MilestoneEntry.objects.update_or_create(
                    milestone=milestone, entry=entries[key], defaults={"position": position}
                )
                count += 1
    aminata = User.objects.filter(email="jeune.93@demo.jalon.fr").first()
    educator = User.objects.filter(email="referent.93@demo.jalon.fr").first()
    if aminata is not None:
        Interview.objects.get_or_create(
            young_person=aminata,
            kind=Interview.Kind.AT_17,
            defaults={"held_on": date(2024, 3, 5), "recorded_by": educator},
        )
        Interview.objects.get_or_create(
            young_person=aminata,
            kind=Interview.Kind.SIX_MONTHS,
            defaults={
                "requested_at": timezone.now() - timedelta(days=20),
                "scheduled_for": (timezone.localtime() + timedelta(days=10)).replace(
                    hour=14, minute=0, second=0, microsecond=0
                ),
                "recorded_by": educator,
            },
        )
    return count
