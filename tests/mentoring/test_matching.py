"""Scoring mentor / young person pairs, proposals, priority and bulk matching (no database)."""

import itertools
import math
import random
from collections import Counter
from dataclasses import replace
from datetime import date, timedelta

import pytest

from mentoring.matching import (
    COMPATIBLE_MENTORS_FULL,
    NO_COMPATIBLE_MENTOR,
    OUTCOMPETED,
    MentorCandidate,
    RequestNeeds,
    assign_edges,
    bulk_assign,
    distance_km,
    greedy_assign,
    priority,
    propose,
    score,
    score_table,
)

TODAY = date(2026, 11, 23)
BOBIGNY = (48.91, 2.44)
EVENINGS = frozenset({"wed_evening", "sat_morning", "sat_afternoon"})
PARTS = ["domains", "language", "distance", "availability", "preference"]


def young(**fields) -> RequestNeeds:
    defaults = {
        "id": 1,
        "needs": frozenset({"housing", "job_training"}),
        "languages": frozenset({"fr"}),
        "latitude": BOBIGNY[0],
        "longitude": BOBIGNY[1],
        "commune_code": "93008",
        "meeting_mode": "both",
        "preferred_gender": "",
        "availability": EVENINGS,
        "waiting_since": TODAY,
        "birth_date": date(2006, 5, 1),
    }
    return RequestNeeds(**{**defaults, **fields})


def mentor(**fields) -> MentorCandidate:
    defaults = {
        "id": 10,
        "domains": frozenset({"housing", "job_training", "budget_bank"}),
        "languages": frozenset({"fr", "en"}),
        "latitude": BOBIGNY[0],
        "longitude": BOBIGNY[1],
        "commune_code": "93008",
        "max_distance_km": 10,
        "meeting_mode": "both",
        "availability": EVENINGS | {"sun_evening"},
        "gender": "female",
        "free_slots": 1,
    }
    return MentorCandidate(**{**defaults, **fields})


def seeded(seed: int) -> random.Random:
    return random.Random(seed)  # noqa: S311 - reproducible test data, not secrets


def km_north(km: float) -> float:
    return BOBIGNY[0] + km / 111.2


# --- Scores ---------------------------------------------------------------------------


def test_mentor_covering_every_need_nearby_gets_full_points():
    fit = score(young(), mentor())
    assert fit.parts == {
        "domains": 40,
        "language": 15,
        "distance": 15,
        "availability": 20,
        "preference": 10,
    }
    assert fit.total == 100
    assert list(fit.parts) == PARTS


def test_domains_count_the_share_of_needs_covered():
    needs = frozenset({"housing", "health", "studies"})
    assert score(young(needs=needs), mentor()).parts["domains"] == 13.3
    assert score(young(), mentor(domains=frozenset({"housing"}))).parts["domains"] == 20


def test_no_shared_domain_is_incompatible():
    assert score(young(), mentor(domains=frozenset({"health"}))) is None


def test_distance_points_fall_linearly_to_the_mentors_limit():
    near = mentor(latitude=km_north(5))
    distance = distance_km(young(), near)
    assert distance == pytest.approx(5, abs=0.05)
    assert score(young(), near).parts["distance"] == pytest.approx(
        15 * (1 - distance / 10), abs=0.05
    )
    assert score(young(), mentor(latitude=km_north(2))).parts["distance"] > 7.5


def test_far_mentor_meets_remotely_when_both_accept_it():
    far = mentor(latitude=km_north(30))
    fit = score(young(meeting_mode="both"), far)
    assert fit is not None
    assert fit.parts["distance"] == 0  # the young person would have travelled
    assert score(young(meeting_mode="remote"), far).parts["distance"] == 15


def test_in_person_out_of_reach_is_incompatible():
    far = mentor(latitude=km_north(30))
    assert score(young(meeting_mode="in_person"), far) is None
    assert score(young(), replace(far, meeting_mode="in_person")) is None


