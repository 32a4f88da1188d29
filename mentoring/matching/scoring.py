"""Scoring one pair: compatibility, a score in readable parts, proposals, priority.

Pure functions over plain dataclasses, no Django.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from accounts.dates import birthday

IN_PERSON = "in_person"
REMOTE = "remote"
BOTH = "both"
FRENCH = "fr"

# The five parts of a score and their maximum points (they add up to 100).
DOMAIN_POINTS = 40
LANGUAGE_POINTS = 15
LANGUAGE_FRENCH_ONLY_POINTS = 10  # 2/3: French is shared, not the young person's other language
DISTANCE_POINTS = 15
AVAILABILITY_POINTS = 20
AVAILABILITY_ENOUGH_SLOTS = 3  # three shared half-days a week are plenty to meet
MODE_POINTS = 5
GENDER_POINTS = 5

# Priority: a request is fully urgent after this wait, or when 18 is this close.
WAIT_FULL_DAYS = 180
AGE_WINDOW_DAYS = 365

EARTH_RADIUS_KM = 6371.0


@dataclass(frozen=True)
class MentorCandidate:
    id: int
    domains: frozenset[str]
    languages: frozenset[str]
    latitude: float | None
    longitude: float | None
    commune_code: str
    max_distance_km: int
    meeting_mode: str  # "in_person" | "remote" | "both"
    availability: frozenset[str]  # slots such as "wed_evening"
    gender: str  # "" | "female" | "male" | "other"
    free_slots: int  # capacity minus current matches (0 = full)


@dataclass(frozen=True)
class RequestNeeds:
    id: int
    needs: frozenset[str]  # Domain values
    languages: frozenset[str]
    latitude: float | None
    longitude: float | None
    commune_code: str
    meeting_mode: str  # what the young person accepts: "in_person" | "remote" | "both"
    preferred_gender: str  # "" = no preference
    availability: frozenset[str]
    waiting_since: date  # when the request was made
    birth_date: date | None


@dataclass(frozen=True)
class Score:
    """A compatible pair's score: ``total`` (0-100) is the sum of ``parts``.

    Parts, each rounded to 0.1 point:

    - ``domains`` (40): share of the young person's needs the mentor helps with;
    - ``language`` (15): 15 when they share a language other than French, or the young
      person speaks only French; 10 when French is all they share;
    - ``distance`` (15): 15 at 0 km, falling linearly to 0 at the farthest the mentor
      travels; 15 when the young person wants remote meetings only; 0 when they will meet
      remotely although the young person would meet in person;
    - ``availability`` (20): shared weekly slots over the young person's slots, where
      three shared slots are enough for full points;
    - ``preference`` (10): 5 when the mentor meets exactly the way the young person chose
      (in person, remote, or both), and 5 for the mentor's gender (a wish is always
      honoured: otherwise the pair is not proposed).
    """

    total: float
    parts: dict[str, float]


@dataclass(frozen=True)
class Proposal:
    mentor_id: int
    score: Score


# --- One pair -----------------------------------------------------------------------


def _round1(value: float) -> float:
    # Half up, and the very same operations as ``_round1_array``: the bulk path must give
    # the same numbers as this one (Python's ``round`` and numpy's differ on some halves).
    return math.floor(value * 10 + 0.5) / 10


def _meets_in_person(mode: str) -> bool:
    return mode in (IN_PERSON, BOTH)


def _meets_remotely(mode: str) -> bool:
    return mode in (REMOTE, BOTH)


def _unit_vector(latitude: float | None, longitude: float | None):
    """Point on the unit sphere, or None when a coordinate is missing."""
    if latitude is None or longitude is None:
        return None
    lat, lon = math.radians(latitude), math.radians(longitude)
    return (math.cos(lat) * math.cos(lon), math.cos(lat) * math.sin(lon), math.sin(lat))


def distance_km(request: RequestNeeds, mentor: MentorCandidate) -> float | None:
    """Distance between the two, or None when unknown.

    Straight-line (chord) distance: within metres of the great-circle distance at the
    scale of a département, and computed without trigonometry per pair, so the vectorised
    bulk path gives exactly the same number. Without coordinates on both sides, the same
    commune counts as 0 km; anything else is unknown.
    """
    here = _unit_vector(request.latitude, request.longitude)
    there = _unit_vector(mentor.latitude, mentor.longitude)
    if here is not None and there is not None:
        dx, dy, dz = here[0] - there[0], here[1] - there[1], here[2] - there[2]
        return math.sqrt(dx * dx + dy * dy + dz * dz) * EARTH_RADIUS_KM
    if request.commune_code and request.commune_code == mentor.commune_code:
        return 0.0
    return None


def score(request: RequestNeeds, mentor: MentorCandidate) -> Score | None:
    """How well ``mentor`` fits ``request`` (see ``Score``), or None when they cannot pair.

    They cannot pair without a shared domain or a shared language, when the young person
    wished for a mentor's gender and this mentor's differs, when their ways of meeting do
    not overlap, or when they could only meet in person and the distance is unknown or
    beyond what the mentor travels. This is the reference: ``score_table`` and bulk
    matching compute the same numbers with numpy.
    """
    shared_domains = len(request.needs & mentor.domains)
    shared_languages = request.languages & mentor.languages
    if not shared_domains or not shared_languages:
        return None
    if request.preferred_gender and mentor.gender != request.preferred_gender:
        return None
    in_person = _meets_in_person(request.meeting_mode) and _meets_in_person(mentor.meeting_mode)
    remote = _meets_remotely(request.meeting_mode) and _meets_remotely(mentor.meeting_mode)
    distance = distance_km(request, mentor) if in_person else None
    reachable = distance is not None and distance <= mentor.max_distance_km
    if not (reachable or remote):
        return None

    domains = DOMAIN_POINTS * shared_domains / len(request.needs)
    if shared_languages - {FRENCH} or request.languages <= {FRENCH}:
        language = LANGUAGE_POINTS
    else:
        language = LANGUAGE_FRENCH_ONLY_POINTS
    if not _meets_in_person(request.meeting_mode):
        closeness = DISTANCE_POINTS  # remote meetings only: distance does not matter
    elif reachable and mentor.max_distance_km > 0:
        closeness = DISTANCE_POINTS * (1 - distance / mentor.max_distance_km)
    elif reachable:
        closeness = DISTANCE_POINTS  # a mentor who only meets in their own commune
    else:
        closeness = 0  # they will meet remotely although the young person would travel
    slots = len(request.availability)
    if slots:
        shared_slots = len(request.availability & mentor.availability)
        enough = AVAILABILITY_ENOUGH_SLOTS
        availability = AVAILABILITY_POINTS * min(shared_slots, enough) / min(slots, enough)
    else:
        availability = 0
    same_mode = MODE_POINTS if mentor.meeting_mode == request.meeting_mode else 0
    # A gender wish that differs returned None above: here it is honoured, or there is none.
    preference = same_mode + GENDER_POINTS
    parts = {
        "domains": _round1(domains),
        "language": _round1(language),
        "distance": _round1(closeness),
        "availability": _round1(availability),
        "preference": _round1(preference),
    }
    total = (
        parts["domains"]
        + parts["language"]
        + parts["distance"]
        + parts["availability"]
        + parts["preference"]
    )
    return Score(total=_round1(total), parts=parts)


def propose(
    request: RequestNeeds, mentors: Iterable[MentorCandidate], *, limit: int = 5
) -> list[Proposal]:
    """The ``limit`` best mentors with a free place, best first (then by mentor id)."""
    proposals = []
    for mentor in mentors:
        if mentor.free_slots <= 0:
            continue
        fit = score(request, mentor)
        if fit is not None:
            proposals.append(Proposal(mentor_id=mentor.id, score=fit))
    proposals.sort(key=lambda proposal: (-proposal.score.total, proposal.mentor_id))
    return proposals[:limit]


def priority(request: RequestNeeds, today: date) -> float:
    """Urgency in [0, 1]: the larger of the wait and the closeness of the 18th birthday.

    - wait: days waited / 180, capped at 1;
    - age: 1 - days until the 18th birthday / 365 (0 when more than a year away). Once
      18, the year after is when care ends and support is needed most: 1 until the 19th
      birthday, 0 after (the wait still counts). Unknown birth date: 0.
    """
    waited = min(max((today - request.waiting_since).days, 0) / WAIT_FULL_DAYS, 1.0)
    if request.birth_date is None:
        return waited
    days_to_18 = (birthday(request.birth_date, 18) - today).days
    if days_to_18 > 0:
        age = max(0.0, 1 - days_to_18 / AGE_WINDOW_DAYS)
    else:
        age = 1.0 if today < birthday(request.birth_date, 19) else 0.0
    return max(waited, age)
