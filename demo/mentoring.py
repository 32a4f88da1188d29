"""Demo mentors (local use only): one approved in 93, one waiting for vetting in 75.

Loading again updates in place: the applications' fields are set again (a decision a
developer made on ``mentor.75`` stays); the pair of ``jeune.93`` and ``mentor.93`` is made
once, with its messages, and then left as the developer leaves it; only a meeting and an
appointment to come are added again once the previous ones are over.
"""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import Departement, User
from mentoring import agenda, conversations, services
from mentoring.models import Appointment, Match, Meeting, MentorProfile

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


APPOINTMENT_TITLE = "Mission locale de Bobigny"


def _demo_pair(mentor: User) -> None:
    """Aminata (93) paired with the 93 mentor: a few messages, a meeting, an appointment."""
    young = User.objects.filter(email="jeune.93@demo.jalon.fr").first()
    if young is None:
        return
    if not Match.objects.filter(young_person=young).exists():
        _pair_make(young, mentor)
    match = Match.objects.filter(
        young_person=young, mentor=mentor, status=Match.Status.ACTIVE
    ).first()
    now = timezone.localtime()
    upcoming = [Meeting.Status.PROPOSED, Meeting.Status.ACCEPTED]
    if (
        match is not None
        and not match.meetings.filter(starts_at__gte=now, status__in=upcoming).exists()
    ):
        soon = now + timedelta(days=6)
        meeting = agenda.meeting_propose(
            match=match,
            by=mentor,
            data={
                "starts_at": soon.replace(hour=18, minute=30, second=0, microsecond=0),
                "place": "Médiathèque de Bobigny",
            },
        )
        agenda.meeting_answer(meeting=meeting, by=young, accept=True)
    upcoming_titles = {  # sealed: compared once opened, not by the database
        appointment.title
        for appointment in Appointment.objects.filter(owner=young, starts_at__gte=now)
    }
    if APPOINTMENT_TITLE not in upcoming_titles:
        office_day = now + timedelta(days=3)
        while office_day.weekday() >= 5:  # a mission locale receives on weekdays
            office_day += timedelta(days=1)
        agenda.appointment_save(
            owner=young,
            data={
                "title": APPOINTMENT_TITLE,
                "starts_at": office_day.replace(hour=10, minute=0, second=0, microsecond=0),
                "place": "Mission locale, Bobigny",
                "notes": "Apporter le titre de séjour et le RIB.",
            },
        )


def _pair_make(young: User, mentor: User) -> None:
    """The pair's request, match and first two messages."""
    profile = young.profile
    profile.commune_code = profile.commune_code or "93008"
    profile.save()
    request = services.request_create(
        young_person=young,
        data={
            "needs": ["housing", "admin_procedures"],
            "languages": ["fr", "ar"],
            "commune_code": "93008",
            "latitude": Decimal("48.90"),
            "longitude": Decimal("2.45"),
            "meeting_mode": "both",
            "availability": ["wed_evening", "sat_morning"],
        },
    )
    match = services.match_create(request=request, mentor=mentor, origin=Match.Origin.COORDINATOR)
    conversations.message_send(
        match=match, sender=mentor, body="Bonjour Aminata, ravi de faire ta connaissance !"
    )
    conversations.message_send(
        match=match, sender=young, body="Bonjour ! Je cherche un logement pour septembre."
    )


def load_demo_mentoring() -> int:
    """Give the demo mentors their application and 93 a pair; returns applications made."""
    made = 0
    coordinator = User.objects.filter(email="coordination.93@demo.jalon.fr").first()
    for email, spec in DEMO_MENTORS.items():
        user = User.objects.filter(email=email).first()
        if user is None:
            continue
        data = {**spec}
        approved = data.pop("approved")
        data["departement"] = Departement.objects.get(code=data["departement"])
        profile = MentorProfile.objects.filter(user=user).first()
        # Saved only when it differs: each save would add a line to the profile's history.
        if profile is None or any(getattr(profile, name) != value for name, value in data.items()):
            profile = services.mentor_apply(user=user, data=data)
        if approved and profile.status != profile.Status.APPROVED:
            services.mentor_decide(
                profile=profile,
                status=profile.Status.APPROVED,
                by=coordinator,
                honourability_checked_on=timezone.localdate() - timedelta(days=30),
            )
        made += 1
    mentor_93 = User.objects.filter(email="mentor.93@demo.jalon.fr").first()
    if mentor_93 is not None:
        _demo_pair(mentor_93)
    return made