def test_remote_only_mentor():
    remote = mentor(meeting_mode="remote", latitude=km_north(80))
    assert score(young(meeting_mode="in_person"), remote) is None
    with_both = score(young(meeting_mode="both"), remote)
    assert with_both.parts["distance"] == 0
    assert with_both.parts["preference"] == 5  # not exactly the young person's choice
    with_remote = score(young(meeting_mode="remote"), remote)
    assert with_remote.parts["distance"] == 15
    assert with_remote.parts["preference"] == 10
    assert with_remote.total > with_both.total


def test_unknown_coordinates_in_the_same_commune_count_as_zero_km():
    no_coordinates = young(latitude=None, longitude=None, meeting_mode="in_person")
    assert score(no_coordinates, mentor()).parts["distance"] == 15
    assert score(no_coordinates, mentor(commune_code="93066")) is None
    assert score(no_coordinates, mentor(commune_code="93066", meeting_mode="both")) is None
    # A blank commune is no commune.
    blank = replace(no_coordinates, commune_code="")
    assert score(blank, mentor(commune_code="")) is None
    # Remote meetings need no distance.
    assert score(replace(no_coordinates, meeting_mode="both"), mentor(commune_code="93066"))


def test_mentor_who_only_meets_in_their_commune():
    home = mentor(max_distance_km=0, latitude=None, longitude=None, meeting_mode="in_person")
    assert score(young(), home).parts["distance"] == 15
    assert score(young(commune_code="93066", latitude=None), home) is None


def test_no_shared_language_is_incompatible():
    assert score(young(languages=frozenset({"ti"})), mentor()) is None
    assert score(young(languages=frozenset({"ti", "ar"})), mentor(languages=frozenset({"ar"})))


def test_sharing_only_french_with_someone_who_speaks_another_language_gives_two_thirds():
    bilingual = young(languages=frozenset({"fr", "ar"}))
    assert score(bilingual, mentor()).parts["language"] == 10
    assert score(bilingual, mentor(languages=frozenset({"fr", "ar"}))).parts["language"] == 15
    assert score(young(), mentor()).parts["language"] == 15  # French is all they speak


def test_gender_wish_is_honoured_or_the_pair_is_not_possible():
    wish = young(preferred_gender="female")
    assert score(wish, mentor(gender="female")).parts["preference"] == 10
    assert score(wish, mentor(gender="male")) is None
    assert score(wish, mentor(gender="")) is None
    assert score(young(), mentor(gender="male")) is not None


def test_availability_counts_shared_slots_up_to_three():
    six = frozenset({"mon_evening", "tue_evening", "wed_evening", "thu_evening", "fri_evening"})
    six |= {"sat_morning"}
    many = young(availability=six)
    assert score(many, mentor()).parts["availability"] == 13.3  # 2 shared of 3 needed
    three = mentor(availability=frozenset({"mon_evening", "tue_evening", "wed_evening"}))
    assert score(many, three).parts["availability"] == 20
    two = young(availability=frozenset({"wed_evening", "fri_morning"}))
    assert score(two, mentor()).parts["availability"] == 10
    assert score(young(availability=frozenset()), mentor()).parts["availability"] == 0
    # No shared slot lowers the score, it does not forbid the pair.
    assert score(young(), mentor(availability=frozenset({"mon_morning"}))) is not None


def test_parts_add_up_to_the_total():
    requests, mentors = random_people(seeded(3), 60, 60)
    checked = 0
    for request, candidate in itertools.product(requests, mentors):
        fit = score(request, candidate)
        if fit is None:
            continue
        checked += 1
        assert list(fit.parts) == PARTS
        assert sum(fit.parts.values()) == pytest.approx(fit.total, abs=1e-9)
        assert 0 < fit.total <= 100
        assert all(round(part, 1) == part for part in fit.parts.values())
    assert checked > 200


# --- Proposals ------------------------------------------------------------------------


