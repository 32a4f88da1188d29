"""Steering figures for départements: counts, never people.

Each capability registers, in its ``AppConfig.ready``, a *provider*: a function that
computes its tables for some départements over one window of time, with aggregate
queries (never loading rows into Python). The figures are then composed per period
(``report``) and every cell goes through the suppression of small counts
(``suppression``) before anyone sees it.

A provider is called as ``provider(codes, start, end)``: ``codes`` the départements'
INSEE codes, ``start``/``end`` aware datetimes (``end`` excluded). It returns
``{code: [Table, ...]}`` (a département with nothing may be left out). With
``codes=None`` it computes over all départements pooled, under the key ``NATIONAL``.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

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


@dataclass
class Registry:
    providers: dict[str, Provider] = field(default_factory=dict)
    tables: dict[str, TableInfo] = field(default_factory=dict)
    provided: dict[str, frozenset[str]] = field(default_factory=dict)  # provider -> tables
    forgetters: dict[str, Forget] = field(default_factory=dict)


_registry = Registry()


def register_provider(
    name: str, provider: Provider, tables: dict[str, TableInfo], forget: Forget | None = None
) -> None:
    """Add ``provider``'s tables (described by ``tables``) to every département's figures.

    ``forget(start, end)``, if given, drops what served only to count a month
    [start, end) (pseudonyms), once that month is kept for every département.
    """
    _registry.providers[name] = provider
    _registry.tables.update(tables)
    _registry.provided[name] = frozenset(tables)
    if forget is not None:
        _registry.forgetters[name] = forget


def providers(keys: set[str] | None = None) -> dict[str, Provider]:
    """Every provider, or only those giving at least one of the tables ``keys``."""
    return {
        name: provider
        for name, provider in _registry.providers.items()
        if keys is None or keys & _registry.provided[name]
    }


def forgetters() -> list[Forget]:
    """What each provider forgets once a month is kept everywhere."""
    return list(_registry.forgetters.values())


def table_info(key: str) -> TableInfo:
    """How table ``key`` is combined, hidden and shown."""
    return _registry.tables[key]


def table_keys() -> list[str]:
    """Every table, in the order the providers registered them (the order shown)."""
    return list(_registry.tables)
