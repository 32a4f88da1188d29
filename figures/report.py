"""A département's (or the nation's) figures for a period, with small counts hidden.

Months are computed once they are over and kept (``MonthlyFigures``); a range adds
its months up (``SUM``), takes its last month (``END``) or, for distinct people and
percentiles, is computed again over the whole range (``RANGE``). Every table then goes
through ``suppression.hidden_cells``; a cell hidden in any month of a range stays
hidden in the range, so a range minus its other months never gives it back.

The national view adds up the départements (percentiles are computed over all of
them, people without a département left out). A cell hidden in
some départements is shown nationally only if those départements are at least two
and stand together for at least the threshold of people: the national figure minus
the shown départements then gives a group, never one département's hidden cell. A
cell hidden nationally in a month stays hidden in a range, as for a département.

This module reads nothing: ``selectors`` reads the kept months and puts the reports
together with it, ``services`` keeps a month.
"""

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from backend.aggregates import END, RANGE, Cell, Table, TableInfo

from .periods import Period
from .registry import table_info, table_keys
from .suppression import TOTAL, gives_back, hidden_cells, small_cells

# Why a figure is hidden: computed from fewer people than the threshold (reads "< 5"),
# or hidden so that such a figure cannot be worked out (reads "secret").
SMALL = "small"
PROTECTIVE = "protective"

Raw = dict[str, Table]  # table key -> table


def empty_table(key: str, info: TableInfo) -> Table:
    """Table ``key`` with no row (and a zero total if it has one): a month with nobody."""
    return Table(key, {}, Cell(0, 0) if info.has_total else None)


def complete(table: Table, info: TableInfo) -> Table:
    """Every fixed cell present: a cell nobody is in is a small count like any other."""
    for name in info.cells or ():
        table.cells.setdefault(name, Cell(0, 0))
    return table


def sum_tables(key: str, tables: list[Table], people=sum) -> Table:
    """The tables' values added up; their people too (``sum``: départements, whose
    people are not the same), or the most of them (``max``: months, where the same
    people come back under new pseudonyms, so only the largest month is sure)."""
    cells: dict[str, Cell] = {}
    for name in dict.fromkeys(name for table in tables for name in table.cells):
        parts = [table.cells[name] for table in tables if name in table.cells]
        cells[name] = Cell(sum(c.value for c in parts), people(c.people for c in parts))
    totals = [table.total for table in tables]
    total = None
    if totals and all(t is not None for t in totals):
        total = Cell(sum(t.value for t in totals), people(t.people for t in totals))
    return Table(key, cells, total)


@dataclass
class Combined:
    """One table over a period, before suppression, with what must stay hidden."""

    table: Table
    forced: frozenset[str] = frozenset()


def _combine(
    key: str, info: TableInfo, months: list[Raw], live: Raw | None, threshold: int
) -> Combined:
    tables = [complete(raw.get(key) or empty_table(key, info), info) for raw in months]
    if len(tables) == 1:
        return Combined(tables[0])
    if info.combine == END:
        return Combined(tables[-1])
    forced = frozenset().union(*(hidden_cells(t, info, threshold) for t in tables))
    if info.combine == RANGE:
        table = complete((live or {}).get(key) or empty_table(key, info), info)
    else:
        table = sum_tables(key, tables, people=max)
    return Combined(table, forced)


def combined_all(
    months: list[Raw], live: Raw | None, threshold: int, keys: list[str]
) -> dict[str, Combined]:
    """Each table of ``keys`` over the months (``live``: those computed again over the
    whole range), with what must stay hidden."""
    return {key: _combine(key, table_info(key), months, live, threshold) for key in keys}


def _range_keys() -> set[str]:
    """The tables a range computes again over its whole length (not from its months)."""
    return {key for key in table_keys() if table_info(key).combine == RANGE}


