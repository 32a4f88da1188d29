"""Figures on a hand-built data set: values, periods in Paris time, suppression, scoping."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import ActivityDay, User
from figures.models import MonthlyFigures
from figures.periods import Period
from figures.selectors import departement_report, national_report
from services_catalog.models import SearchEvent

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
OCTOBER = Period.month(2026, 10)
NOVEMBER = Period.month(2026, 11)
STATS = "/api/v1/departements/{}/stats/"


def searches(code, moment, count, *, categorie="logement", found=False, people=None):
    """``count`` searches by ``people`` distinct visitors (one each by default)."""
    people = people or count
    SearchEvent.objects.bulk_create(
        [
            SearchEvent(
                created_at=moment,
                departement_id=code,
                categorie=categorie,
                found=found,
                visitor=f"v{code}{categorie[:6]}{n % people}",  # 16 characters at most
            )
            for n in range(count)
        ]
    )


def young_people(make_user, code, count, birth_date, prefix="j"):
    users = []
    for n in range(count):
        user = make_user(f"{prefix}{code}.{n}@example.org")
        user.profile.departement_id = code
        user.profile.birth_date = birth_date
        user.profile.care_leaver = n % 2 == 0
        user.profile.save()
        users.append(user)
    User.objects.filter(pk__in=[u.pk for u in users]).update(
        date_joined=datetime(2026, 10, 5, tzinfo=PARIS)
    )
    return users


def test_unmet_needs_by_category_counted_and_hidden_below_five_people():
    october = datetime(2026, 10, 10, 15, tzinfo=PARIS)
    searches("93", october, 7, categorie="logement")
    searches("93", october, 4, categorie="sante")
    searches("93", october, 12, categorie="mobilite")
    searches("93", october, 9, categorie="famille", people=2)  # two busy people
    searches("93", october, 30, categorie="logement", found=True)
    table = departement_report("93", OCTOBER).table("catalogue.unmet_by_category")
    shown = {row.key: row.value for row in table.rows}
    # Sante (4 people) and famille (2 people, 9 searches) are hidden. The same visitor
    # may be in both, so the group is sure of 4 people only: logement (7) goes with them.
    assert shown == {"mobilite": 12}
    assert table.hidden_rows == 3
    assert table.total == 32
    assert table.total - sum(shown.values()) == 20  # three hidden cells, never one


def test_an_event_at_23_30_paris_on_the_last_day_belongs_to_that_month():
    # 31 October 23:30 in Paris is 22:30 UTC: still October for the département.
    late = datetime(2026, 10, 31, 23, 30, tzinfo=PARIS)
    searches("93", late, 5)
    searches("93", datetime(2026, 11, 1, 0, 30, tzinfo=PARIS), 6)
    october = departement_report("93", OCTOBER).table("catalogue.searches_by_category")
    november = departement_report("93", NOVEMBER).table("catalogue.searches_by_category")
    assert october.total == 5 and november.total == 6


def test_active_accounts_by_age_band_at_the_end_of_the_period(make_user):
    teens = young_people(make_user, "93", 6, date(2009, 6, 1))  # 17 on 31 October 2026
    adults = young_people(make_user, "93", 3, date(2005, 1, 1), prefix="a")  # 21
    nineteen = young_people(make_user, "93", 2, date(2007, 1, 1), prefix="n")
    for user in teens + adults + nineteen:
        ActivityDay.objects.create(user=user, day=date(2026, 10, 3))
        ActivityDay.objects.create(user=user, day=date(2026, 10, 4))  # counted once
    table = departement_report("93", OCTOBER).table("young_people.active_by_age")
    assert {row.key: row.value for row in table.rows} == {
        "16-17": 6,
        "18-20": None,
        "21-25": None,
        "other": None,
    }
    assert table.total == 11  # minus 6: the 5 of three hidden bands together

    # With only the 3 adults hidden, the group is too small: 16-17 goes too.
    User.objects.filter(pk__in=[u.pk for u in nineteen]).delete()
    MonthlyFigures.objects.all().delete()
    table = departement_report("93", OCTOBER).table("young_people.active_by_age")
    assert all(row.value is None for row in table.rows) and table.total == 9


def test_situation_shares_and_sign_ups(make_user):
    for user in young_people(make_user, "93", 12, date(2007, 3, 3)):
        ActivityDay.objects.create(user=user, day=date(2026, 10, 20))
    report = departement_report("93", OCTOBER)
    signups = report.table("young_people.signups")
    assert signups.rows[0].value == 12
    situations = {row.key: row for row in report.table("young_people.situations").rows}
    assert situations["care_leaver"].value == 6 and situations["care_leaver"].share == 50.0
    assert situations["parent"].value is None  # nobody: under the threshold


def test_a_month_hidden_inside_a_range_stays_hidden_in_the_range():
    searches("93", datetime(2026, 9, 10, tzinfo=PARIS), 3, categorie="sante")
    searches("93", datetime(2026, 10, 10, tzinfo=PARIS), 10, categorie="sante")
    searches("93", datetime(2026, 9, 10, tzinfo=PARIS), 20, categorie="logement")
    searches("93", datetime(2026, 10, 10, tzinfo=PARIS), 20, categorie="logement")
    both = Period.from_dates(date(2026, 9, 1), date(2026, 10, 31), today=date(2026, 11, 30))
    october = departement_report("93", OCTOBER).table("catalogue.unmet_by_category")
    assert {r.key: r.value for r in october.rows}["sante"] == 10
    ranged = departement_report("93", both).table("catalogue.unmet_by_category")
    # September's 3 would be the range minus October: hidden in the range too.
    assert "sante" not in {r.key for r in ranged.rows}


def test_a_month_once_computed_does_not_move():
    searches("93", datetime(2026, 10, 10, tzinfo=PARIS), 8)
    first = departement_report("93", OCTOBER).table("catalogue.searches_by_category").total
    SearchEvent.objects.all().delete()  # as if the searches were erased afterwards
    again = departement_report("93", OCTOBER).table("catalogue.searches_by_category").total
    assert first == again == 8
    assert MonthlyFigures.objects.filter(departement="93", month=date(2026, 10, 1)).exists()


def test_the_national_view_does_not_give_back_a_departement_hidden_cell():
    october = datetime(2026, 10, 10, tzinfo=PARIS)
    searches("93", october, 3, categorie="sante")  # hidden in 93
    searches("93", october, 30, categorie="logement")
    searches("75", october, 40, categorie="sante")
    searches("75", october, 40, categorie="logement")
    national = national_report(OCTOBER).table("catalogue.unmet_by_category")
    shown = {r.key: r.value for r in national.rows}
    # 43 nationally minus 75's 40 would be 93's hidden 3.
    assert "sante" not in shown


def test_periods_are_whole_months_that_are_over(client_for, staff_93):
    client = client_for(staff_93)
    today = timezone.localdate()
    for query in (
        {"from": "2026-10-02", "to": "2026-10-31"},
        {"from": "2026-10-01", "to": "2026-10-30"},
        {"from": "2026-10-01"},
        {"from": "2026-11-01", "to": "2026-10-31"},
        {"from": today.replace(day=1).isoformat(), "to": "2099-12-31"},
        {"from": "hier", "to": "2026-10-31"},
    ):
        response = client.get(STATS.format("93"), query)
        assert response.status_code == 400, query
        assert response.json()["error"]["status"] == 400


def test_who_reads_a_departements_figures(
    client_for, young_person, mentor, staff_93, staff_75, coordinator_93, national_editor
):
    searches("93", datetime(2026, 10, 10, tzinfo=PARIS), 6)
    query = {"from": "2026-10-01", "to": "2026-10-31"}
    for user in (staff_93, national_editor):
        response = client_for(user).get(STATS.format("93"), query)
        assert response.status_code == 200, user.role
        body = response.json()
        assert body["departement"] == "93" and body["hidden"] == "< 5"
        table = next(t for t in body["tables"] if t["key"] == "catalogue.searches_by_category")
        assert table["total"] == 6
    for user in (staff_75, coordinator_93, young_person, mentor):
        response = client_for(user).get(STATS.format("93"), query)
        assert response.status_code == 403, user.role
        assert "93" not in str(response.json().get("tables", ""))
    from rest_framework.test import APIClient

    assert APIClient().get(STATS.format("93"), query).status_code == 401


def test_a_national_range_hides_what_a_month_of_it_hid():
    september = datetime(2026, 9, 10, 12, tzinfo=PARIS)
    october = datetime(2026, 10, 10, 12, tzinfo=PARIS)
    for code, in_september, in_october in (("01", 10, 10), ("02", 1, 10), ("03", 10, 3)):
        searches(code, september, in_september, categorie="mobilite")
        searches(code, october, in_october, categorie="mobilite")
    searches("04", september, 10, categorie="mobilite")
    searches("04", october, 3, categorie="mobilite")
    both = Period(date(2026, 9, 1), date(2026, 10, 31))
    october_table = national_report(OCTOBER).table("catalogue.searches_by_category")
    assert {row.key: row.value for row in october_table.rows} == {"mobilite": 26}
    # September hid mobilite (02's one search would come back from it): the range must
    # hide it too, or range minus October minus 01, 03 and 04 would give it.
    range_table = national_report(both).table("catalogue.searches_by_category")
    assert all(row.value is None for row in range_table.rows)
    assert range_table.total is None


def test_the_national_view_leaves_out_people_without_a_departement(make_user):
    people = [
        *young_people(make_user, "93", 5, date(2007, 1, 1)),  # 19
        *young_people(make_user, "93", 6, date(2009, 1, 1), prefix="t"),  # 17
        *young_people(make_user, "93", 7, date(2003, 1, 1), prefix="a"),  # 23
        *young_people(make_user, "93", 5, None, prefix="u"),  # age unknown
        *young_people(make_user, None, 1, date(2007, 1, 1), prefix="x"),  # 19, nowhere
    ]
    for user in people:
        ActivityDay.objects.create(user=user, day=date(2026, 10, 8))
    table = national_report(OCTOBER).table("young_people.active_by_age")
    assert {row.key: row.value for row in table.rows}["18-20"] == 5  # not 6


def ten_active_in_october(make_user, code, in_care):
    """Ten young people of ``code`` active in October, ``in_care`` of them in care."""
    for n, user in enumerate(young_people(make_user, code, 10, date(2007, 1, 1), code)):
        user.profile.in_care = n < in_care
        user.profile.save()
        ActivityDay.objects.create(user=user, day=date(2026, 10, 8))


def test_a_national_share_does_not_give_back_the_small_side_of_departements(make_user):
    for code, in_care in (("93", 8), ("75", 9), ("13", 5)):
        ten_active_in_october(make_user, code, in_care)
    # 93 has 2 and 75 has 1 not in care, both hidden: national 22 of 30, minus 13's 5
    # of 10, would say 3 young people of 93 and 75 are not in care.
    rows = {row.key: row for row in national_report(OCTOBER).table("young_people.situations").rows}
    assert rows["in_care"].value is None


def test_a_hidden_figure_says_whether_it_is_small_or_protects_a_small_one(
    make_user, client_for, staff_93
):
    people = [
        *young_people(make_user, "93", 6, date(2009, 1, 1), prefix="t"),  # 17
        *young_people(make_user, "93", 7, date(2007, 1, 1)),  # 19
        *young_people(make_user, "93", 8, date(2003, 1, 1), prefix="a"),  # 23
        *young_people(make_user, "93", 3, None, prefix="u"),  # age unknown: 3
    ]
    for user in people:
        ActivityDay.objects.create(user=user, day=date(2026, 10, 8))
    body = (
        client_for(staff_93)
        .get(STATS.format("93"), {"from": "2026-10-01", "to": "2026-10-31"})
        .json()
    )
    assert body["hidden"] == "< 5" and body["secret"] == "secret"
    table = next(t for t in body["tables"] if t["key"] == "young_people.active_by_age")
    rows = {row["key"]: (row["value"], row["hidden"]) for row in table["rows"]}
    # The 3 of unknown age are a small count; 16-17, the smallest other band, is hidden
    # with them (else the total minus the bands would give the 3 back): not small.
    assert rows == {
        "16-17": (None, "protective"),
        "18-20": (7, None),
        "21-25": (8, None),
        "other": (None, "small"),
    }
    assert table["total"] == 24 and table["total_hidden"] is None


def test_a_national_share_does_not_tell_that_all_of_a_departement_share_a_situation(make_user):
    for code, in_care in (("93", 10), ("75", 5)):
        ten_active_in_october(make_user, code, in_care)
    # 93: all 10 in care (hidden: nobody on the other side). National 15 minus 75's 5
    # would say so: every active young person of 93 is in care.
    rows = {row.key: row for row in national_report(OCTOBER).table("young_people.situations").rows}
    assert rows["in_care"].value is None


def test_a_kept_month_reads_the_same_nationally_after_an_erasure(make_user):
    people = young_people(make_user, "93", 7, date(2007, 1, 1))
    for user in people:
        ActivityDay.objects.create(user=user, day=date(2026, 10, 8))

    def national_active():
        return national_report(OCTOBER).table("young_people.active_by_age").total

    assert (
        national_active()
        == departement_report("93", OCTOBER).table("young_people.active_by_age").total
        == 7
    )
    User.objects.filter(pk=people[0].pk).delete()
    assert national_active() == 7  # the kept month, as 93 reads it


def test_kept_months_are_read_in_one_query_however_long_the_range():
    def queries(period):
        departement_report("93", period)  # compute and keep its months
        with CaptureQueriesContext(connection) as reading:
            departement_report("93", period)
        return len(reading)

    two = queries(Period(date(2026, 9, 1), date(2026, 10, 31)))
    assert queries(Period(date(2025, 11, 1), date(2026, 10, 31))) == two
