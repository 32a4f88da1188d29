"""Mentoring in 93: ten mentors applying and approved through the mentoring services,
and the young people's requests, matched after various waits, some ended (with a
reason) or paused, a few proposals declined, some still waiting or withdrawn. The
mentoring figures (time to match, waiting list, active and ended matches and why)
need enough of each, every month, to pass the suppression of small counts."""

from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password

from accounts.models import Departement, User
from accounts.roles import Role
from backend.crypto.sealed import seal_after_bulk_create
from mentoring import matching
from mentoring import selectors as mentoring_selectors
from mentoring import services as mentoring_services
from mentoring.models import Match, MentoringRequest, MentorProfile

from .common import COMMUNES, DOMAIN, Person, Window, create_accounts, moment_in, rng_for

COORDINATOR_EMAIL = "coordination.93@demo.jalon.fr"  # of demo.accounts

# (first name, gender, organisation, domains, languages, commune, capacity, availability)
MENTORS = (
    (
        "Claire",
        "female",
        "Association de parrainage (démo)",
        ["housing", "admin_procedures", "budget_bank"],
        ["fr", "en"],
        "93008",
        3,
        ["wed_evening", "sat_morning", "sat_afternoon"],
    ),
    (
        "Jérôme",
        "male",
        "Entreprise partenaire (démo)",
        ["job_training", "studies"],
        ["fr", "en"],
        "93066",
        3,
        ["tue_evening", "thu_evening"],
    ),
    (
        "Nadia",
        "female",
        "Association de parrainage (démo)",
        ["housing", "health", "admin_procedures"],
        ["fr", "ar"],
        "93001",
        4,
        ["mon_evening", "wed_afternoon", "sat_morning"],
    ),
    (
        "Philippe",
        "male",
        "Réseau de bénévoles retraités (démo)",
        ["budget_bank", "admin_procedures", "mobility"],
        ["fr"],
        "93048",
        2,
        ["mon_morning", "tue_morning", "thu_afternoon"],
    ),
    (
        "Sophie",
        "female",
        "Fondation d'entreprise (démo)",
        ["studies", "job_training", "culture_sport"],
        ["fr", "en", "es"],
        "93055",
        3,
        ["wed_evening", "sun_afternoon"],
    ),
    (
        "Rachid",
        "male",
        "Association de parrainage (démo)",
        ["job_training", "mobility", "housing"],
        ["fr", "ar"],
        "93005",
        3,
        ["fri_evening", "sat_morning", "sat_afternoon"],
    ),
    (
        "Isabelle",
        "female",
        "Réseau de bénévoles retraités (démo)",
        ["health", "budget_bank", "housing"],
        ["fr", "pt"],
        "93010",
        2,
        ["tue_afternoon", "thu_afternoon"],
    ),
    (
        "Thomas",
        "male",
        "Entreprise partenaire (démo)",
        ["job_training", "studies", "admin_procedures"],
        ["fr", "en"],
        "93070",
        3,
        ["mon_evening", "wed_evening"],
    ),
    (
        "Samia",
        "female",
        "Association de parrainage (démo)",
        ["housing", "admin_procedures", "health"],
        ["fr", "ar", "en"],
        "93029",
        4,
        ["sat_morning", "sat_afternoon", "sun_morning"],
    ),
    (
        "Bernard",
        "male",
        "Fondation d'entreprise (démo)",
        ["mobility", "job_training", "budget_bank"],
        ["fr"],
        "93071",
        3,
        ["tue_evening", "thu_evening", "sat_morning"],
    ),
)
NEEDS = (
    "housing",
    "housing",
    "job_training",
    "job_training",
    "admin_procedures",
    "studies",
    "budget_bank",
    "health",
    "mobility",
    "culture_sport",
)
SLOTS = (
    "mon_evening",
    "tue_evening",
    "wed_afternoon",
    "wed_evening",
    "thu_evening",
    "fri_evening",
    "sat_morning",
    "sat_afternoon",
    "sun_afternoon",
)
PRE_WINDOW_MATCHES = 6  # activated in the months before the window
ACTIVATIONS = (6, 7)  # matches activated in each closed month
ACTIVATIONS_CURRENT = 3  # in a whole current month
WAITS_DAYS = (1, 2, 3, 4, 6, 7, 9, 11, 13, 15, 18, 21, 26, 32, 40, 55, 70)
# Matches ended in each month of the window, oldest first; the last closed month gets
# enough of them, and of several reasons, for its reasons to show.
ENDINGS = (2, 2, 3, 5, 6, 10, 2)
LAST_MONTH_REASONS = (
    ("goals_reached",) * 5 + ("young_person_left",) * 2 + ("mentor_left", "mismatch", "other")
)
REASON_WEIGHTS = {
    "goals_reached": 45,
    "young_person_left": 20,
    "mentor_left": 10,
    "mismatch": 10,
    "other": 10,
}
FEEDBACK = {
    "goals_reached": (
        "J'ai trouvé un logement et je commence ma formation, merci pour tout !",
        "Merci, je me sens prête pour la suite.",
        "",
    ),
    "young_person_left": ("Je n'ai plus le temps avec mon travail.", ""),
}


