"""The figures in the admin panel, the CSV exports, the national view and the monthly
command: what each role sees, and that staff of 75 never see 93's figures."""

from datetime import date, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.models import Departement
from figures.dashboard import shortcuts
from figures.models import MonthlyFigures
from figures.periods import Period
from figures.report import PROTECTIVE, SMALL, PublishedTable, Report, Row, table_csv
from figures.selectors import departement_report
from figures.tasks import archive_last_month_figures
from services_catalog.models import SearchEvent

from .test_report import PARIS, searches

pytestmark = pytest.mark.django_db

LAST_MONTH = Period.last_closed_month()
BEFORE = Period.last_closed_month(LAST_MONTH.first)  # the month before
LAST_MONTH_QUERY = {"start": f"{LAST_MONTH.first:%Y-%m}", "end": f"{LAST_MONTH.first:%Y-%m}"}
CSV = "/admin/figures/{}/{}.csv"


def _day_10(period: Period) -> datetime:
    return datetime.combine(period.first + timedelta(days=9), datetime.min.time(), PARIS)


@pytest.fixture
def activity():
    """Each of the last two months, 93 searched housing (7 people), mobility (6) and
    family (3); 75 searched mobility (11). Family is hidden in 93, and mobility with it
    (else the total would give family back)."""
    for period in (BEFORE, LAST_MONTH):
        searches("93", _day_10(period), 7, categorie="logement-hebergement")
        searches("93", _day_10(period), 6, categorie="mobilite")
        searches("93", _day_10(period), 3, categorie="famille")
        searches("75", _day_10(period), 11, categorie="mobilite")


def _searches(response) -> dict:
    table = response.context["report"].table("catalogue.searches_by_category")
    return {row.key: row.value for row in table.rows}


def test_staff_home_shows_their_departement_figures_with_charts(client, staff_93, activity):
    client.force_login(staff_93)
    response = client.get("/admin/")
    assert response.status_code == 200
    report = response.context["report"]
    assert report.scope == "93" and report.period == LAST_MONTH
    assert _searches(response) == {"logement-hebergement": 7}  # mobility and family hidden
    html = response.content.decode()
    assert "Seine-Saint-Denis" in html
    assert "<svg" in html and "< 5" in html.replace("&lt;", "<")
    figures = html[html.index('id="figures"') : html.index("<!-- END Content -->")]
    assert "<svg viewBox" in figures
    assert "<script" not in figures and "http" not in figures  # nothing fetched elsewhere
    assert "/admin/figures/93/catalogue.searches_by_category.csv?" in html


def test_staff_of_75_never_see_93s_figures(client, staff_75, activity):
    client.force_login(staff_75)
    home = client.get("/admin/")
    assert home.context["report"].scope == "75"
    assert _searches(home) == {"mobilite": 11}
    assert [code for code, _name in home.context["scopes"]] == ["75"]
    assert client.get("/admin/figures/", {"scope": "93", **LAST_MONTH_QUERY}).status_code == 403
    assert client.get("/admin/figures/", {"scope": "national"}).status_code == 403
    csv = client.get(CSV.format("93", "catalogue.searches_by_category"), LAST_MONTH_QUERY)
    assert csv.status_code == 403
    assert "Logement" not in csv.content.decode()
    assert client.get(CSV.format("national", "catalogue.searches_by_category")).status_code == 403


def test_staff_picks_a_period(client, staff_93, activity):
    client.force_login(staff_93)
    before = client.get("/admin/figures/", {"scope": "93", "start": f"{BEFORE.first:%Y-%m}"})
    assert before.status_code == 200
    assert before.context["report"].period == BEFORE
    assert _searches(before) == {"logement-hebergement": 7}
    both = client.get(
        "/admin/figures/", {"start": f"{BEFORE.first:%Y-%m}", "end": f"{LAST_MONTH.first:%Y-%m}"}
    )
    assert both.context["report"].scope == "93"
    assert both.context["report"].period == Period(BEFORE.first, LAST_MONTH.last)
    assert _searches(both) == {"logement-hebergement": 14}
    assert both.context["report"].table("catalogue.searches_by_category").total == 32


