"""``score`` over many pairs at once with numpy: the very same numbers, tested.

``score_table`` is the public entry; the request and mentor arrays and ``_score_block``
serve the assignment too (``assignment._candidate_edges``).
"""

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields

import numpy as np

from .scoring import (
    AVAILABILITY_ENOUGH_SLOTS,
    AVAILABILITY_POINTS,
    DISTANCE_POINTS,
    DOMAIN_POINTS,
    EARTH_RADIUS_KM,
    FRENCH,
    GENDER_POINTS,
    LANGUAGE_FRENCH_ONLY_POINTS,
    LANGUAGE_POINTS,
    MODE_POINTS,
    MentorCandidate,
    RequestNeeds,
    _meets_in_person,
    _meets_remotely,
    _unit_vector,
)

# Pairs scored at once in bulk (requests x mentors): about 100 MB of temporary arrays.
_BLOCK_PAIRS = 1_000_000


def _round1_array(values: np.ndarray) -> np.ndarray:
    return np.floor(values * 10 + 0.5) / 10


# --- Many pairs at once ---------------------------------------------------------------


# Each side's fields become arrays: sets become 0/1 matrices over a vocabulary shared by
# both sides (shared counts are then matrix products, exact small integers in float64),
# strings become integer codes. Every formula below mirrors one line of ``score``, with the
# same floating-point operations in the same order, so the numbers are identical.


def _index(*groups: Iterable[Iterable[str]]) -> dict[str, int]:
    """Column of each word seen in ``groups`` (sorted, so the result is reproducible)."""
    words = set()
    for group in groups:
        for collection in group:
            words.update(collection)
    return {word: column for column, word in enumerate(sorted(words))}


def _indicator(sets: Iterable[frozenset[str]], index: Mapping[str, int]) -> np.ndarray:
    """One row per set, one column per word of ``index``: 1.0 where the set holds it."""
    sets = list(sets)
    matrix = np.zeros((len(sets), len(index)), dtype=np.float64)
    for row, words in enumerate(sets):
        matrix[row, [index[word] for word in words]] = 1.0
    return matrix


def _codes(values: Iterable[str], index: Mapping[str, int], blank: int) -> np.ndarray:
    """Integer code of each value; ``blank`` for the empty string."""
    return np.array([index[value] if value else blank for value in values], dtype=np.int64)


def _positions(people: Sequence) -> np.ndarray:
    """Unit vectors, one row per person; NaN when coordinates are missing."""
    missing = (math.nan, math.nan, math.nan)
    rows = [_unit_vector(p.latitude, p.longitude) or missing for p in people]
    return np.array(rows, dtype=np.float64).reshape(len(people), 3)


@dataclass(frozen=True)
class _Vocabulary:
    domains: dict[str, int]
    languages: dict[str, int]
    slots: dict[str, int]
    communes: dict[str, int]
    genders: dict[str, int]
    modes: dict[str, int]

    @classmethod
    def of(cls, requests: Sequence[RequestNeeds], mentors: Sequence[MentorCandidate]):
        return cls(
            domains=_index((r.needs for r in requests), (m.domains for m in mentors)),
            languages=_index((r.languages for r in requests), (m.languages for m in mentors)),
            slots=_index((r.availability for r in requests), (m.availability for m in mentors)),
            communes=_index(
                [[r.commune_code for r in requests], [m.commune_code for m in mentors]]
            ),
            genders=_index([[r.preferred_gender for r in requests], [m.gender for m in mentors]]),
            modes=_index([[r.meeting_mode for r in requests], [m.meeting_mode for m in mentors]]),
        )


@dataclass(frozen=True)
class _Requests:
    needs: np.ndarray  # (requests, domains) 0/1
    need_count: np.ndarray
    languages: np.ndarray  # (requests, languages) 0/1
    only_french: np.ndarray  # speaks no language but French
    other_languages: np.ndarray  # ``languages`` without French
    slots: np.ndarray  # (requests, slots) 0/1
    slot_count: np.ndarray
    position: np.ndarray  # (requests, 3) unit vectors
    commune: np.ndarray  # code, -1 when blank
    in_person: np.ndarray
    remote: np.ndarray
    mode: np.ndarray
    preferred_gender: np.ndarray  # code, -1 when no wish

    @classmethod
    def of(cls, requests: Sequence[RequestNeeds], words: _Vocabulary):
        languages = _indicator((r.languages for r in requests), words.languages)
        other_languages = languages.copy()
        if FRENCH in words.languages:
            other_languages[:, words.languages[FRENCH]] = 0.0
        needs = _indicator((r.needs for r in requests), words.domains)
        slots = _indicator((r.availability for r in requests), words.slots)
        modes = [r.meeting_mode for r in requests]
        return cls(
            needs=needs,
            need_count=needs.sum(axis=1),
            languages=languages,
            only_french=other_languages.sum(axis=1) == 0,
            other_languages=other_languages,
            slots=slots,
            slot_count=slots.sum(axis=1),
            position=_positions(requests),
            commune=_codes((r.commune_code for r in requests), words.communes, blank=-1),
            in_person=np.array([_meets_in_person(mode) for mode in modes], dtype=bool),
            remote=np.array([_meets_remotely(mode) for mode in modes], dtype=bool),
            mode=_codes(modes, words.modes, blank=-1),
            preferred_gender=_codes(
                (r.preferred_gender for r in requests), words.genders, blank=-1
            ),
        )

    def rows(self, block: slice) -> "_Requests":
        return _Requests(**{field.name: getattr(self, field.name)[block] for field in fields(self)})