def make_mentors(window: Window) -> list[MentorProfile]:
    """Ten approved mentors in 93, vetted through the mentoring services."""
    rng = rng_for("mentors")
    coordinator = User.objects.filter(email=COORDINATOR_EMAIL).first()
    departement = Departement.objects.get(code="93")
    decided = [window.today - timedelta(days=rng.randint(340, 460)) for _ in MENTORS]
    users = create_accounts(
        [
            User(
                email=f"demo.mentor.93.{n:02d}@{DOMAIN}",
                first_name=spec[0],
                role=Role.MENTOR,
                password=make_password(None),
                date_joined=moment_in(rng, day - timedelta(days=rng.randint(20, 60))),
            )
            for n, (spec, day) in enumerate(zip(MENTORS, decided, strict=True), start=1)
        ]
    )
    profiles = []
    for user, spec, day in zip(users, MENTORS, decided, strict=True):
        _name, gender, organisation, domains, languages, commune, capacity, slots = spec
        _postcode, latitude, longitude, _weight = COMMUNES["93"][commune]
        profile = mentoring_services.mentor_apply(
            user=user,
            data={
                "departement": departement,
                "organisation": organisation,
                "domains": domains,
                "languages": languages,
                "commune_code": commune,
                "latitude": Decimal(latitude),
                "longitude": Decimal(longitude),
                "max_distance_km": rng.choice((10, 15, 20)),
                "meeting_mode": "both",
                "availability": slots,
                "capacity": capacity,
                "gender": gender,
            },
        )
        mentoring_services.mentor_decide(
            profile=profile,
            status=MentorProfile.Status.APPROVED,
            by=coordinator,
            note="Entretien fait, références vérifiées (démo).",
            honourability_checked_on=day - timedelta(days=rng.randint(5, 30)),
        )
        profile.applied_at = user.date_joined + timedelta(hours=1)
        profile.decided_at = moment_in(rng, day)
        profiles.append(profile)
    MentorProfile.objects.bulk_update(profiles, ["applied_at", "decided_at"])
    _apply_without_decision(window, departement)
    return profiles