def recomputed_keys(period: Period, keys: list[str]) -> set[str]:
    """The tables of ``keys`` computed again over the period (none for one month)."""
    return _range_keys() & set(keys) if len(period.months()) > 1 else set()


# --- What is shown --------------------------------------------------------------------


@dataclass
class Row:
    key: str
    label: str
    value: float | None  # None: hidden
    share: float | None = None  # percent of the total, for yes/no tables
    hidden: str | None = None  # why: SMALL or PROTECTIVE


@dataclass
class PublishedTable:
    key: str
    section: str
    title: str
    unit: str
    measure: bool
    rows: list[Row]
    total: float | None  # None: hidden, or no total
    has_total: bool
    hidden_rows: int = 0  # cells from the data, hidden and not listed
    total_hidden: str | None = None  # why: SMALL or PROTECTIVE

    @property
    def has_shares(self) -> bool:
        return any(row.share is not None for row in self.rows)


@dataclass
class Report:
    scope: str  # a département's code, or NATIONAL
    scope_name: str
    period: Period
    threshold: int
    tables: list[PublishedTable] = field(default_factory=list)

    def sections(self) -> list[tuple[str, list[PublishedTable]]]:
        grouped: dict[str, list[PublishedTable]] = {}
        for table in self.tables:
            grouped.setdefault(table.section, []).append(table)
        return list(grouped.items())

    def hidden_text(self) -> str:
        return f"< {self.threshold}"

    def secret_text(self) -> str:
        return _("secret")

    def text_of(self, why: str | None) -> str:
        """How a hidden figure reads, by why it is hidden."""
        return self.hidden_text() if why == SMALL else self.secret_text()

    def as_dict(self) -> dict:
        return {
            "departement": self.scope or None,
            "name": self.scope_name,
            "from": self.period.first.isoformat(),
            "to": self.period.last.isoformat(),
            "threshold": self.threshold,
            "hidden": self.hidden_text(),
            "secret": self.secret_text(),
            "tables": [
                {
                    "key": t.key,
                    "section": t.section,
                    "title": t.title,
                    "unit": t.unit,
                    "measure": t.measure,
                    "rows": [
                        {
                            "key": r.key,
                            "label": r.label,
                            "value": r.value,
                            "share": r.share,
                            "hidden": r.hidden,
                        }
                        for r in t.rows
                    ],
                    "total": t.total,
                    "total_hidden": t.total_hidden,
                    "hidden_rows": t.hidden_rows,
                }
                for t in self.tables
            ],
        }

    def table(self, key: str) -> PublishedTable:
        return next(t for t in self.tables if t.key == key)


def _shown(value: float, measure: bool) -> float:
    return round(value, 1) if measure else int(value)


def publish(key: str, table: Table, hidden: set[str], threshold: int) -> PublishedTable:
    """The table as it is shown: labelled rows, ``hidden`` cells without their value."""
    info = table_info(key)
    small = small_cells(table, info, threshold)

    def why(name: str) -> str | None:
        if name not in hidden:
            return None
        return SMALL if name in small else PROTECTIVE

    total = table.total
    total_shown = total is not None and TOTAL not in hidden
    keys = list(info.cells) if info.cells is not None else list(table.cells)
    if info.cells is None:
        keys = [name for name in keys if name not in hidden]  # not listed, not labelled
    words = info.labels(keys) if info.labels else {}
    rows = []
    for name in keys:
        cell = table.cells.get(name, Cell(0, 0))
        visible = name not in hidden
        share = None
        if info.complement and visible and total_shown and total.value:
            share = round(100 * cell.value / total.value, 1)
        rows.append(
            Row(
                name,
                words.get(name) or info.words(name),
                _shown(cell.value, info.measure) if visible else None,
                share,
                why(name),
            )
        )
    hidden_rows = 0
    if info.cells is None:
        hidden_rows = sum(1 for name in table.cells if name in hidden)
        rows.sort(key=lambda r: (-r.value, r.label))
    return PublishedTable(
        key=key,
        section=str(info.section),
        title=str(info.title),
        unit=str(info.unit),
        measure=info.measure,
        rows=rows,
        total=_shown(total.value, False) if total_shown else None,
        has_total=info.has_total,
        hidden_rows=hidden_rows,
        total_hidden=why(TOTAL) if total is not None else None,
    )