@dataclass(frozen=True)
class _Mentors:
    domains: np.ndarray  # (mentors, domains) 0/1
    languages: np.ndarray
    slots: np.ndarray
    position: np.ndarray
    commune: np.ndarray  # code, -2 when blank (never equal to a request's -1)
    in_person: np.ndarray
    remote: np.ndarray
    mode: np.ndarray  # code, -2 when blank
    gender: np.ndarray  # code, -2 when blank (never equal to "no wish")
    max_distance: np.ndarray
    free: np.ndarray  # free places, 0 when full

    @classmethod
    def of(cls, mentors: Sequence[MentorCandidate], words: _Vocabulary):
        modes = [m.meeting_mode for m in mentors]
        return cls(
            domains=_indicator((m.domains for m in mentors), words.domains),
            languages=_indicator((m.languages for m in mentors), words.languages),
            slots=_indicator((m.availability for m in mentors), words.slots),
            position=_positions(mentors),
            commune=_codes((m.commune_code for m in mentors), words.communes, blank=-2),
            in_person=np.array([_meets_in_person(mode) for mode in modes], dtype=bool),
            remote=np.array([_meets_remotely(mode) for mode in modes], dtype=bool),
            mode=_codes(modes, words.modes, blank=-2),
            gender=_codes((m.gender for m in mentors), words.genders, blank=-2),
            max_distance=np.array([m.max_distance_km for m in mentors], dtype=np.float64),
            free=np.array([max(m.free_slots, 0) for m in mentors], dtype=np.int64),
        )


def _distance_block(req: _Requests, men: _Mentors) -> np.ndarray:
    """``distance_km`` for every pair of a block; NaN when unknown."""
    dx = req.position[:, 0, None] - men.position[:, 0]
    dy = req.position[:, 1, None] - men.position[:, 1]
    dz = req.position[:, 2, None] - men.position[:, 2]
    chord = np.sqrt(dx * dx + dy * dy + dz * dz) * EARTH_RADIUS_KM
    same_commune = req.commune[:, None] == men.commune
    return np.where(np.isnan(chord), np.where(same_commune, 0.0, np.nan), chord)


def _score_block(req: _Requests, men: _Mentors) -> tuple[np.ndarray, np.ndarray]:
    """``score`` for every pair of a block: (compatible, total), total meaningless if not."""
    shared_domains = req.needs @ men.domains.T
    shared_languages = req.languages @ men.languages.T
    shared_other_languages = req.other_languages @ men.languages.T
    shared_slots = req.slots @ men.slots.T
    gender_ok = (req.preferred_gender[:, None] < 0) | (req.preferred_gender[:, None] == men.gender)
    in_person = req.in_person[:, None] & men.in_person
    remote = req.remote[:, None] & men.remote
    distance = _distance_block(req, men)
    reachable = in_person & (distance <= men.max_distance)  # False where NaN (unknown)
    compatible = (shared_domains > 0) & (shared_languages > 0) & gender_ok & (reachable | remote)

    domains = DOMAIN_POINTS * shared_domains / np.maximum(req.need_count, 1)[:, None]
    language = np.where(
        (shared_other_languages > 0) | req.only_french[:, None],
        float(LANGUAGE_POINTS),
        float(LANGUAGE_FRENCH_ONLY_POINTS),
    )
    travels = men.max_distance > 0
    linear = DISTANCE_POINTS * (1 - distance / np.where(travels, men.max_distance, 1.0))
    closeness = np.where(
        ~req.in_person[:, None],
        float(DISTANCE_POINTS),
        np.where(reachable, np.where(travels, linear, float(DISTANCE_POINTS)), 0.0),
    )
    enough = AVAILABILITY_ENOUGH_SLOTS
    per_slot = np.maximum(np.minimum(req.slot_count, enough), 1)[:, None]
    availability = np.where(
        req.slot_count[:, None] > 0,
        AVAILABILITY_POINTS * np.minimum(shared_slots, enough) / per_slot,
        0.0,
    )
    preference = np.where(req.mode[:, None] == men.mode, float(MODE_POINTS), 0.0) + GENDER_POINTS
    total = (
        _round1_array(domains)
        + _round1_array(language)
        + _round1_array(closeness)
        + _round1_array(availability)
        + _round1_array(preference)
    )
    return compatible, _round1_array(total)


def _blocks(count: int, width: int):
    """Slices of request rows, so that a block holds about ``_BLOCK_PAIRS`` pairs."""
    step = max(1, _BLOCK_PAIRS // max(width, 1))
    for start in range(0, count, step):
        yield slice(start, min(start + step, count))


def score_table(requests: Sequence[RequestNeeds], mentors: Sequence[MentorCandidate]) -> np.ndarray:
    """``score(...).total`` for every pair (rows: requests, columns: mentors), NaN when
    they cannot pair; in the order given. Vectorised: for many pairs at once."""
    words = _Vocabulary.of(requests, mentors)
    req, men = _Requests.of(requests, words), _Mentors.of(mentors, words)
    table = np.full((len(requests), len(mentors)), np.nan)
    for block in _blocks(len(requests), len(mentors)):
        compatible, total = _score_block(req.rows(block), men)
        table[block] = np.where(compatible, total, np.nan)
    return table