def _apply_without_decision(window: Window, departement: Departement) -> MentorProfile:
    """A volunteer who applied this week in 93, not vetted yet: the coordinator's work on
    the admin's home ("1 mentor à vérifier"). Never proposed to a young person."""
    (user,) = create_accounts(
        [
            User(
                email=f"demo.mentor.93.99@{DOMAIN}",  # 99: after the vetted ones
                first_name="Julien",
                role=Role.MENTOR,
                password=make_password(None),
                date_joined=window.end - timedelta(days=3, hours=5),
            )
        ]
    )
    _postcode, latitude, longitude, _weight = COMMUNES["93"]["93066"]
    return mentoring_services.mentor_apply(
        user=user,
        data={
            "departement": departement,
            "organisation": "Bénévole, ancien éducateur spécialisé (démo)",
            "domains": ["housing", "admin_procedures"],
            "languages": ["fr", "ar"],
            "commune_code": "93066",
            "latitude": Decimal(latitude),
            "longitude": Decimal(longitude),
            "max_distance_km": 10,
            "meeting_mode": "both",
            "availability": ["tue_evening", "sat_morning"],
            "capacity": 1,
            "gender": "male",
        },
    )


def _mentoring_request(rng, person: Person, status: str, asked: datetime, closed: datetime | None):
    profile = person.profile
    _postcode, latitude, longitude, _weight = COMMUNES["93"][profile.commune_code]
    return MentoringRequest(
        young_person=person.user,
        departement_id="93",
        status=status,
        needs=sorted(set(rng.sample(NEEDS, rng.randint(1, 3)))),
        languages=list(profile.languages),
        commune_code=profile.commune_code,
        latitude=Decimal(latitude),
        longitude=Decimal(longitude),
        meeting_mode=rng.choice(("both", "both", "both", "remote")),
        availability=sorted(rng.sample(SLOTS, rng.randint(2, 4))),
        created_at=asked,
        closed_at=closed,
    )