def threshold_or_setting(threshold: int | None) -> int:
    """The fewest people a shown figure stands for (``FIGURES_MIN_PEOPLE`` by default)."""
    return settings.FIGURES_MIN_PEOPLE if threshold is None else threshold


def hidden_nationally_in_months(
    per_month: list[dict[str, Raw]], codes: list[str], threshold: int, keys: list[str]
) -> dict[str, frozenset[str]]:
    """The national cells hidden in some month of a range, to hide in the range too
    (else the range minus its other months would give them back). Measures are left
    out: percentiles do not subtract."""
    if len(per_month) < 2:
        return {}
    hidden: dict[str, set[str]] = defaultdict(set)
    for month in per_month:
        local = {code: combined_all([month.get(code, {})], None, threshold, keys) for code in codes}
        for key in keys:
            info = table_info(key)
            if info.measure:
                continue
            table = sum_tables(key, [local[code][key].table for code in codes])
            forced = hidden_somewhere(key, info, local, threshold)
            hidden[key] |= hidden_cells(table, info, threshold, forced)
    return {key: frozenset(cells) for key, cells in hidden.items()}


def hidden_somewhere(key: str, info: TableInfo, local: dict, threshold: int) -> frozenset[str]:
    """National cells to hide so that no département's hidden cell comes back: those
    hidden in one département only, or in several standing for fewer than the threshold
    of people (for a yes/no share, the people on its smaller side). A median is treated
    alike: one département's hidden waits must not be the only ones it adds."""
    groups: dict[str, list[int]] = defaultdict(list)
    for combined in (per_code[key] for per_code in local.values()):
        table = combined.table
        for name in hidden_cells(table, info, threshold, combined.forced):
            cell = table.total if name == TOTAL else table.cells.get(name)
            if cell is None or not cell.people:
                continue  # nobody: nothing to give back
            people = cell.people
            if info.complement and name != TOTAL and table.total is not None:
                # The smaller side, even none: "all of them" tells as much as "2".
                people = min(people, table.total.people - cell.people)
            groups[name].append(people)
    return frozenset(name for name, people in groups.items() if gives_back(people, threshold))


# --- CSV ------------------------------------------------------------------------------


def table_csv(report: Report, key: str) -> str:
    """One table as CSV as French spreadsheets read it (semicolons, decimal commas),
    hidden cells as "< k" or "secret"."""
    table = report.table(key)
    shares = table.has_shares
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow([table.title, report.period, report.scope_name])
    writer.writerow([_("Row"), table.unit] + ([_("Share (%)")] if shares else []))
    for row in table.rows:
        value = report.text_of(row.hidden) if row.value is None else _number(row.value)
        writer.writerow([_text(row.label), value, *([_number(row.share)] if shares else [])])
    if table.hidden_rows:
        writer.writerow([others_text(table.hidden_rows), ""])
    if table.has_total:
        total = table.total
        writer.writerow(
            [_("Total"), report.text_of(table.total_hidden) if total is None else _number(total)]
        )
    return out.getvalue()


def others_text(rows: int) -> str:
    """The line that stands for the rows from the data that are hidden, not listed."""
    return ngettext("%(rows)d other row hidden", "%(rows)d other rows hidden", rows) % {
        "rows": rows
    }


def _number(value: float | None) -> str:
    return "" if value is None else number_format(value, use_l10n=True)


def _text(label: str) -> str:
    """A label a spreadsheet will not run as a formula (an entry's title is typed by staff)."""
    return f"'{label}" if label.startswith(("=", "+", "-", "@")) else label
