"""Aggregate queries shared by the providers: one GROUP BY per table, no rows loaded."""

from collections import defaultdict
from datetime import date

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

from . import NATIONAL, Cell, Table

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


def years_before(day: date, years: int) -> date:
    """The same day ``years`` earlier (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


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
