"""The catalogue's part of the départements' figures: what is looked for and reached.

Searches and consultations are counted by distinct monthly pseudonyms
(``backend.pseudonyms``), so that a figure from one busy person is hidden like a
figure from one person.
"""

from collections import Counter
from datetime import datetime, timedelta

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from backend.aggregates import (
    ALL,
    END,
    RANGE,
    SUM,
    Cell,
    TableInfo,
    count_cells,
    merge,
    percentiles,
    seconds_between,
    tables,
    totals,
)

from . import communes
from .models import (
    Demarche,
    Entry,
    EntryConsultation,
    EntryErrorReport,
    SearchEvent,
    Structure,
)
from .selectors import needs_review
from .vocabulary import CATEGORIE_CHOICES

SECTION = _("Catalogue")
CATEGORIES = dict(CATEGORIE_CHOICES)
REPORT_CELLS = {
    "received": _("received"),
    "handled": _("handled"),
    "dismissed": _("dismissed"),
}
DEMARCHE_CELLS = {
    "started": _("started"),
    "done": _("completed"),
    "abandoned": _("abandoned"),
}


def _categorie_label(key: str) -> str:
    if not key:
        return str(_("no category"))
    return str(CATEGORIES.get(key) or key)  # a category data·inclusion has since dropped


def _entry_titles(keys: list) -> dict:
    """The titles of the entries shown, in one query. A consultation of an entry since
    deleted has no entry (key ``None``, kept as "null"): it keeps the fallback label."""
    ids = {key: int(key) for key in keys if str(key).isdigit()}
    titles = dict(Entry.objects.filter(pk__in=ids.values()).values_list("pk", "title"))
    return {key: titles[pk] for key, pk in ids.items() if pk in titles}


def _commune_names(keys: list) -> dict:
    """The communes shown, as "Saint-Denis (93066)": named by INSEE's official list
    (``communes``); a code it no longer holds (a former commune) is named as most of the
    catalogue's structures and entries there name it, in two queries for a table. A code
    named by neither keeps the fallback label."""
    codes = [key for key in keys if key]
    names = {code: commune.label for code in codes if (commune := communes.get(code))}
    former = [code for code in codes if code not in names]
    uses: Counter = Counter()
    for model in (Structure, Entry) if former else ():
        rows = (
            model.objects.filter(commune_code__in=former)
            .exclude(commune="")
            .values_list("commune_code", "commune")
            .annotate(uses=Count("pk"))
            .order_by()
        )
        for code, name, count in rows:
            uses[code, name] += count
    # The most used spelling; between equals, the first in alphabetical order.
    for (code, name), _count in sorted(uses.items(), key=lambda item: (-item[1], item[0][1])):
        names.setdefault(code, f"{name} ({code})")
    return names


SEARCHES = _("searches")


def _split(title, unit=SEARCHES, **extra) -> TableInfo:
    """A table of events split by one key (category, commune) with their total."""
    return TableInfo(
        title=title,
        unit=unit,
        section=SECTION,
        combine=SUM,
        has_total=True,
        partition=True,
        **extra,
    )


TABLES = {
    "catalogue.consulted_categories": _split(
        _("Most consulted categories"), _("consultations"), label=_categorie_label
    ),
    # Readers, not readings: the categories' table counts readings, and a category's
    # readings minus its shown entries' would otherwise give the hidden entries' back.
    # A range adds up each month's readers (pseudonyms change every month).
    "catalogue.consulted_entries": TableInfo(
        title=_("Most read entries"),
        unit=_("readers"),
        section=SECTION,
        combine=SUM,
        label=lambda _key: str(_("entry removed")),
        labels=_entry_titles,
    ),
    "catalogue.searches_by_category": _split(_("Searches by category"), label=_categorie_label),
    "catalogue.unmet_by_category": _split(
        _("Searches that found nothing, by category"), label=_categorie_label
    ),
    "catalogue.unmet_by_commune": _split(
        _("Searches that found nothing, by commune"),
        label=lambda key: (
            str(_("INSEE code %(code)s") % {"code": key}) if key else str(_("no commune given"))
        ),
        labels=_commune_names,
    ),
    "catalogue.demarches": TableInfo(
        title=_("Saved procedures"),
        unit=_("procedures"),
        section=SECTION,
        combine=SUM,
        cells=DEMARCHE_CELLS,
    ),
    "catalogue.stale_entries": TableInfo(
        title=_("Published entries not reviewed for six months"),
        unit=_("entries"),
        section=SECTION,
        combine=END,
        cells={ALL: _("entries to review")},
        about_people=False,
    ),
    # A freshness signal: what the app's users found wrong, and how fast curators looked.
    # About entries, not people (no reporter is counted): nothing to hide.
    "catalogue.error_reports": TableInfo(
        title=_("Errors reported in the app"),
        unit=_("reports"),
        section=SECTION,
        combine=SUM,
        cells=REPORT_CELLS,
        about_people=False,
    ),
    "catalogue.error_report_handling_time": TableInfo(
        title=_("Time to handle a reported error"),
        unit=_("days"),
        section=SECTION,
        combine=RANGE,
        measure=True,
        about_people=False,
        cells={"median": _("median (days)")},
    ),
}