def test_proposals_are_best_first_and_skip_full_mentors():
    mentors = [
        mentor(id=1, latitude=km_north(8)),  # 8 km away: 88 points
        mentor(id=2),  # perfect, but full
        mentor(id=3),  # perfect
        mentor(id=4, languages=frozenset({"en"})),  # no shared language
        mentor(id=5, latitude=km_north(8)),  # same as 1: ties go by id
        mentor(id=6, domains=frozenset({"housing"})),  # half the needs: 80 points
    ]
    mentors[1] = replace(mentors[1], free_slots=0)
    proposals = propose(young(), mentors)
    assert [proposal.mentor_id for proposal in proposals] == [3, 1, 5, 6]
    assert proposals[0].score == score(young(), mentors[2])
    assert [p.mentor_id for p in propose(young(), mentors, limit=2)] == [3, 1]


# --- Priority -------------------------------------------------------------------------


def born_turning_18_in(days: int) -> date:
    eighteenth = TODAY + timedelta(days=days)
    return eighteenth.replace(year=eighteenth.year - 18)


@pytest.mark.parametrize(
    ("waited", "birth_date", "expected"),
    [
        (90, None, 0.5),
        (0, None, 0.0),
        (400, None, 1.0),
        (-5, None, 0.0),  # a date in the future waits for nothing
        (0, born_turning_18_in(73), 0.8),
        (0, born_turning_18_in(400), 0.0),
        (90, born_turning_18_in(73), 0.8),  # the larger of the two
        (162, born_turning_18_in(73), 0.9),
        (0, born_turning_18_in(0), 1.0),  # 18 today
        (0, born_turning_18_in(-200), 1.0),  # within the year after 18
        (36, born_turning_18_in(-400), 0.2),  # 19 or more: only the wait counts
    ],
)
def test_priority(waited, birth_date, expected):
    request = young(waiting_since=TODAY - timedelta(days=waited), birth_date=birth_date)
    assert priority(request, TODAY) == pytest.approx(expected)


def test_priority_of_a_29_february_birthday():
    request = young(birth_date=date(2008, 2, 29))
    assert priority(request, date(2026, 2, 28)) == pytest.approx(1 - 1 / 365)
    assert priority(request, date(2026, 3, 1)) == 1.0


# --- The optimiser on hand-made scores -------------------------------------------------


def test_optimum_beats_greedy_where_the_best_pair_strands_another_request():
    edges = [(1, 10, 100), (1, 20, 90), (2, 10, 85), (3, 20, 20)]
    free = {10: 1, 20: 1}
    assert assign_edges(edges, free) == {1: 20, 2: 10}  # 90 + 85 = 175
    assert assign_edges(edges, free, greedy=True) == {1: 10, 3: 20}  # 100 + 20 = 120


def test_assignment_maximises_the_sum_not_the_number_of_pairs():
    edges = [(1, 10, 100), (1, 20, 1), (2, 10, 1)]
    assert assign_edges(edges, {10: 1, 20: 1}) == {1: 10}


def test_bonus_lets_an_urgent_request_take_a_contested_mentor():
    edges = [(1, 10, 80), (2, 10, 70)]
    assert assign_edges(edges, {10: 1}) == {1: 10}
    assert assign_edges(edges, {10: 1}, bonus={2: 30}) == {2: 10}


def test_more_places_than_requests():
    edges = [(1, 10, 50), (1, 20, 60), (2, 20, 55), (3, 30, 10)]
    assert assign_edges(edges, {10: 3, 20: 3, 30: 2}) == {1: 20, 2: 20, 3: 30}


def test_full_mentors_and_capacities_are_respected():
    edges = [(1, 10, 90), (2, 10, 80), (3, 10, 70), (1, 20, 99), (2, 20, 99)]
    assert assign_edges(edges, {10: 2, 20: 0}) == {1: 10, 2: 10}
    assert assign_edges(edges, {10: 0, 20: 0}) == {}
    assert assign_edges([], {10: 1}) == {}


