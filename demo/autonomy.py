"""The demo's path to autonomy: which demo entries say what to do before each milestone,
and jeune.93's interviews, recorded by Léa through the services as a référent would (the
one at 17 held; the six-month one asked for by Aminata and scheduled, an appointment)."""

from datetime import date, timedelta

from django.utils import timezone

from accounts.models import User
from autonomy import services
from autonomy.models import Interview, Milestone, MilestoneEntry
from referents import selectors as referents_selectors
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
    link = (
        referents_selectors.active_links().filter(young_person=aminata, referent=educator).first()
        if aminata and educator
        else None
    )
    if link is not None:
        interviews = {interview.kind: interview for interview in aminata.interviews.all()}
        if Interview.Kind.AT_17 not in interviews:
            services.interview_record_held(
                link=link, kind=Interview.Kind.AT_17, held_on=date(2024, 3, 5)
            )
        if Interview.Kind.SIX_MONTHS not in interviews:
            services.six_months_interview_request(user=aminata)
            day = timezone.localtime() + timedelta(days=10)
            while day.weekday() >= 5:  # the ASE service receives on weekdays
                day += timedelta(days=1)
            services.interview_schedule(
                link=link,
                kind=Interview.Kind.SIX_MONTHS,
                starts_at=day.replace(hour=14, minute=0, second=0, microsecond=0),
                place="Service de l'ASE, Bobigny",
            )
    return count
