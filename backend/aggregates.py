"""Counts per département for the steering figures, in aggregate queries: shared infrastructure.

Each app declares its tables and computes them in its ``<app>/figures.py`` (found by
the ``figures`` app by its name, see ``figures.registry``). What those providers need,
the shapes of a figure (``Cell``, ``Table``, ``TableInfo``, how months combine) and the
GROUP BY helpers (``count_cells``, ``totals``, ``percentiles``...), lives here, in
``backend``, and not in the ``figures`` app: the figures app is above the apps it
counts, so they must not import it (the layers in the README). Nothing here knows an
app: providers pass their own querysets and lookups.

A provider is called as ``provider(codes, start, end)``: ``codes`` the départements'
INSEE codes, ``start``/``end`` aware datetimes (``end`` excluded). It returns
``{code: [Table, ...]}`` (a département with nothing may be left out), computed with
aggregate queries, never loading rows into Python. With ``codes=None`` it computes over
all départements pooled, under the key ``NATIONAL``.
"""

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    QuerySet,
)
from django.db.models.functions import Extract

NATIONAL = ""

# How a table's cells combine over several months.
SUM = "sum"  # counts of events in the window: a range is the sum of its months
END = "end"  # a state at the end of the window (waiting list, approved mentors)
RANGE = "range"  # distinct people or percentiles: computed again over the whole range


@dataclass
class Cell:
    """One figure before suppression: ``value`` (what is shown) and ``people`` (how many
    persons it is computed from, which decides whether it may be shown)."""

    value: float
    people: int


@dataclass
class Table:
    """A provider's figures for one table and one département: cells and a total."""

    key: str
    cells: dict[str, Cell]
    total: Cell | None = None

    def as_raw(self) -> dict:
        """What ``MonthlyFigures`` keeps: plain JSON."""
        return {
            "cells": {key: [c.value, c.people] for key, c in self.cells.items()},
            "total": [self.total.value, self.total.people] if self.total else None,
        }

    @classmethod
    def from_raw(cls, key: str, raw: dict) -> "Table":
        return cls(
            key=key,
            cells={name: Cell(*pair) for name, pair in raw["cells"].items()},
            total=Cell(*raw["total"]) if raw["total"] else None,
        )


Provider = Callable[[list[str] | None, datetime, datetime], dict[str, list[Table]]]
Forget = Callable[[datetime, datetime], int]


@dataclass(frozen=True)
class TableInfo:
    """What a table is and how it is shown.

    ``combine``: how its months add up (``SUM``, ``END`` or ``RANGE``).
    ``partition``: the cells split the total (each person or event in exactly one
    cell): a hidden cell must not be recoverable as the total minus the others.
    ``people_add_up``: each person is in exactly one cell (an age band), so the people
    of several cells add up; otherwise (categories, reasons: one person searches in
    several) a group of cells stands for no more people than its largest cell.
    ``complement``: each cell is a yes/no share of the total (a situation flag): the
    "no" side is a small count too when few are left out.
    ``measure``: the cells are not counts (a median in days): never summed.
    ``about_people``: False for figures about offers, not people (entries to review):
    nothing to hide.
    ``cells``: the fixed cells and their words (shown even when nobody is in them), or
    None when they come from the data (categories, communes, entries: only those shown
    are listed, and ``label`` gives their words).
    ``labels``: the words of several cells at once, for words read from the database
    (one query for a table, not one per row); ``label`` is then the fallback.
    """

    title: str  # lazy translation
    unit: str  # lazy translation: "people", "searches"...
    section: str  # lazy translation: the heading it sits under
    combine: str = SUM
    has_total: bool = False
    partition: bool = False
    people_add_up: bool = False
    complement: bool = False
    measure: bool = False
    about_people: bool = True
    cells: Mapping[str, str] | None = None  # cell key -> words (lazy translations)
    label: Callable[[str], str] = str  # cell key -> words, for cells from the data
    labels: Callable[[list[str]], dict[str, str]] | None = None

    def words(self, key: str) -> str:
        """What cell ``key`` is called."""
        if self.cells is not None and key in self.cells:
            return str(self.cells[key])
        return str(self.label(key))


ALL = "all"  # the cell of a table with a single figure


def in_departements(queryset: QuerySet, departement: str, codes: list[str] | None) -> QuerySet:
    """Rows of ``codes``; with ``None``, of every département (pooled), never of
    nobody's: people without a département are in no département's figures, so the
    national figure must not hold them either (it would single them out)."""
    if codes is None:
        return queryset.filter(**{f"{departement}__isnull": False})
    return queryset.filter(**{f"{departement}__in": codes})


