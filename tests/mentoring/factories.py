"""Real mentoring states for tests, made by mentoring's own services, never by hand.

``mentoring_match`` is the one way a test pairs a young person with a mentor, whatever it
tests (mentoring, the vault's shares, the authorization matrices, the API's contract).
"""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import Departement
from mentoring import services
from mentoring.models import DepartementMentoring, Match, MentorProfile


def mentor_application(**overrides) -> dict:
    data = {
        "departement": Departement.objects.get(code="93"),
        "organisation": "Parrains de Bobigny",
        "domains": ["housing", "job_training"],
        "languages": ["fr", "ar"],
        "commune_code": "93008",
        "latitude": Decimal("48.91"),
        "longitude": Decimal("2.44"),
        "max_distance_km": 15,
        "meeting_mode": "both",
        "availability": ["wed_evening", "sat_morning"],
        "capacity": 1,
    }
    data.update(overrides)
    return data


def request_data(**overrides) -> dict:
    return {
        "needs": ["housing"],
        "languages": ["fr"],
        "commune_code": "93008",
        "latitude": 48.9,
        "longitude": 2.45,
        "meeting_mode": "both",
        "availability": ["wed_evening"],
        **overrides,
    }


def service_request_data(**overrides) -> dict:
    """``request_data`` as the services take it (validated: positions as decimals)."""
    return request_data(latitude=Decimal("48.90"), longitude=Decimal("2.45"), **overrides)


def in_bobigny(young_person):
    """Make ``young_person`` 17 and a half, living in Bobigny (93008), as a request says."""
    profile = young_person.profile
    profile.birth_date = timezone.localdate().replace(day=1) - timedelta(days=365 * 17 + 180)
    profile.postcode, profile.commune_code = "93000", "93008"
    profile.save()
    return young_person


def mentoring_match(
    *,
    young_person,
    mentor,
    coordinator,
    state: str = "active",
    picked: bool = False,
    capacity: int = 5,
):
    """``young_person``'s request and their match with ``mentor``, in ``state``.

    The young person is put in Bobigny (``in_bobigny``); ``mentor``, unless already
    approved, applies in the young person's département with room for ``capacity``
    mentees and is approved by ``coordinator``. ``state`` is ``waiting`` (the request,
    no match yet), ``proposed`` (picked by the young person, the mentor to answer),
    ``active``, ``paused`` (by the mentor) or ``ended`` (by the mentor). A coordinator's
    pairing is active at once; with ``picked`` (and always for ``waiting`` and
    ``proposed``) the département lets young people pick, the young person picks and
    the mentor accepts.
    Returns ``(request, match or None)``.
    """
    in_bobigny(young_person)
    departement = young_person.profile.departement
    approved = MentorProfile.Status.APPROVED
    if not MentorProfile.objects.filter(user=mentor, status=approved).exists():
        services.mentor_decide(
            profile=services.mentor_apply(
                user=mentor, data=mentor_application(departement=departement, capacity=capacity)
            ),
            status=approved,
            by=coordinator,
            honourability_checked_on=timezone.localdate() - timedelta(days=10),
        )
    picked = picked or state in ("waiting", "proposed")
    if picked:
        DepartementMentoring.objects.update_or_create(
            departement=departement,
            defaults={"pairing": DepartementMentoring.Pairing.YOUNG_PERSON_PICKS},
        )
    request = services.request_create(young_person=young_person, data=service_request_data())
    if state == "waiting":
        return request, None
    origin = Match.Origin.YOUNG_PERSON if picked else Match.Origin.COORDINATOR
    match = services.match_create(request=request, mentor=mentor, origin=origin)
    if picked and state != "proposed":
        match = services.match_accept(match=match)
    if state == "paused":
        match = services.match_pause(match=match, by=mentor)
    if state == "ended":
        match = services.match_end(match=match, by=mentor, reason=Match.EndReason.GOALS_REACHED)
    return request, match