@pytest.mark.parametrize(
    "query",
    [
        {"start": "2026-13", "end": "2026-13"},
        {"start": "octobre", "end": "2026-10"},
        {"start": "2026-10", "end": "2026-09"},
        {"start": "2099-01", "end": "2099-01"},
    ],
)
def test_a_bad_period_is_explained_and_nothing_else_is_shown(client, staff_93, activity, query):
    client.force_login(staff_93)
    page = client.get("/admin/figures/", query)
    assert page.status_code == 400
    assert page.context["period_error"]
    assert page.context["report"].period == LAST_MONTH  # the last month, not the bad one
    csv = client.get(CSV.format("93", "catalogue.searches_by_category"), query)
    assert csv.status_code == 400
    assert csv.content.decode()  # says why


def test_csv_of_a_table_hides_the_same_cells(client, staff_93, activity):
    client.force_login(staff_93)
    response = client.get(CSV.format("93", "catalogue.searches_by_category"), LAST_MONTH_QUERY)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    month = f"{LAST_MONTH.first:%Y-%m}"
    assert (
        f"jalon-93-{month}-{month}-catalogue.searches_by_category.csv"
        in (response["Content-Disposition"])
    )
    text = response.content.decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0] == f"Recherches par catégorie;{LAST_MONTH};Seine-Saint-Denis"
    assert "Logement et hébergement;7" in lines
    assert not any(line.startswith(("Famille", "Mobilité")) for line in lines)
    assert "2 autres lignes masquées;" in lines  # family (small) and mobility with it
    assert "Total;16" in lines


def test_csv_of_an_unknown_table_or_departement_is_404(client, national_editor):
    client.force_login(national_editor)
    assert client.get(CSV.format("93", "no.such_table")).status_code == 404
    assert client.get(CSV.format("99", "catalogue.searches_by_category")).status_code == 404
    assert client.get("/admin/figures/", {"scope": "99"}).status_code == 404


def test_national_editor_home_shows_the_nation_and_can_open_any_departement(
    client, national_editor, activity
):
    client.force_login(national_editor)
    home = client.get("/admin/")
    assert home.context["report"].scope == ""
    # National mobilite minus 75's would give 93's hidden mobilite back.
    assert _searches(home) == {"logement-hebergement": 7}
    codes = [code for code, _name in home.context["scopes"]]
    assert codes[0] == "national" and "93" in codes and "75" in codes
    assert _searches(client.get("/admin/figures/", {"scope": "75"})) == {"mobilite": 11}
    csv = client.get(CSV.format("national", "catalogue.searches_by_category"), LAST_MONTH_QUERY)
    assert "Logement et hébergement;7" in csv.content.decode("utf-8-sig").splitlines()


def test_home_without_figures_for_those_who_do_not_read_them(client, partner_93, activity):
    client.force_login(partner_93)
    home = client.get("/admin/")
    assert home.status_code == 200 and "report" not in home.context
    assert client.get("/admin/figures/").status_code == 403
    assert client.get(CSV.format("93", "catalogue.searches_by_category")).status_code == 403


def test_young_people_and_mentors_never_reach_the_figures_pages(
    client, young_person, mentor, activity
):
    for user in (young_person, mentor, None):
        if user:
            client.force_login(user)
        for url in ("/admin/figures/", CSV.format("93", "catalogue.searches_by_category")):
            response = client.get(url)
            assert response.status_code == 302, (user, url)
            assert response["Location"].startswith("/admin/login/")


