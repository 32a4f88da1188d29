"""The figures in the admin panel: the home page's dashboard, a page per scope, CSV,
and the vault's usage page.

Staff see their département's figures on the admin's home; national
editors and superusers see the national view there and may open any département. The
same ``report`` the API returns is drawn here as bar charts in inline SVG: no script,
no external resource, readable with styles off.
"""

import logging
import re
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.models import Departement
from backend.converters import DepartementCodeConverter
from vault import figures as vault_figures

from . import access
from .periods import Period, PeriodError, months_before
from .registry import table_keys
from .report import PublishedTable, Report, others_text, table_csv
from .selectors import departement_report, national_report

NATIONAL_SCOPE = "national"
SCOPE = re.compile(f"{NATIONAL_SCOPE}|{DepartementCodeConverter.regex}")
logger = logging.getLogger(__name__)


@dataclass
class Bar:
    label: str
    value: float | None  # None: hidden
    share: float | None
    percent: float  # the bar's length against the table's longest
    hidden_as: str  # what a hidden value reads


@dataclass
class Chart:
    table: PublishedTable
    bars: list[Bar]
    csv_url: str
    others: str  # the line of the hidden rows not listed
    total_as: str  # what a hidden total reads


@dataclass
class Shortcut:
    label: str
    query: str
    current: bool


def shortcuts(current: Period, today: date | None = None) -> list[Shortcut]:
    """The periods a busy officer asks for most, as links."""
    today = today or timezone.localdate()
    last = Period.last_closed_month(today)
    month = last.first
    quarter = Period.last_closed_quarter(today)
    periods = [
        (_("Last month"), last),
        (
            _("Q%(quarter)d %(year)d") % {"quarter": quarter.quarter, "year": quarter.first.year},
            quarter,
        ),
        (_("Last 3 months"), Period(months_before(month, 2), last.last)),
        (_("Last 12 months"), Period(months_before(month, 11), last.last)),
        (_("Year %(year)d") % {"year": today.year - 1}, Period.year(today.year - 1)),
    ]
    if today.month > 1:  # in January, this year has no month over yet
        periods.insert(-1, (_("This year so far"), Period(date(today.year, 1, 1), last.last)))
    return [
        Shortcut(str(label), _period_query(period), period == current) for label, period in periods
    ]


def _period_query(period: Period) -> str:
    return urlencode({"start": f"{period.first:%Y-%m}", "end": f"{period.last:%Y-%m}"})


def period_from_query(query) -> Period:
    """``?start=YYYY-MM&end=YYYY-MM``, or the last month that is over."""
    start, end = query.get("start"), query.get("end")
    if not start and not end:
        return Period.last_closed_month()
    return Period.from_months(start or end, end or start)


def default_scope(user) -> str | None:
    """What the admin's home shows ``user``: the nation for national reach, else their
    (first) département, else nothing."""
    if access.may_read_national(user):
        return NATIONAL_SCOPE
    first = access.readable_departements(user).order_by("code").first()
    return first.code if first else None


def _check_scope(user, scope: str) -> None:
    if scope == NATIONAL_SCOPE:
        if not access.may_read_national(user):
            raise PermissionDenied
        return
    if not access.may_read_departement(user, scope):
        raise PermissionDenied
    if not Departement.objects.filter(pk=scope).exists():
        raise Http404


def build_report(scope: str, period: Period, keys: list[str] | None = None) -> Report:
    """The report of a département's code, or of ``NATIONAL_SCOPE`` (only ``keys``'
    tables if given)."""
    if scope == NATIONAL_SCOPE:
        return national_report(period, keys=keys)
    return departement_report(scope, period, keys=keys)


def charts(report: Report) -> list[tuple[str, list[Chart]]]:
    """Each section's tables with their bars, in the order the providers gave them."""
    query = _period_query(report.period)
    scope = report.scope or NATIONAL_SCOPE
    sections = []
    for section, tables in report.sections():
        drawn = []
        for table in tables:
            longest = max((row.value for row in table.rows if row.value), default=0)
            bars = [
                Bar(
                    row.label,
                    row.value,
                    row.share,
                    round(100 * row.value / longest, 1) if row.value and longest else 0,
                    report.text_of(row.hidden),
                )
                for row in table.rows
            ]
            url = reverse("admin:figures-csv", args=[scope, table.key])
            drawn.append(
                Chart(
                    table,
                    bars,
                    f"{url}?{query}",
                    others_text(table.hidden_rows),
                    report.text_of(table.total_hidden),
                )
            )
        sections.append((section, drawn))
    return sections


def figures_context(request: HttpRequest, scope: str, period: Period) -> dict:
    """What ``admin/figures/report.html`` draws, for a scope the user may read."""
    report = build_report(scope, period)
    return {
        "report": report,
        "sections": charts(report),
        "scope": scope,
        "scopes": _scopes(request.user),
        "shortcuts": shortcuts(period),
        "start": f"{period.first:%Y-%m}",
        "end": f"{period.last:%Y-%m}",
        "latest": f"{Period.last_closed_month().first:%Y-%m}",
    }


