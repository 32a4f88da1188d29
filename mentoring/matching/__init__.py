"""Pairing young people with mentors: compatibility, scores, proposals, bulk matching.

Pure functions over plain dataclasses, no Django: the API, the admin, a management
command and a Celery task all call them with data they have already loaded.

- ``score(request, mentor)``: is the pair possible, and how good is it (0-100, in parts
  the young person and the coordinator can read);
- ``propose(request, mentors)``: the best mentors with a free place, for one request;
- ``priority(request, today)``: how urgent a request is (long wait, 18 soon or just past);
- ``bulk_assign(requests, mentors, today=...)``: the best set of pairs for a whole
  waiting list, within each mentor's free places; ``greedy_assign`` is the naive baseline.

``score_table`` is ``score`` over many pairs at once with numpy (same numbers, tested),
and ``assign_edges`` is the optimiser alone, on hand-made scores.

Three modules: ``scoring`` (one pair), ``vectorised`` (many pairs with numpy) and
``assignment`` (the optimiser); this package re-exports their public names.
"""

from .assignment import (
    COMPATIBLE_MENTORS_FULL,
    NO_COMPATIBLE_MENTOR,
    OUTCOMPETED,
    PRIORITY_WEIGHT,
    BulkResult,
    assign_edges,
    bulk_assign,
    greedy_assign,
)
from .scoring import (
    AGE_WINDOW_DAYS,
    AVAILABILITY_ENOUGH_SLOTS,
    AVAILABILITY_POINTS,
    BOTH,
    DISTANCE_POINTS,
    DOMAIN_POINTS,
    EARTH_RADIUS_KM,
    FRENCH,
    GENDER_POINTS,
    IN_PERSON,
    LANGUAGE_FRENCH_ONLY_POINTS,
    LANGUAGE_POINTS,
    MODE_POINTS,
    REMOTE,
    WAIT_FULL_DAYS,
    MentorCandidate,
    Proposal,
    RequestNeeds,
    Score,
    distance_km,
    priority,
    propose,
    score,
)
from .vectorised import score_table

__all__ = [
    "AGE_WINDOW_DAYS",
    "AVAILABILITY_ENOUGH_SLOTS",
    "AVAILABILITY_POINTS",
    "BOTH",
    "COMPATIBLE_MENTORS_FULL",
    "DISTANCE_POINTS",
    "DOMAIN_POINTS",
    "EARTH_RADIUS_KM",
    "FRENCH",
    "GENDER_POINTS",
    "IN_PERSON",
    "LANGUAGE_FRENCH_ONLY_POINTS",
    "LANGUAGE_POINTS",
    "MODE_POINTS",
    "NO_COMPATIBLE_MENTOR",
    "OUTCOMPETED",
    "PRIORITY_WEIGHT",
    "REMOTE",
    "WAIT_FULL_DAYS",
    "BulkResult",
    "MentorCandidate",
    "Proposal",
    "RequestNeeds",
    "Score",
    "assign_edges",
    "bulk_assign",
    "distance_km",
    "greedy_assign",
    "priority",
    "propose",
    "score",
    "score_table",
]
