"""Bulk matching: the best set of pairs for a whole waiting list, within each mentor's
free places (``bulk_assign``), its naive baseline (``greedy_assign``), and the optimiser
alone on hand-made scores (``assign_edges``).
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from .scoring import MentorCandidate, RequestNeeds, Score, priority, score
from .vectorised import _blocks, _Mentors, _Requests, _score_block, _Vocabulary

# An urgent request (priority 1) is worth 0.3 x 100 = 30 score points more in bulk matching:
# it wins a contested mentor over a calmer request unless that one fits 30 points better.
PRIORITY_WEIGHT = 0.3

NO_COMPATIBLE_MENTOR = "no_compatible_mentor"
COMPATIBLE_MENTORS_FULL = "compatible_mentors_full"
OUTCOMPETED = "outcompeted"


@dataclass(frozen=True)
class BulkResult:
    """Pairs chosen for a waiting list, and why the others got none.

    ``unmatched`` reasons: ``no_compatible_mentor`` (no mentor fits, full or not),
    ``compatible_mentors_full`` (some fit, all are full), ``outcompeted`` (a mentor with a
    free place fits, but the places went to pairs worth more overall).
    """

    assignments: dict[int, int]  # request id -> mentor id
    scores: dict[int, Score]  # request id -> score of its pair
    unmatched: dict[int, str]  # request id -> reason
    total_score: float  # sum of the assigned pairs' scores (priority not included)


@dataclass(frozen=True)
class _Edges:
    """Compatible pairs with a free place, by position in the id-sorted lists."""

    request: np.ndarray
    mentor: np.ndarray
    total: np.ndarray  # the pair's score
    free: np.ndarray  # each mentor's free places
    fits_any: np.ndarray  # each request: some mentor fits, full or not
    fits_free: np.ndarray  # each request: some mentor with a free place fits


def _candidate_edges(
    requests: Sequence[RequestNeeds], mentors: Sequence[MentorCandidate]
) -> _Edges:
    """Every compatible pair whose mentor has room: none dropped, the optimum needs them."""
    words = _Vocabulary.of(requests, mentors)
    req, men = _Requests.of(requests, words), _Mentors.of(mentors, words)
    has_room = men.free > 0
    fits_any = np.zeros(len(requests), dtype=bool)
    fits_free = np.zeros(len(requests), dtype=bool)
    request_parts, mentor_parts, total_parts = [], [], []
    for block in _blocks(len(requests), len(mentors)):
        compatible, total = _score_block(req.rows(block), men)
        usable = compatible & has_room
        fits_any[block] = compatible.any(axis=1)
        fits_free[block] = usable.any(axis=1)
        rows, columns = np.nonzero(usable)  # row-major: sorted by request, then mentor
        request_parts.append(rows + block.start)
        mentor_parts.append(columns)
        total_parts.append(total[rows, columns])
    empty = [np.zeros(0, dtype=np.int32)]
    return _Edges(  # 32-bit indices: there can be millions of pairs
        request=np.concatenate(request_parts or empty).astype(np.int32),
        mentor=np.concatenate(mentor_parts or empty).astype(np.int32),
        total=np.concatenate(total_parts or [np.zeros(0)]),
        free=men.free,
        fits_any=fits_any,
        fits_free=fits_free,
    )


def _weights(total: np.ndarray, bonus: np.ndarray) -> np.ndarray:
    """Edge weights in hundredths of a point: integers, so that sums are exact.

    At least 1, so that any pair is worth more than leaving a request unmatched.
    """
    return np.maximum(np.rint((total + bonus) * 100), 1).astype(np.int64)


def _max_weight_assignment(
    n_requests: int, free: np.ndarray, request: np.ndarray, mentor: np.ndarray, weight
) -> np.ndarray:
    """For each request, the mentor (index) of a maximum-weight assignment, or -1.

    Each request gets at most one mentor, each mentor at most ``free`` requests. scipy's
    sparse assignment (LAPJVsp) gives each row its own column at minimum total cost. So
    each mentor becomes one "place" per free slot (each place holding all of the mentor's
    pairs), and the smaller side, requests or places, become the rows: each row also gets
    a private "nobody" column, so that a full matching always exists. A pair costs
    B - weight and "nobody" costs B: the cheapest full matching is the heaviest
    assignment. B is the largest weight + 1, as scipy wants non-zero costs.

    Rows on the smaller side: the solver's work grows with the rows (on the benchmark,
    10,000 requests for 3,173 places, places as rows solve 4 times faster).
    """
    # Imported here: web processes, which never bulk-match, do not load scipy.
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import min_weight_full_bipartite_matching

    match = np.full(n_requests, -1, dtype=np.int64)
    # A mentor needs no more places than the requests that fit them.
    places = np.minimum(free, np.bincount(mentor, minlength=len(free)))
    n_places = int(places.sum())
    if n_places == 0 or n_requests == 0:
        return match
    owner = np.repeat(np.arange(len(free)), places)  # the mentor of each place
    first_place = np.cumsum(places) - places
    # Each pair once per place of its mentor: its k-th copy goes to the mentor's k-th place.
    # 32-bit indices: the copies are the bulk of the memory used.
    copies = [np.flatnonzero(places[mentor] > k) for k in range(int(places.max()))]
    request_of_pair = np.concatenate([request[pairs] for pairs in copies]).astype(np.int32)
    place_of_pair = np.concatenate(
        [first_place[mentor[pairs]] + k for k, pairs in enumerate(copies)]
    ).astype(np.int32)
    ceiling = int(weight.max()) + 1
    costs = np.concatenate([ceiling - weight[pairs] for pairs in copies]).astype(np.float64)
    del copies
    requests_are_rows = n_requests <= n_places
    if requests_are_rows:
        row_of_pair, column_of_pair = request_of_pair, place_of_pair
        n_rows, n_columns = n_requests, n_places
    else:
        row_of_pair, column_of_pair = place_of_pair, request_of_pair
        n_rows, n_columns = n_places, n_requests
    nobody = np.arange(n_rows, dtype=np.int32)
    matrix = csr_matrix(
        (
            np.concatenate([costs, np.full(n_rows, float(ceiling))]),
            (
                np.concatenate([row_of_pair, nobody]),
                np.concatenate([column_of_pair, n_columns + nobody]),
            ),
        ),
        shape=(n_rows, n_columns + n_rows),
    )
    del costs, request_of_pair, place_of_pair, row_of_pair, column_of_pair
    matched_rows, matched_columns = min_weight_full_bipartite_matching(matrix)
    real = matched_columns < n_columns  # not "nobody"
    if requests_are_rows:
        match[matched_rows[real]] = owner[matched_columns[real]]
    else:
        match[matched_columns[real]] = owner[matched_rows[real]]
    return match


def _greedy_assignment(
    n_requests: int, free: np.ndarray, request: np.ndarray, mentor: np.ndarray, weight
) -> np.ndarray:
    """Heaviest pair first, kept when both still have room: fast, not optimal."""
    order = np.lexsort((mentor, request, -weight))  # ties: by request, then mentor
    left = free.tolist()
    places_left = sum(left)
    match = [-1] * n_requests
    # By slices: Python lists of millions of pairs would cost more memory than the rest.
    for start in range(0, len(order), 100_000):
        if places_left == 0:
            break
        pairs = order[start : start + 100_000]
        for i, j in zip(request[pairs].tolist(), mentor[pairs].tolist(), strict=True):
            if match[i] < 0 and left[j] > 0:
                match[i] = j
                left[j] -= 1
                places_left -= 1
    return np.array(match, dtype=np.int64)


def assign_edges(
    edges: Iterable[tuple[int, int, float]],
    free_slots: Mapping[int, int],
    bonus: Mapping[int, float] | None = None,
    *,
    greedy: bool = False,
) -> dict[int, int]:
    """The optimiser alone, on given scores: request id -> mentor id.

    ``edges`` are (request id, mentor id, score) for compatible pairs, ``free_slots`` the
    free places of every mentor, ``bonus`` extra points per request (priority). Maximises
    the sum of score + bonus over the chosen pairs (``greedy``: the naive baseline).
    """
    edges = list(edges)
    bonus = bonus or {}
    mentor_ids = sorted(free_slots)
    request_ids = sorted({request_id for request_id, _, _ in edges})
    mentor_at = {mentor_id: index for index, mentor_id in enumerate(mentor_ids)}
    request_at = {request_id: index for index, request_id in enumerate(request_ids)}
    free = np.array([max(free_slots[m], 0) for m in mentor_ids], dtype=np.int64)
    usable = sorted(
        (request_at[r], mentor_at[m], points + bonus.get(r, 0.0))
        for r, m, points in edges
        if free_slots[m] > 0
    )
    request = np.array([r for r, _, _ in usable], dtype=np.int64)
    mentor = np.array([m for _, m, _ in usable], dtype=np.int64)
    weight = _weights(np.array([w for _, _, w in usable], dtype=np.float64), 0.0)
    solve = _greedy_assignment if greedy else _max_weight_assignment
    match = solve(len(request_ids), free, request, mentor, weight)
    return {request_ids[i]: mentor_ids[j] for i, j in enumerate(match.tolist()) if j >= 0}


def _assign(requests, mentors, today: date, solve) -> BulkResult:
    requests = sorted(requests, key=lambda request: request.id)
    mentors = sorted(mentors, key=lambda mentor: mentor.id)
    edges = _candidate_edges(requests, mentors)
    urgency = np.array([priority(request, today) for request in requests], dtype=np.float64)
    bonus = PRIORITY_WEIGHT * 100 * urgency
    weight = _weights(edges.total, bonus[edges.request])
    match = solve(len(requests), edges.free, edges.request, edges.mentor, weight)

    assignments, scores, unmatched = {}, {}, {}
    for index, request in enumerate(requests):
        chosen = int(match[index])
        if chosen >= 0:
            mentor = mentors[chosen]
            assignments[request.id] = mentor.id
            scores[request.id] = score(request, mentor)  # the reference, with its parts
        elif not edges.fits_any[index]:
            unmatched[request.id] = NO_COMPATIBLE_MENTOR
        elif not edges.fits_free[index]:
            unmatched[request.id] = COMPATIBLE_MENTORS_FULL
        else:
            unmatched[request.id] = OUTCOMPETED
    total = round(sum(fit.total for fit in scores.values()), 1)
    return BulkResult(assignments, scores, unmatched, total)


def bulk_assign(
    requests: Iterable[RequestNeeds], mentors: Iterable[MentorCandidate], *, today: date
) -> BulkResult:
    """The best pairs for a whole waiting list, within each mentor's free places.

    Maximises, over the chosen pairs, score + PRIORITY_WEIGHT x 100 x priority (to the
    hundredth of a point): an exact optimum, not a first-come choice, so a mentor who fits
    two young people goes where the whole list gains most, and urgent requests come
    first when fits are close. Every compatible pair is considered. Deterministic.
    """
    return _assign(requests, mentors, today, _max_weight_assignment)


def greedy_assign(
    requests: Iterable[RequestNeeds], mentors: Iterable[MentorCandidate], *, today: date
) -> BulkResult:
    """Baseline for ``bulk_assign``: heaviest pair first, kept if both still have room."""
    return _assign(requests, mentors, today, _greedy_assignment)