def forget(start: datetime, end: datetime) -> int:
    """Blank the pseudonyms of [start, end), a month every département has kept: they
    served only to count distinct people, and with the server's secret they would lead
    back to accounts."""
    window = {"created_at__gte": start, "created_at__lt": end}
    searches = SearchEvent.objects.filter(**window).exclude(visitor="").update(visitor="")
    readings = EntryConsultation.objects.filter(**window).exclude(visitor="").update(visitor="")
    return searches + readings


def provider(codes: list[str] | None, start: datetime, end: datetime) -> dict:
    """Readings, searches, unmet needs, procedures, entries to review, error reports."""
    window = {"created_at__gte": start, "created_at__lt": end}
    consulted = EntryConsultation.objects.filter(**window)
    searches = SearchEvent.objects.filter(**window)
    unmet = searches.filter(found=False)
    scope = {"departement": "departement", "codes": codes, "people": "visitor"}
    unmet_total = totals(unmet, **scope)  # one query for both tables of unmet needs
    return merge(
        tables(
            "catalogue.consulted_categories",
            count_cells(consulted, cell="categorie", **scope),
            totals(consulted, **scope),
        ),
        tables(
            "catalogue.consulted_entries",
            count_cells(consulted, cell="entry", value=Count("visitor", distinct=True), **scope),
        ),
        tables(
            "catalogue.searches_by_category",
            count_cells(searches, cell="categorie", **scope),
            totals(searches, **scope),
        ),
        tables(
            "catalogue.unmet_by_category",
            count_cells(unmet, cell="categorie", **scope),
            unmet_total,
        ),
        tables(
            "catalogue.unmet_by_commune",
            count_cells(unmet, cell="commune_code", **scope),
            unmet_total,
        ),
        _demarches(codes, start, end),
        _stale(codes, end),
        _error_reports(codes, start, end),
    )


def _cells_by_part(parts: dict, scope: dict) -> dict[str, dict[str, Cell]]:
    """``{code: {part: cell}}``: the totals of each queryset of ``parts``, per code."""
    cells: dict[str, dict[str, Cell]] = {}
    for name, queryset in parts.items():
        for code, cell in totals(queryset, **scope).items():
            cells.setdefault(code, {})[name] = cell
    return cells


def _demarches(codes, start: datetime, end: datetime) -> dict:
    """Started, completed and abandoned in the window: one query per state."""
    scope = {"departement": "user__profile__departement", "codes": codes, "people": "user"}
    closed = Demarche.objects.filter(closed_at__gte=start, closed_at__lt=end)
    parts = {
        "started": Demarche.objects.filter(created_at__gte=start, created_at__lt=end),
        "done": closed.filter(status=Demarche.Status.DONE),
        "abandoned": closed.filter(status=Demarche.Status.ABANDONED),
    }
    cells = _cells_by_part(parts, scope)
    return tables("catalogue.demarches", cells)


def _stale(codes, end: datetime) -> dict:
    """Entries published at the end of the window whose last review is too old then."""
    stale = Entry.objects.filter(status=Entry.Status.PUBLISHED, created_at__lt=end).filter(
        needs_review((end - timedelta(microseconds=1)).date())
    )
    per_code = count_cells(
        stale, departement="departement", codes=codes, people="pk", value=Count("pk")
    )
    return tables("catalogue.stale_entries", per_code)


def _error_reports(codes, start: datetime, end: datetime) -> dict:
    """Reports received in the window, those handled or dismissed in it, and the median
    time from a report to its handling (dismissals included: the curators looked)."""
    scope = {"departement": "departement", "codes": codes, "people": "pk"}
    closed = EntryErrorReport.objects.filter(handled_at__gte=start, handled_at__lt=end)
    parts = {
        "received": EntryErrorReport.objects.filter(created_at__gte=start, created_at__lt=end),
        "handled": closed.filter(state=EntryErrorReport.State.HANDLED),
        "dismissed": closed.filter(state=EntryErrorReport.State.DISMISSED),
    }
    cells = _cells_by_part(parts, scope)
    handling = percentiles(
        closed,
        **scope,
        seconds=seconds_between("handled_at", "created_at"),
        fractions={"median": 0.5},
    )
    return merge(
        tables("catalogue.error_reports", cells),
        tables("catalogue.error_report_handling_time", handling),
    )