def make_requests_and_matches(window: Window, people: list[Person], mentors: list[MentorProfile]):
    """Requests and matches in 93, in time order so that no mentor is ever over capacity.

    Returns the matches made (not the declined proposals, though they are saved too) and
    how many requests were made.
    """
    rng = rng_for("mentoring")
    young = [person for person in people if person.code == "93"]
    asked_already: set[int] = set()
    matches: list[Match] = []

    def free_mentor(request: MentoringRequest, moment: datetime):
        needs = mentoring_selectors.request_needs(request)
        fitting = []
        for profile in mentors:
            taken = sum(
                1
                for match in matches
                if match.mentor_id == profile.user_id
                and match.activated_at is not None
                and match.activated_at <= moment
                and (match.ended_at is None or match.ended_at > moment)
            )
            if taken >= profile.capacity:
                continue
            candidate = mentoring_selectors.mentor_candidate(profile, taken=taken)
            score = matching.score(needs, candidate)
            if score is not None:
                fitting.append((profile, score))
        return rng.choice(fitting) if fitting else (None, None)

    def newcomer(before: datetime) -> Person | None:
        candidates = [
            p for p in young if p.user.pk not in asked_already and p.joined < before - timedelta(1)
        ]
        if not candidates:
            return None
        person = rng.choice(candidates)
        asked_already.add(person.user.pk)
        return person

    def activate(moment: datetime) -> None:
        asked = moment - timedelta(days=rng.choice(WAITS_DAYS) + rng.random())
        person = newcomer(asked)
        if person is None:
            return
        request = _mentoring_request(rng, person, MentoringRequest.Status.MATCHED, asked, moment)
        profile, score = free_mentor(request, moment)
        if profile is None:
            asked_already.discard(person.user.pk)
            return
        picked = rng.random() < 0.3  # the young person picked, the mentor accepted
        proposed = moment - timedelta(hours=rng.uniform(6, 72)) if picked else moment
        matches.append(
            Match(
                request=request,
                young_person=person.user,
                mentor_id=profile.user_id,
                status=Match.Status.ACTIVE,
                origin=Match.Origin.YOUNG_PERSON if picked else Match.Origin.COORDINATOR,
                score={"total": score.total, "parts": score.parts},
                proposed_at=max(proposed, asked + (moment - asked) / 2),
                activated_at=moment,
            )
        )

    def end(moment: datetime, reason: str) -> None:
        running = [
            match
            for match in matches
            if match.ended_at is None and match.activated_at <= moment - timedelta(days=30)
        ]
        if not running:
            return
        match = rng.choice(running)
        match.status, match.ended_at, match.end_reason = Match.Status.ENDED, moment, reason
        match.young_person_feedback = rng.choice(FEEDBACK.get(reason, ("",)))
        if reason == "goals_reached":
            match.mentor_feedback = "Objectifs atteints, belle progression."

    for day in sorted(
        window.months[0] - timedelta(days=rng.randint(20, 110)) for _ in range(PRE_WINDOW_MATCHES)
    ):
        activate(moment_in(rng, day, 10, 18))
    for index, month in enumerate(window.months):
        days = window.days(month)
        if not days:
            continue
        events = []
        if month == window.current:
            count = window.count(rng, ACTIVATIONS_CURRENT, ACTIVATIONS_CURRENT, month)
        else:
            count = rng.randint(*ACTIVATIONS)
        events += [(moment_in(rng, rng.choice(days), 10, 18), None) for _ in range(count)]
        if index == len(window.months) - 2:
            reasons = list(LAST_MONTH_REASONS)
        else:
            endings = window.count(rng, ENDINGS[index], ENDINGS[index], month)
            reasons = rng.choices(list(REASON_WEIGHTS), list(REASON_WEIGHTS.values()), k=endings)
        events += [(moment_in(rng, rng.choice(days), 9, 20), reason) for reason in reasons]
        for moment, reason in sorted(events, key=lambda event: event[0]):
            if reason is None:
                activate(moment)
            else:
                end(moment, reason)

    running = [match for match in matches if match.ended_at is None]
    for match in rng.sample(running, min(2, len(running))):
        match.status = Match.Status.PAUSED
        match.paused_by_id = rng.choice((match.young_person.pk, match.mentor_id))
    requests = [match.request for match in matches]
    # Proposals a mentor declined, over before another mentor's was made (long waits).
    declined = []
    for match in [m for m in matches if m.activated_at - m.request.created_at > timedelta(12)][:3]:
        other = rng.choice([p for p in mentors if p.user_id != match.mentor_id])
        proposed = match.request.created_at + timedelta(days=rng.uniform(1, 2))
        declined.append(
            Match(
                request=match.request,
                young_person=match.young_person,
                mentor_id=other.user_id,
                status=Match.Status.ENDED,
                origin=Match.Origin.YOUNG_PERSON,
                proposed_at=proposed,
                ended_at=proposed + timedelta(days=rng.uniform(1, 2)),
                end_reason=Match.EndReason.DECLINED,
                mentor_feedback="Plus de disponibilité ce trimestre, désolé.",
            )
        )
    # Still waiting: a few since the last closed month (the waiting list at its end),
    # one for long, one or two this month; and a few who withdrew.
    last_closed = window.months[-2]
    waiting_days = [rng.choice(window.days(last_closed)[4:]) for _ in range(5)]
    waiting_days.append(last_closed - timedelta(days=rng.randint(20, 40)))
    current_days = window.days(window.current)
    waiting_days += [rng.choice(current_days) for _ in range(2 if current_days else 0)]
    for day in waiting_days:
        asked = moment_in(rng, day)
        person = newcomer(asked)
        if person is not None:
            requests.append(
                _mentoring_request(rng, person, MentoringRequest.Status.WAITING, asked, None)
            )
    for month in rng.sample(window.months[1:5], 3):
        asked = moment_in(rng, rng.choice(window.days(month)))
        person = newcomer(asked)
        if person is not None:
            closed = asked + timedelta(days=rng.uniform(10, 35))
            status = MentoringRequest.Status.WITHDRAWN
            requests.append(_mentoring_request(rng, person, status, asked, closed))
    MentoringRequest.objects.bulk_create(requests)
    all_matches = matches + declined
    Match.objects.bulk_create(all_matches)
    seal_after_bulk_create(Match, all_matches)  # the feedback, with each pair's key
    return matches, len(requests)