@pytest.mark.parametrize("seed", range(25))
def test_optimum_equals_brute_force_on_small_instances(seed):
    rng = seeded(seed)
    request_ids, mentor_ids = range(1, 6), [10, 20, 30, 40]
    edges = [(r, m, rng.randint(1, 100)) for r in request_ids for m in mentor_ids]
    edges = [edge for edge in edges if rng.random() < 0.6]
    free = {m: rng.randint(0, 3) for m in mentor_ids}  # fewer or more places than requests
    bonus = {r: rng.choice([0, 0, 15, 30]) for r in request_ids}
    points = {(r, m): s + bonus[r] for r, m, s in edges}

    def value(assignment):
        return sum(points[pair] for pair in assignment.items())

    best = 0
    for choice in itertools.product([None, *mentor_ids], repeat=len(request_ids)):
        assignment = {r: m for r, m in zip(request_ids, choice, strict=True) if m}
        if all((r, m) in points for r, m in assignment.items()) and all(
            count <= free[m] for m, count in Counter(assignment.values()).items()
        ):
            best = max(best, value(assignment))
    optimum = assign_edges(edges, free, bonus)
    assert value(optimum) == best
    assert all(count <= free[m] for m, count in Counter(optimum.values()).items())
    assert value(assign_edges(edges, free, bonus, greedy=True)) <= best


# --- Bulk matching ----------------------------------------------------------------------

COMMUNES = [
    ("93008", 48.91, 2.44),
    ("93066", 48.94, 2.36),
    ("75056", 48.86, 2.35),
    ("94028", 48.79, 2.46),
    ("92050", 48.89, 2.21),
]
SLOTS = [f"{day}_{part}" for day in ("mon", "wed", "sat") for part in ("morning", "evening")]


def random_people(rng: random.Random, n_requests: int, n_mentors: int):
    """People with every awkward case: no coordinates, blank communes, no slots, wishes."""

    def place():
        code, lat, lon = rng.choice(COMMUNES)
        if rng.random() < 0.2:
            return rng.choice([code, ""]), None, None
        return (
            code,
            round(lat + rng.uniform(-0.05, 0.05), 2),
            round(lon + rng.uniform(-0.05, 0.05), 2),
        )

    def some(words, low, high):
        return frozenset(rng.sample(words, rng.randint(low, high)))

    domains = ["housing", "job_training", "studies", "health", "mobility"]
    languages = ["fr", "fr", "fr", "ar", "en", "ti"]
    modes = ["in_person", "remote", "both"]
    requests = []
    for number in range(n_requests):
        code, lat, lon = place()
        requests.append(
            RequestNeeds(
                id=1000 + number,
                needs=some(domains, 0 if number % 40 == 0 else 1, 3),
                languages=some(languages, 1, 2),
                latitude=lat,
                longitude=lon,
                commune_code=code,
                meeting_mode=rng.choice(modes),
                preferred_gender=rng.choice(["", "", "", "female", "male"]),
                availability=some(SLOTS, 0, 5),
                waiting_since=TODAY - timedelta(days=rng.randint(0, 300)),
                birth_date=rng.choice([None, TODAY - timedelta(days=rng.randint(5800, 7800))]),
            )
        )
    mentors = []
    for number in range(n_mentors):
        code, lat, lon = place()
        mentors.append(
            MentorCandidate(
                id=1 + number,
                domains=some(domains, 1, 3),
                languages=some(languages, 1, 3),
                latitude=lat,
                longitude=lon,
                commune_code=code,
                max_distance_km=rng.choice([0, 3, 5, 10, 20]),
                meeting_mode=rng.choice(modes),
                availability=some(SLOTS, 0, 4),
                gender=rng.choice(["female", "male", "other", ""]),
                free_slots=rng.choice([0, 1, 1, 2, 3]),
            )
        )
    return requests, mentors


def test_vectorised_scores_equal_the_scalar_score():
    requests, mentors = random_people(seeded(11), 150, 120)
    table = score_table(requests, mentors)
    compatible = 0
    for (i, request), (j, candidate) in itertools.product(enumerate(requests), enumerate(mentors)):
        fit = score(request, candidate)
        if fit is None:
            assert math.isnan(table[i, j]), (request, candidate)
        else:
            compatible += 1
            assert table[i, j] == fit.total, (request, candidate)
    assert 1000 < compatible < len(requests) * len(mentors)


