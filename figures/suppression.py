"""Small counts hidden, and hidden so that no published figure gives them back.

Rules, for a threshold *k* (``FIGURES_MIN_PEOPLE``):

1. **Primary**: a cell computed from fewer than *k* people is hidden ("< k"). So is,
   in a yes/no table (``complement``), a cell that leaves fewer than *k* people on the
   other side: "all but 2 are in care" would point at 2 people as surely as "2 are".
2. **The total**: a total from fewer than *k* people is hidden, and every cell with it.
3. **Secondary** (``partition`` tables, whose cells add up to the total): the hidden
   cells, together, must be at least two and stand for at least *k* people; otherwise
   the smallest shown cells are hidden too. Then the total minus the shown cells gives
   only the sum of several hidden cells, never one of them, and that sum comes from at
   least *k* people. Where one person may be in several cells (searches by category),
   a group is sure to stand for *k* people only when one of its cells does: five
   cells of one person each may be one person.
4. **Across periods and places**: a cell hidden in one month of a range is hidden in
   the range (``forced``), and the report applies the same reasoning across
   départements for the national view (see ``report``).
"""

from backend.aggregates import Table, TableInfo

TOTAL = "__total__"


def small_cells(table: Table, info: TableInfo, threshold: int) -> set[str]:
    """The cells hidden for what they are (rules 1 and 2): they read "< k". The others
    a table hides protect these ("secret"), and may be large."""
    if not info.about_people:
        return set()
    small = {key for key, cell in table.cells.items() if cell.people < threshold}
    total = table.total
    if total is not None:
        if info.complement:
            small |= {
                key for key, cell in table.cells.items() if total.people - cell.people < threshold
            }
        if total.people < threshold:
            small.add(TOTAL)
    return small


def hidden_cells(
    table: Table, info: TableInfo, threshold: int, forced: frozenset[str] = frozenset()
) -> set[str]:
    """The keys of ``table``'s cells to hide (``TOTAL`` for its total)."""
    if not info.about_people:
        return set()
    hidden = small_cells(table, info, threshold) | (forced & (set(table.cells) | {TOTAL}))
    if table.total is not None and TOTAL in hidden:
        return set(table.cells) | {TOTAL}
    if info.partition and table.total is not None and hidden - {TOTAL}:
        _hide_enough_to_protect(table, info, hidden, threshold)
    return hidden


def gives_back(people: list[int], threshold: int) -> bool:
    """Whether a figure over several départements would give back what some of them
    hide (``people``: the people behind each one's hidden figure): yes unless none, or
    two or more standing together for ``threshold`` people. The callers leave out the
    figures of nobody, which give nothing back."""
    return bool(people) and (len(people) < 2 or sum(people) < threshold)


def _hide_enough_to_protect(table: Table, info: TableInfo, hidden: set[str], threshold: int):
    """Hide the smallest shown cells until the hidden group is safe (rule 3)."""
    shown = sorted(
        (key for key in table.cells if key not in hidden),
        key=lambda key: (table.cells[key].people, table.cells[key].value, key),
    )

    def safe() -> bool:
        people = [table.cells[key].people for key in hidden if key != TOTAL]
        standing = sum(people) if info.people_add_up else max(people, default=0)
        return len(people) >= 2 and standing >= threshold

    while not safe() and shown:
        hidden.add(shown.pop(0))
    if not safe():
        hidden.add(TOTAL)
