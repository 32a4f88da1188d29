"""Reads of the figures: the providers' tables, the kept months, the reports.

How a report is put together from its tables (combining months, hiding small counts,
what is shown) is ``report``, which reads nothing itself.
"""

from collections import defaultdict
from datetime import date, datetime

from django.utils.translation import gettext as _

from accounts.models import Departement
from backend.aggregates import NATIONAL, Table

from .models import MonthlyFigures
from .periods import Period
from .registry import providers, table_info, table_keys
from .report import (
    Raw,
    Report,
    combined_all,
    complete,
    empty_table,
    hidden_nationally_in_months,
    hidden_somewhere,
    publish,
    recomputed_keys,
    sum_tables,
    threshold_or_setting,
)
from .suppression import hidden_cells


def compute(
    codes: list[str] | None, start: datetime, end: datetime, keys: set[str] | None = None
) -> dict[str, Raw]:
    """The providers' tables over [start, end), per département (or pooled); with
    ``keys``, only the providers of those tables are run."""
    result: dict[str, Raw] = defaultdict(dict)
    for provider in providers(keys).values():
        for code, tables in provider(codes, start, end).items():
            for table in tables:
                result[code][table.key] = table
    return result


def kept_months(codes: list[str], months: list[date]) -> list[dict[str, Raw]]:
    """The raw tables of each département for each month (all over), in the order of
    ``months``: kept, or computed now and kept (the first computation wins, so two
    readings never differ). The kept ones are read in one query.

    The one reading that writes: a month that is over is kept the first time it is read,
    by this reading or by ``services.month_archive``, whichever comes first.
    """
    found = _stored(codes, months)
    for month in months:
        missing = [code for code in codes if code not in found[month]]
        if not missing:
            continue
        start, end = Period.month(month.year, month.month).bounds()
        computed = compute(missing, start, end)
        MonthlyFigures.objects.bulk_create(
            [
                MonthlyFigures(
                    departement_id=code,
                    month=month,
                    tables={key: t.as_raw() for key, t in computed.get(code, {}).items()},
                )
                for code in missing
            ],
            ignore_conflicts=True,
        )
        found[month].update(_stored(missing, [month])[month])
    return [found[month] for month in months]


def _stored(codes: list[str], months: list[date]) -> dict[date, dict[str, Raw]]:
    found: dict[date, dict[str, Raw]] = {month: {} for month in months}
    for row in MonthlyFigures.objects.filter(departement_id__in=codes, month__in=months):
        found[row.month][row.departement_id] = {
            key: Table.from_raw(key, raw) for key, raw in row.tables.items()
        }
    return found


def departement_report(
    code: str, period: Period, threshold: int | None = None, keys: list[str] | None = None
) -> Report:
    """The figures of département ``code`` over ``period`` (months that are over);
    only the tables ``keys`` if given (a CSV of one table computes that one)."""
    threshold = threshold_or_setting(threshold)
    keys = keys or table_keys()
    months = [kept.get(code, {}) for kept in kept_months([code], period.months())]
    live = None
    if live_keys := recomputed_keys(period, keys):
        live = compute([code], *period.bounds(), keys=live_keys).get(code, {})
    report = Report(code, Departement.objects.get(pk=code).name, period, threshold)
    for key, combined in combined_all(months, live, threshold, keys).items():
        hidden = hidden_cells(combined.table, table_info(key), threshold, combined.forced)
        report.tables.append(publish(key, combined.table, hidden, threshold))
    return report


def national_report(
    period: Period, threshold: int | None = None, keys: list[str] | None = None
) -> Report:
    """All départements together, for national editors (``report`` says what hides);
    only the tables ``keys`` if given."""
    threshold = threshold_or_setting(threshold)
    keys = keys or table_keys()
    codes = list(Departement.objects.values_list("code", flat=True))
    per_month = kept_months(codes, period.months())
    live_keys = recomputed_keys(period, keys)
    live = compute(codes, *period.bounds(), keys=live_keys) if live_keys else {}
    pooled = {}
    if measures := {key for key in keys if table_info(key).measure}:
        pooled = compute(None, *period.bounds(), keys=measures).get(NATIONAL, {})
    local = {
        code: combined_all([m.get(code, {}) for m in per_month], live.get(code), threshold, keys)
        for code in codes
    }
    in_months = hidden_nationally_in_months(per_month, codes, threshold, keys)
    report = Report(NATIONAL, _("France"), period, threshold)
    for key in keys:
        info = table_info(key)
        if info.measure:  # a median does not add up: computed over everyone
            table = complete(pooled.get(key) or empty_table(key, info), info)
        else:  # each person in one département: their kept months add up exactly
            table = sum_tables(key, [local[code][key].table for code in codes])
        forced = hidden_somewhere(key, info, local, threshold) | in_months.get(key, frozenset())
        hidden = hidden_cells(table, info, threshold, forced)
        report.tables.append(publish(key, table, hidden, threshold))
    return report