def count_cells(
    queryset: QuerySet,
    *,
    departement: str,
    codes: list[str] | None,
    people: str,
    cell: str | None = None,
    value=None,
) -> dict[str, dict[str, Cell]]:
    """``{code: {cell: Cell(value, people)}}`` in one query.

    ``departement`` is the lookup to the département's code, ``people`` the lookup to
    the person behind each row (counted distinct), ``cell`` the lookup that splits the
    rows (or None for one cell, ``ALL``), ``value`` what is shown (rows by default).
    With ``codes=None``, all départements pooled under ``NATIONAL``.
    """
    value = value if value is not None else Count("pk")
    queryset = in_departements(queryset, departement, codes)
    group = ([departement] if codes is not None else []) + ([cell] if cell else [])
    figures = {"v": value, "p": Count(people, distinct=True)}
    if not group:
        row = queryset.aggregate(**figures)
        return {NATIONAL: {ALL: Cell(row["v"] or 0, row["p"])}} if row["p"] else {}
    result: dict[str, dict[str, Cell]] = defaultdict(dict)
    for row in queryset.order_by().values(*group).annotate(**figures):
        code = row[departement] if codes is not None else NATIONAL
        result[code][row[cell] if cell else ALL] = Cell(row["v"] or 0, row["p"])
    return result


def totals(
    queryset: QuerySet, *, departement: str, codes: list[str] | None, people: str, value=None
) -> dict[str, Cell]:
    """``{code: Cell}``: the same as ``count_cells`` without a split."""
    per_code = count_cells(
        queryset, departement=departement, codes=codes, people=people, value=value
    )
    return {code: cells[ALL] for code, cells in per_code.items()}


def tables(key: str, cells: dict[str, dict[str, Cell]], total: dict | None = None) -> dict:
    """``{code: [Table]}`` from ``count_cells``' result (and totals, if the table has one)."""
    codes = set(cells) | set(total or {})
    return {
        code: [
            Table(
                key,
                cells.get(code, {}),
                (total.get(code) or Cell(0, 0)) if total is not None else None,
            )
        ]
        for code in codes
    }


def merge(*parts: dict) -> dict:
    """Join several ``{code: [Table]}`` into one."""
    joined: dict[str, list[Table]] = defaultdict(list)
    for part in parts:
        for code, found in part.items():
            joined[code].extend(found)
    return joined


class Percentile(Aggregate):
    """PostgreSQL's ``percentile_cont(fraction) WITHIN GROUP (ORDER BY expression)``."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, fraction: float, **extra):
        super().__init__(expression, fraction=float(fraction), **extra)


def percentiles(
    queryset: QuerySet,
    *,
    departement: str,
    codes: list[str] | None,
    people: str,
    seconds,
    fractions: dict[str, float],
) -> dict[str, dict[str, Cell]]:
    """``{code: {name: Cell(days, people)}}``: percentiles of a duration, in days.

    ``seconds`` is an expression giving the duration in seconds. PostgreSQL computes
    them in the query; elsewhere (SQLite), each is read as one row at its rank in order,
    still without loading the others.
    """
    queryset = in_departements(queryset, departement, codes)
    queryset = queryset.annotate(duration_seconds=seconds)
    counts = count_cells(queryset, departement=departement, codes=codes, people=people)
    if connection.vendor == "postgresql":
        group = [departement] if codes is not None else []
        figures = {name: Percentile("duration_seconds", f) for name, f in fractions.items()}
        rows = (
            queryset.order_by().values(*group).annotate(**figures)
            if group
            else [queryset.aggregate(**figures)]
        )
        found = {(row[departement] if group else NATIONAL): row for row in rows}
    else:
        found = {}
        for code, cells in counts.items():
            subset = queryset if code == NATIONAL else queryset.filter(**{departement: code})
            ordered = subset.order_by("duration_seconds").values_list("duration_seconds", flat=True)
            n = cells[ALL].value
            found[code] = {
                name: _interpolated(ordered, n, fraction) for name, fraction in fractions.items()
            }
    day = 86400
    return {
        code: {
            name: Cell((found[code][name] or 0) / day, counts[code][ALL].people)
            for name in fractions
        }
        for code in counts
        if code in found
    }


def _interpolated(ordered: QuerySet, n: int, fraction: float) -> float:
    """``percentile_cont`` computed from at most two rows read at their ranks."""
    position = fraction * (n - 1)
    low = int(position)
    values = list(ordered[low : low + 2])
    if len(values) == 1 or position == low:
        return float(values[0])
    return float(values[0]) + (position - low) * (float(values[1]) - float(values[0]))


def seconds_between(later: str, earlier: str):
    """An expression: seconds from the ``earlier`` moment to the ``later`` one."""
    if connection.vendor == "postgresql":
        difference = ExpressionWrapper(F(later) - F(earlier), output_field=DurationField())
        return Extract(difference, "epoch")

    def julian(name: str) -> Func:
        return Func(F(name), function="julianday", output_field=FloatField())

    return ExpressionWrapper((julian(later) - julian(earlier)) * 86400.0, output_field=FloatField())
