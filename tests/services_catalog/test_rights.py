"""GET /api/v1/me/rights/ and the eligibility rules behind it."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import YoungPersonProfile
from services_catalog.models import Entry
from services_catalog.selectors import evaluate_eligibility, rights_for

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 23)


def profile(**fields) -> YoungPersonProfile:
    return YoungPersonProfile(**{"departement_id": "93", **fields})


def born_years_ago(years: int, days_later: int = 0) -> date:
    from datetime import timedelta

    return TODAY.replace(year=TODAY.year - years) + timedelta(days=days_later)


@pytest.mark.parametrize(
    ("birth_date", "eligible"),
    [
        (born_years_ago(18), True),  # 18th birthday today: min age reached
        (born_years_ago(18, days_later=1), False),  # turns 18 tomorrow
        (born_years_ago(21), True),  # max age inclusive
        (born_years_ago(22), False),
        (born_years_ago(22, days_later=1), True),  # still 21 until tomorrow
    ],
)
def test_age_limits_are_inclusive(birth_date, eligible):
    entry = Entry(title="AJM", min_age=18, max_age=21)
    assert (
        evaluate_eligibility(entry, profile(birth_date=birth_date), TODAY) is not None
    ) is eligible


def test_unknown_age_is_not_eligible_when_the_entry_has_age_limits():
    entry = Entry(title="AJM", min_age=18, max_age=21)
    assert evaluate_eligibility(entry, profile(), TODAY) is None
    assert evaluate_eligibility(Entry(title="Pour tous"), profile(), TODAY) is not None


def test_care_leaver_is_not_in_care():
    for_leavers = Entry(title="Sortants", situations=["care_leaver"])
    assert evaluate_eligibility(for_leavers, profile(in_care=True), TODAY) is None
    result = evaluate_eligibility(for_leavers, profile(care_leaver=True), TODAY)
    assert result is not None
    assert "quitté" in result.reason


def test_reason_names_age_and_situation():
    entry = Entry(title="AJM", min_age=18, max_age=21, situations=["care_leaver"])
    result = evaluate_eligibility(
        entry, profile(birth_date=born_years_ago(19), care_leaver=True), TODAY
    )
    assert result.reason == "Vous avez 19 ans et vous avez quitté l'ASE."


def test_before_age_deadline():
    entry = Entry(title="Demande", deadline_kind="before_age", deadline_age=21)
    young = profile(birth_date=date(2006, 3, 10))
    result = evaluate_eligibility(entry, young, TODAY)
    assert result.deadline == date(2027, 3, 9)
    assert result.deadline_label == "à demander avant le 10/03/2027"
    # The day of the 21st birthday, it is too late.
    assert evaluate_eligibility(entry, young, date(2027, 3, 10)) is None
    assert evaluate_eligibility(entry, young, date(2027, 3, 9)) is not None


def test_from_age_deadline_announces_the_first_day():
    entry = Entry(title="Pécule", deadline_kind="from_age", deadline_age=18)
    result = evaluate_eligibility(entry, profile(birth_date=date(2009, 1, 15)), TODAY)
    assert result.deadline == date(2027, 1, 15)
    assert result.deadline_label == "à partir du 15/01/2027"
    grown_up = evaluate_eligibility(entry, profile(birth_date=date(2007, 1, 15)), TODAY)
    assert grown_up.deadline is None


def test_within_years_after_age_deadline():
    entry = Entry(
        title="Pécule", deadline_kind="within_years_after_age", deadline_age=18, deadline_years=30
    )
    result = evaluate_eligibility(entry, profile(birth_date=date(2006, 5, 1)), TODAY)
    assert result.deadline == date(2054, 4, 30)


def test_born_on_29_february():
    entry = Entry(title="Demande", deadline_kind="before_age", deadline_age=18)
    result = evaluate_eligibility(entry, profile(birth_date=date(2012, 2, 29)), TODAY)
    assert result.deadline == date(2030, 2, 28)  # 18 on 1 March 2030 (not a leap year)


@pytest.fixture
def catalogue(make_entry):
    return {
        "national": make_entry("Pour tous"),
        "ajm": make_entry(
            "Accompagnement jeune majeur",
            min_age=18,
            max_age=21,
            situations=["care_leaver", "jeune_majeur_contract"],
            deadline_kind="before_age",
            deadline_age=21,
        ),
        "93": make_entry(
            "Offre 93",
            scope=Entry.Scope.DEPARTEMENTS,
            departement_id="93",
            zone_departements=["93"],
        ),
        "75": make_entry(
            "Offre 75",
            scope=Entry.Scope.DEPARTEMENTS,
            departement_id="75",
            zone_departements=["75"],
        ),
        "draft": make_entry("Brouillon", publish=False),
        "students": make_entry("Bourse", situations=["student"]),
    }


def test_rights_follow_the_profile(client_for, young_person, catalogue):
    young_person.profile.birth_date = born_years_ago(19)
    young_person.profile.care_leaver = True
    young_person.profile.save()
    response = client_for(young_person).get("/api/v1/me/rights/")
    assert response.status_code == 200
    results = response.json()["results"]
    titles = [row["entry"]["title"] for row in results]
    # Upcoming deadline first, then by title; nothing from 75, no draft, no student grant.
    assert titles == ["Accompagnement jeune majeur", "Offre 93", "Pour tous"]
    assert results[0]["deadline"] is not None
    assert results[0]["reason"].startswith("Vous avez 19 ans")


def test_rights_change_with_the_departement(client_for, young_person, catalogue):
    young_person.profile.departement_id = "75"
    young_person.profile.save()
    titles = [
        row["entry"]["title"]
        for row in client_for(young_person).get("/api/v1/me/rights/").json()["results"]
    ]
    assert titles == ["Offre 75", "Pour tous"]


def test_rights_without_a_place_are_national_only(young_person, catalogue):
    young_person.profile.departement = None
    assert [r.entry.title for r in rights_for(profile=young_person.profile)] == ["Pour tous"]


@pytest.mark.parametrize("who", ["mentor", "staff_93"])
def test_rights_are_for_young_people_only(client_for, request, who):
    response = client_for(request.getfixturevalue(who)).get("/api/v1/me/rights/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_rights_need_sign_in(api_client):
    assert api_client.get("/api/v1/me/rights/").status_code == 401


def test_rights_query_count_does_not_grow_with_page_size(client_for, young_person, make_entry):
    for number in range(15):
        make_entry(f"Droit {number:02d}", steps=["Un"], thematiques=["famille--garde-denfants"])
    client = client_for(young_person)

    def queries(page_size: int) -> int:
        with CaptureQueriesContext(connection) as context:
            response = client.get("/api/v1/me/rights/", {"page_size": page_size})
        assert len(response.json()["results"]) == page_size
        return len(context.captured_queries)

    queries(1)  # the day's first request also records the day's activity
    assert queries(2) == queries(15)