def test_national_stats_api_for_national_editors_only(
    client_for, national_editor, superuser, staff_93, coordinator_93, mentor, young_person, activity
):
    query = {"from": LAST_MONTH.first.isoformat(), "to": LAST_MONTH.last.isoformat()}
    for user in (national_editor, superuser):
        body = client_for(user).get("/api/v1/stats/", query).json()
        assert body["departement"] is None
        table = next(t for t in body["tables"] if t["key"] == "catalogue.searches_by_category")
        assert {r["key"]: r["value"] for r in table["rows"]} == {"logement-hebergement": 7}
    for user in (staff_93, coordinator_93, mentor, young_person):
        response = client_for(user).get("/api/v1/stats/", query)
        assert response.status_code == 403
        assert response.json()["error"]["status"] == 403
    assert APIClient().get("/api/v1/stats/", query).status_code == 401
    bad = client_for(national_editor).get("/api/v1/stats/", {"from": "2026-10-02"})
    assert bad.status_code == 400


def test_monthly_command_keeps_every_departement_once(capsys, activity):
    month = f"{BEFORE.first:%Y-%m}"
    call_command("compute_monthly_figures", "--month", month)
    departements = Departement.objects.count()
    assert MonthlyFigures.objects.filter(month=BEFORE.first).count() == departements
    kept = MonthlyFigures.objects.get(departement_id="93", month=BEFORE.first)
    assert kept.tables["catalogue.searches_by_category"]["total"] == [16, 16]
    assert f"{departements} départements computed, 0 already kept" in capsys.readouterr().out
    searches("93", _day_10(BEFORE), 5)  # late rows do not move a kept month
    call_command("compute_monthly_figures", "--month", month)
    assert f"0 départements computed, {departements} already kept" in capsys.readouterr().out
    kept.refresh_from_db()
    assert kept.tables["catalogue.searches_by_category"]["total"] == [16, 16]


def test_monthly_command_refuses_a_month_that_is_not_over():
    this_month = f"{datetime.now(PARIS):%Y-%m}"
    with pytest.raises(CommandError):
        call_command("compute_monthly_figures", "--month", this_month)
    with pytest.raises(CommandError):
        call_command("compute_monthly_figures", "--month", "octobre")
    assert not MonthlyFigures.objects.exists()


def test_the_scheduled_task_keeps_last_month(activity):
    assert archive_last_month_figures() == Departement.objects.count()
    kept = MonthlyFigures.objects.get(departement_id="93", month=LAST_MONTH.first)
    assert kept.tables["catalogue.searches_by_category"]["total"] == [16, 16]
    assert archive_last_month_figures() == 0


def test_coordinators_read_no_figures_and_superusers_the_nation(
    client, coordinator_93, superuser, activity
):
    client.force_login(coordinator_93)
    assert "report" not in client.get("/admin/").context
    for scope in ("93", "75", "national"):
        assert client.get("/admin/figures/", {"scope": scope}).status_code == 403
    csv = client.get(CSV.format("93", "catalogue.searches_by_category"))
    assert csv.status_code == 403
    client.force_login(superuser)
    assert client.get("/admin/").context["report"].scope == ""
    assert client.get("/admin/figures/", {"scope": "75"}).status_code == 200


@pytest.mark.parametrize(
    ("today", "labels"),
    [
        (
            date(2027, 1, 15),
            [
                "Le mois dernier",
                "T4 2026",
                "Les 3 derniers mois",
                "Les 12 derniers mois",
                "Année 2026",
            ],
        ),
        (
            date(2026, 11, 30),
            [
                "Le mois dernier",
                "T3 2026",
                "Les 3 derniers mois",
                "Les 12 derniers mois",
                "Cette année jusqu'ici",
                "Année 2025",
            ],
        ),
    ],
)
def test_period_shortcuts_follow_the_calendar(today, labels):
    found = shortcuts(LAST_MONTH, today)
    assert [s.label for s in found] == labels
    year = found[-1].query
    assert f"start={today.year - 1}-01" in year and f"end={today.year - 1}-12" in year
    quarter = found[1].query
    assert (
        quarter
        == {2027: "start=2026-10&end=2026-12", 2026: "start=2026-07&end=2026-09"}[today.year]
    )


def test_periods_before_2020_are_refused(client, national_editor):
    client.force_login(national_editor)
    assert client.get("/admin/figures/", {"start": "0001-01", "end": "0001-01"}).status_code == 400
    assert client.get("/admin/figures/", {"start": "2019-12", "end": "2020-01"}).status_code == 400
    assert client.get("/admin/figures/", {"start": "2020-01", "end": "2020-01"}).status_code == 200


