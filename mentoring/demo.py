"""Demo mentors (local use only): one approved in 93, one waiting for vetting in 75."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import Departement, User

from . import services

DEMO_MENTORS = {
    "mentor.93@demo.jalon.fr": {
        "departement": "93",
        "organisation": "Association de parrainage (démo)",
        "domains": ["housing", "job_training", "admin_procedures"],
        "languages": ["fr", "ar", "en"],
        "commune_code": "93008",
        "latitude": Decimal("48.91"),
        "longitude": Decimal("2.45"),
        "max_distance_km": 15,
        "meeting_mode": "both",
        "availability": ["wed_evening", "sat_morning", "sat_afternoon"],
        "capacity": 2,
        "approved": True,
    },
    "mentor.75@demo.jalon.fr": {
        "departement": "75",
        "organisation": "Entreprise partenaire (démo)",
        "domains": ["studies", "budget_bank"],
        "languages": ["fr", "en"],
        "commune_code": "75119",
        "latitude": Decimal("48.88"),
        "longitude": Decimal("2.38"),
        "max_distance_km": 10,
        "meeting_mode": "remote",
        "availability": ["tue_evening", "thu_evening"],
        "capacity": 1,
        "approved": False,
    },
}


def load_demo_mentoring() -> int:
    """Give the demo mentors their application; returns how many were (re)made."""
    made = 0
    coordinator = User.objects.filter(email="coordination.93@demo.jalon.fr").first()
    for email, spec in DEMO_MENTORS.items():
        user = User.objects.filter(email=email).first()
        if user is None:
            continue
        data = {**spec}
        approved = data.pop("approved")
        data["departement"] = Departement.objects.get(code=data["departement"])
        profile = services.mentor_apply(user=user, data=data)
        if approved and profile.status != profile.Status.APPROVED:
            services.mentor_decide(
                profile=profile,
                status=profile.Status.APPROVED,
                by=coordinator,
                honourability_checked_on=timezone.localdate() - timedelta(days=30),
            )
        made += 1
    return made