def _scopes(user) -> list[tuple[str, str]]:
    choices = (
        [(NATIONAL_SCOPE, _("France (all départements)"))] if access.may_read_national(user) else []
    )
    departements = access.readable_departements(user).order_by("code")
    return choices + [(d.code, f"{d.code} {d.name}") for d in departements]


def home_context(request: HttpRequest) -> dict:
    """The dashboard on the admin's home for those who read figures (none for others)."""
    scope = default_scope(request.user)
    if scope is None:
        return {}
    try:
        return figures_context(request, scope, Period.last_closed_month())
    except Exception:
        # The home page is also the way to the offers to curate: a failure of the
        # figures is logged and said on the page, and must not close the admin panel.
        logger.exception("The figures of the admin's home failed (%s).", scope)
        return {"figures_failed": True}


def _scope(value: str) -> str:
    """``national`` or a département's code (upper case); anything else is not a page."""
    if not SCOPE.fullmatch(value):
        raise Http404
    return value if value == NATIONAL_SCOPE else value.upper()


def dashboard_view(request: HttpRequest, admin_site) -> HttpResponse:
    """``/admin/figures/?scope=93&start=2026-01&end=2026-03``."""
    scope = request.GET.get("scope") or default_scope(request.user)
    if scope is None:
        raise PermissionDenied
    scope = _scope(scope)
    _check_scope(request.user, scope)
    error = None
    try:
        period = period_from_query(request.GET)
    except PeriodError as problem:
        error, period = str(problem), Period.last_closed_month()
    context = {
        **admin_site.each_context(request),
        "title": _("Figures"),
        "period_error": error,
        **figures_context(request, scope, period),
    }
    return render(request, "admin/figures/dashboard.html", context, status=400 if error else 200)


def csv_view(request: HttpRequest, scope: str, key: str) -> HttpResponse:
    """One table of the dashboard as a CSV file, with the same hidden cells."""
    scope = _scope(scope)
    _check_scope(request.user, scope)
    if key not in table_keys():
        raise Http404
    try:
        period = period_from_query(request.GET)
    except PeriodError as problem:
        return HttpResponseBadRequest(str(problem), content_type="text/plain; charset=utf-8")
    # Each table is hidden on its own: the one asked for is all there is to compute.
    report = build_report(scope, period, keys=[key])
    # The byte order mark tells spreadsheets the file is UTF-8 (accents in names).
    response = HttpResponse(
        "\ufeff" + table_csv(report, key), content_type="text/csv; charset=utf-8"
    )
    name = slugify(f"jalon {scope} {period.first:%Y-%m} {period.last:%Y-%m}")
    response["Content-Disposition"] = f'attachment; filename="{name}-{key}.csv"'
    return response


# --- The vault's usage page ---------------------------------------------------------


@dataclass
class UsageRow:
    label: str
    documents: float | None  # None: hidden
    size: float | None  # None: hidden
    hidden_as: str  # what a hidden figure reads


def vault_usage_context(request: HttpRequest) -> dict:
    """What ``admin/figures/vault_usage.html`` draws: the vault's tables of the figures
    (``vault.figures.USAGE``) for ``?scope=`` (the user's default scope otherwise), at
    the end of the last month that is over, hidden as everywhere in the figures."""
    scope = request.GET.get("scope") or default_scope(request.user)
    if scope is None:
        raise PermissionDenied
    scope = _scope(scope)
    _check_scope(request.user, scope)
    period = Period.last_closed_month()
    report = build_report(scope, period, keys=vault_figures.USAGE)
    owners = report.table(vault_figures.ACCOUNTS).rows[0]
    sizes = {row.key: row for row in report.table(vault_figures.SIZE_BY_TYPE).rows}
    rows = []
    for row in report.table(vault_figures.DOCUMENTS_BY_TYPE).rows:
        size = sizes[row.key]
        # The two tables hide alike (same owners per type); one hidden hides both.
        shown = row.value is not None and size.value is not None
        rows.append(
            UsageRow(
                row.label,
                row.value if shown else None,
                size.value if shown else None,
                report.text_of(row.hidden or size.hidden),
            )
        )
    name = _("all départements") if scope == NATIONAL_SCOPE else f"{scope} {report.scope_name}"
    return {
        "scope": f"{name} ({period})",
        "scopes": _scopes(request.user),
        "current": scope,
        "owners": owners.value,
        "owners_hidden_as": report.text_of(owners.hidden),
        "rows": rows,
        "threshold": report.threshold,
        "hidden": report.hidden_text(),
        "secret": report.secret_text(),
    }
