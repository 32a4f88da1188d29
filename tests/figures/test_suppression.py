"""Small counts hidden at the threshold, and not recoverable from what is shown."""

import pytest

from backend.aggregates import Cell, Table, TableInfo
from figures.suppression import TOTAL, hidden_cells

PARTITION = TableInfo(title="t", unit="u", section="s", has_total=True, partition=True)
FLAGS = TableInfo(title="t", unit="u", section="s", has_total=True, complement=True)
PLAIN = TableInfo(title="t", unit="u", section="s")


def table(total=None, **cells) -> Table:
    return Table(
        "t",
        {key: Cell(n, n) for key, n in cells.items()},
        Cell(total, total) if total is not None else None,
    )


@pytest.mark.parametrize(("people", "hidden"), [(4, True), (5, False), (6, False)])
def test_threshold_minus_one_is_hidden_threshold_and_above_are_shown(people, hidden):
    assert ("a" in hidden_cells(table(a=people), PLAIN, 5)) is hidden


def test_the_threshold_is_configurable():
    assert hidden_cells(table(a=9), PLAIN, 10) == {"a"}
    assert hidden_cells(table(a=9), PLAIN, 3) == set()


def test_one_hidden_cell_takes_another_with_it_so_total_minus_parts_gives_nothing():
    shown = table(total=63, a=3, b=20, c=40)
    hidden = hidden_cells(shown, PARTITION, 5)
    assert hidden == {"a", "b"}  # b, the smallest shown, hidden too
    # What an attacker computes: total minus the shown cells is a+b, not a.
    recovered = shown.total.value - sum(c.value for k, c in shown.cells.items() if k not in hidden)
    assert recovered == 23 and recovered != shown.cells["a"].value


def test_two_small_hidden_cells_that_add_up_to_a_small_count_take_a_third():
    hidden = hidden_cells(table(total=52, a=1, b=1, c=10, d=40), PARTITION, 5)
    assert hidden == {"a", "b", "c"}


def test_two_hidden_cells_standing_for_enough_people_are_safe_alone():
    # Age bands: each person in one band, so 4 + 4 are 8 people.
    bands = TableInfo(
        title="t", unit="u", section="s", has_total=True, partition=True, people_add_up=True
    )
    assert hidden_cells(table(total=58, a=4, b=4, c=50), bands, 5) == {"a", "b"}


def test_a_group_of_cells_one_person_may_share_counts_as_its_largest_cell():
    # Searches by commune: one visitor's search in each of five communes are five cells
    # of 1 person, maybe the same one; total minus the shown would be their searches.
    searches = table(total=45, a=1, b=1, c=1, d=1, e=1, emploi=40)
    assert hidden_cells(searches, PARTITION, 5) == {"a", "b", "c", "d", "e", "emploi"}
    grouped = table(total=58, a=4, b=4, c=6, d=44)
    assert hidden_cells(grouped, PARTITION, 5) == {"a", "b", "c"}  # c stands for 6


def test_a_small_total_hides_everything():
    assert hidden_cells(table(total=4, a=2, b=2), PARTITION, 5) == {"a", "b", TOTAL}


def test_when_nothing_is_left_to_hide_with_the_total_goes():
    assert hidden_cells(table(total=9, a=3, b=6), PARTITION, 5) == {"a", "b"}
    # One cell is the whole total: hiding it means hiding the total.
    forced = frozenset({"a"})
    assert hidden_cells(table(total=30, a=30), PARTITION, 5, forced) == {"a", TOTAL}


def test_a_yes_no_share_is_hidden_when_few_are_on_either_side():
    hidden = hidden_cells(table(total=40, in_care=38, parent=3, student=20), FLAGS, 5)
    assert hidden == {"in_care", "parent"}  # "all but 2" points at 2 people


def test_forced_cells_stay_hidden_and_protect_themselves():
    hidden = hidden_cells(table(total=90, a=30, b=30, c=30), PARTITION, 5, frozenset({"a"}))
    assert "a" in hidden and len(hidden - {TOTAL}) >= 2


def test_figures_about_offers_are_never_hidden():
    offers = TableInfo(title="t", unit="u", section="s", about_people=False)
    assert hidden_cells(table(a=1), offers, 5) == set()