def check_bulk_result(result, requests, mentors):
    by_id = {m.id: m for m in mentors}
    requests_by_id = {r.id: r for r in requests}
    assert set(result.assignments) | set(result.unmatched) == set(requests_by_id)
    assert not set(result.assignments) & set(result.unmatched)
    for mentor_id, count in Counter(result.assignments.values()).items():
        assert count <= by_id[mentor_id].free_slots
    for request_id, mentor_id in result.assignments.items():
        assert result.scores[request_id] == score(requests_by_id[request_id], by_id[mentor_id])
    assert result.total_score == pytest.approx(sum(s.total for s in result.scores.values()))


def test_bulk_is_at_least_as_good_as_greedy_and_respects_capacities():
    requests, mentors = random_people(seeded(7), 300, 100)
    bulk = bulk_assign(requests, mentors, today=TODAY)
    greedy = greedy_assign(requests, mentors, today=TODAY)
    check_bulk_result(bulk, requests, mentors)
    check_bulk_result(greedy, requests, mentors)

    def objective(result):
        urgency = {r.id: priority(r, TODAY) for r in requests}
        return sum(s.total + 30 * urgency[r] for r, s in result.scores.items())

    assert objective(bulk) >= objective(greedy) - 0.01 * len(bulk.assignments)
    assert len(bulk.assignments) > 50
    assert set(Counter(bulk.unmatched.values())) == {
        NO_COMPATIBLE_MENTOR,
        COMPATIBLE_MENTORS_FULL,
        OUTCOMPETED,
    }


def test_bulk_is_deterministic_whatever_the_order_of_the_lists():
    requests, mentors = random_people(seeded(5), 120, 40)
    first = bulk_assign(requests, mentors, today=TODAY)
    shuffled = seeded(1)
    requests, mentors = requests[:], mentors[:]
    shuffled.shuffle(requests)
    shuffled.shuffle(mentors)
    assert bulk_assign(requests, mentors, today=TODAY) == first


def test_unmatched_requests_say_why():
    requests = [
        young(id=1, languages=frozenset({"ti"})),  # nobody speaks Tigrinya
        young(id=2, needs=frozenset({"health"})),  # only mentor 20 helps, and is full
        young(id=3),
        young(id=4),  # 3 and 4 both want mentor 10's single place
    ]
    mentors = [mentor(id=10), mentor(id=20, domains=frozenset({"health"}), free_slots=0)]
    for assign in (bulk_assign, greedy_assign):
        result = assign(requests, mentors, today=TODAY)
        assert result.assignments == {3: 10}  # equal in all: the smaller id
        assert result.unmatched == {
            1: NO_COMPATIBLE_MENTOR,
            2: COMPATIBLE_MENTORS_FULL,
            4: OUTCOMPETED,
        }
        assert result.total_score == 100


def test_urgent_request_wins_a_contested_mentor_despite_a_lesser_fit():
    calm = young(id=1)
    urgent = young(
        id=2,
        waiting_since=TODAY - timedelta(days=200),
        availability=frozenset({"wed_evening", "sat_morning", "mon_morning"}),
    )
    mentors = [mentor(id=10)]
    assert score(urgent, mentors[0]).total < score(calm, mentors[0]).total
    result = bulk_assign([calm, urgent], mentors, today=TODAY)
    assert result.assignments == {2: 10}
    assert result.unmatched == {1: OUTCOMPETED}


def test_bulk_finds_the_optimum_that_greedy_misses():
    # Mentor 10 fits request 1 best, but only mentor 10 fits request 2.
    requests = [
        young(id=1),
        young(id=2, needs=frozenset({"budget_bank"})),
    ]
    mentors = [
        mentor(id=10),
        mentor(id=20, domains=frozenset({"housing"}), latitude=km_north(5)),
    ]
    greedy = greedy_assign(requests, mentors, today=TODAY)
    bulk = bulk_assign(requests, mentors, today=TODAY)
    assert greedy.assignments == {1: 10}
    assert bulk.assignments == {1: 20, 2: 10}
    assert bulk.total_score > greedy.total_score


def test_bulk_with_nobody_to_match():
    assert bulk_assign([], [mentor()], today=TODAY).assignments == {}
    result = bulk_assign([young()], [], today=TODAY)
    assert result.unmatched == {1: NO_COMPATIBLE_MENTOR}
    assert result.total_score == 0