def test_csv_reads_as_french_spreadsheets_expect():
    table = PublishedTable(
        key="t",
        section="s",
        title="Délai",
        unit="jours",
        measure=True,
        rows=[
            Row("median", "=HYPERLINK(1)", 6.4),
            Row("p90", "90e centile", None, hidden=SMALL),
            Row("mean", "moyenne", None, hidden=PROTECTIVE),
        ],
        total=12,
        has_total=True,
        hidden_rows=3,
    )
    report = Report("93", "Seine-Saint-Denis", LAST_MONTH, 5, [table])
    lines = table_csv(report, "t").splitlines()
    assert lines[2:] == [
        "'=HYPERLINK(1);6,4",  # a decimal comma; a label never runs as a formula
        "90e centile;< 5",
        "moyenne;secret",  # hidden so that a small figure cannot be worked out
        "3 autres lignes masquées;",
        "Total;12",
    ]


def test_pseudonyms_are_forgotten_once_every_departement_kept_the_month(activity):
    call_command("compute_monthly_figures", "--month", f"{BEFORE.first:%Y-%m}")
    start, end = BEFORE.bounds()
    in_before = SearchEvent.objects.filter(created_at__gte=start, created_at__lt=end)
    assert in_before.exists() and not in_before.exclude(visitor="").exists()
    assert SearchEvent.objects.filter(created_at__gte=end).exclude(visitor="").exists()
    # The kept month reads as it did, although its people can no longer be told apart.
    table = departement_report("93", BEFORE).table("catalogue.searches_by_category")
    assert {row.key: row.value for row in table.rows} == {"logement-hebergement": 7}


def test_a_failure_of_the_figures_does_not_close_the_admin_home(client, staff_93, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("figures down")

    monkeypatch.setattr("figures.dashboard.build_report", broken)
    client.force_login(staff_93)
    home = client.get("/admin/")
    assert home.status_code == 200
    assert "report" not in home.context and home.context["figures_failed"]
    assert "Fiches du catalogue" in home.content.decode()  # the way to the offers


@pytest.mark.parametrize("scope", ["93\x00", "9", "nation", "93 ", "x" * 300])
def test_a_scope_that_is_no_departement_is_not_found(client, national_editor, staff_93, scope):
    for user in (national_editor, staff_93):
        client.force_login(user)
        assert client.get("/admin/figures/", {"scope": scope}).status_code == 404
        csv = client.get(f"/admin/figures/{scope}/catalogue.searches_by_category.csv")
        assert csv.status_code == 404


def test_partners_and_inactive_staff_read_no_figures(client, client_for, partner_93, staff_93):
    api = client_for(partner_93)
    assert api.get("/api/v1/departements/93/stats/").status_code == 403
    assert api.get("/api/v1/stats/").status_code == 403
    client.force_login(partner_93)
    assert client.get("/admin/figures/", {"scope": "93"}).status_code == 403
    staff_api = client_for(staff_93)
    staff_93.is_active = False
    staff_93.save()
    assert staff_api.get("/api/v1/departements/93/stats/").status_code == 401


def test_a_csv_computes_its_own_table_only(client, national_editor, activity):
    client.force_login(national_editor)
    query = {"start": f"{BEFORE.first:%Y-%m}", "end": f"{LAST_MONTH.first:%Y-%m}"}
    client.get("/admin/figures/", {"scope": "national", **query})  # the months kept
    with CaptureQueriesContext(connection) as reading:
        csv = client.get(CSV.format("national", "catalogue.searches_by_category"), query)
    assert "Logement et hébergement;14" in csv.content.decode("utf-8-sig").splitlines()
    # Not the mentoring or young people's tables computed again over the range.
    assert not [q for q in reading.captured_queries if "mentoring_" in q["sql"]]
    assert not [q for q in reading.captured_queries if "accounts_activityday" in q["sql"]]
