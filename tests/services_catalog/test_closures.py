"""Temporary closures and exceptional hours of an entry, and the public holidays of its
département: what the app says of when it is open, ahead of time."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from services_catalog import services
from services_catalog.models import Entry, EntryClosure
from tests.services_catalog.conftest import entry_form_data

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
WEEKDAYS_OFF_ON_HOLIDAYS = "Mo-Fr 09:00-17:00; PH off"
ENTRIES = "/admin/services_catalog/entry/"
LIST = "/api/v1/catalogue/entries/"


def _at(*args) -> time_machine.travel:
    return time_machine.travel(datetime(*args, tzinfo=PARIS), tick=False)


@pytest.fixture
def local_entry(make_entry):
    """``local_entry(departement, hours)``: a published offer of that département."""

    def _make(departement: str, hours: str = WEEKDAYS_OFF_ON_HOLIDAYS, **fields):
        return make_entry(
            f"Mission locale {departement}",
            kind=Entry.Kind.OFFER,
            scope=Entry.Scope.DEPARTEMENTS,
            departement_id=departement,
            zone_departements=[departement],
            horaires_accueil=hours,
            **fields,
        )

    return _make


def _closure(entry, starts_on, ends_on, message="Fermeture exceptionnelle.", **fields):
    return services.entry_closure_save(
        closure=EntryClosure(
            entry=entry, starts_on=starts_on, ends_on=ends_on, message=message, **fields
        )
    )


def _detail(api_client, entry, language="fr") -> dict:
    response = api_client.get(f"{LIST}{entry.pk}/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.json()


def _week(detail) -> dict:
    return {day["date"]: day["intervals"] for day in detail["hours"]["week"]}


def _open_now(api_client) -> set[str]:
    rows = api_client.get(LIST, {"open_now": "true"}).json()["results"]
    return {row["title"] for row in rows}


NINE_TO_FIVE = [{"opens": "09:00", "closes": "17:00"}]


# --- Public holidays of the département -----------------------------------------------


@_at(2027, 3, 26, 10, 0)  # Good Friday
def test_good_friday_closes_in_alsace_moselle_not_in_paris(api_client, local_entry):
    strasbourg, paris = local_entry("67"), local_entry("75")
    assert _detail(api_client, strasbourg)["hours"]["open_now"] is False
    assert _detail(api_client, paris)["hours"]["open_now"] is True
    assert _week(_detail(api_client, strasbourg))["2027-03-26"] == []
    assert _week(_detail(api_client, paris))["2027-03-26"] == NINE_TO_FIVE
    # Easter Monday is a holiday everywhere.
    assert _week(_detail(api_client, paris))["2027-03-29"] == []
    assert _open_now(api_client) == {"Mission locale 75"}


@_at(2028, 12, 22, 12, 0)
def test_26_december_is_a_holiday_in_moselle_only(api_client, local_entry):
    metz, paris = local_entry("57"), local_entry("75")
    assert _week(_detail(api_client, metz))["2028-12-26"] == []  # a Tuesday
    assert _week(_detail(api_client, paris))["2028-12-26"] == NINE_TO_FIVE
    # The week from Friday 22nd: Monday 25th (Christmas) and Tuesday 26th closed.
    assert _detail(api_client, metz)["hours"]["text"] == (
        "mercredi\u2013vendredi 9 h\u201317 h · lundi, mardi, samedi, dimanche fermé"
    )


@_at(2027, 12, 20, 10, 0)  # a Monday: abolition of slavery in La Réunion
def test_the_abolition_of_slavery_day_of_la_reunion(api_client, local_entry, make_entry):
    local_entry("974")
    local_entry("75")
    make_entry(
        "Point d'accès au droit, Saint-Denis",
        horaires_accueil=WEEKDAYS_OFF_ON_HOLIDAYS,
        commune_code="97411",  # a national entry, in a commune of La Réunion
    )
    make_entry("Numéro national", horaires_accueil=WEEKDAYS_OFF_ON_HOLIDAYS)
    assert _open_now(api_client) == {"Mission locale 75", "Numéro national"}


def test_holiday_hours_stand_on_a_local_holiday(api_client, local_entry):
    """``PH 10:00-12:00``: on a local holiday, the holiday's hours, not the weekday's."""
    entry = local_entry("68", "Mo-Fr 09:00-17:00; PH 10:00-12:00")
    with _at(2027, 3, 26, 11, 0):
        week = _week(_detail(api_client, entry))
        assert week["2027-03-26"] == [{"opens": "10:00", "closes": "12:00"}]
        assert week["2027-03-29"] == [{"opens": "10:00", "closes": "12:00"}]  # Easter Monday
        assert week["2027-03-30"] == NINE_TO_FIVE


# --- Closures ---------------------------------------------------------------------------


def test_closed_during_a_closure_open_again_after(api_client, local_entry):
    entry = local_entry("93")
    _closure(entry, date(2026, 12, 21), date(2026, 12, 23), "Grève du personnel.")
    with _at(2026, 12, 22, 10, 0):
        detail = _detail(api_client, entry)
        assert detail["hours"]["open_now"] is False
        assert detail["hours"]["next_change"].startswith("2026-12-24T09:00")
        assert _week(detail)["2026-12-23"] == [] and _week(detail)["2026-12-24"] == NINE_TO_FIVE
        assert _open_now(api_client) == set()
        assert detail["closures"][0]["message"] == "Grève du personnel."
    with _at(2026, 12, 24, 10, 0):
        assert _open_now(api_client) == {"Mission locale 93"}
        assert _detail(api_client, entry)["closures"] == []


def test_exceptional_hours_replace_the_usual_ones(api_client, local_entry):
    entry = local_entry("93")
    _closure(entry, date(2027, 7, 12), date(2027, 8, 20), "Horaires d'été.", hours="10:00-12:00")
    with _at(2027, 7, 13, 11, 0):
        detail = _detail(api_client, entry)
        assert detail["hours"]["open_now"] is True
        assert _week(detail)["2027-07-13"] == [{"opens": "10:00", "closes": "12:00"}]
        # Every day, Sunday and 14 July too: these hours say nothing of holidays.
        assert (
            _week(detail)["2027-07-14"]
            == _week(detail)["2027-07-18"]
            == [{"opens": "10:00", "closes": "12:00"}]
        )
        assert detail["closures"][0]["hours"] == "lundi\u2013dimanche 10 h\u201312 h"
    with _at(2027, 7, 13, 15, 0):
        assert _detail(api_client, entry)["hours"]["open_now"] is False
        assert _open_now(api_client) == set()


def test_a_closure_over_a_public_holiday_of_alsace(api_client, local_entry):
    """Holidays hold within exceptional hours too: ``PH off`` in them closes on 26
    December in Strasbourg, not in Paris."""
    hours = "Mo-Fr 10:00-12:00; PH off"
    strasbourg, paris = local_entry("67"), local_entry("75")
    with _at(2028, 12, 22, 9, 0):
        for entry in (strasbourg, paris):
            _closure(entry, date(2028, 12, 18), date(2028, 12, 29), "Vacances.", hours=hours)
        in_67, in_75 = _week(_detail(api_client, strasbourg)), _week(_detail(api_client, paris))
    morning = [{"opens": "10:00", "closes": "12:00"}]
    assert in_67["2028-12-25"] == in_75["2028-12-25"] == []  # Christmas, everywhere
    assert in_67["2028-12-26"] == [] and in_75["2028-12-26"] == morning
    assert in_67["2028-12-27"] == in_75["2028-12-27"] == morning


@_at(2026, 12, 3, 10, 0)
def test_the_detail_tells_of_a_closure_ahead_of_time(api_client, local_entry):
    entry = local_entry("93")
    _closure(entry, date(2026, 11, 2), date(2026, 11, 6), "Passée.")  # over: not shown
    _closure(
        entry,
        date(2026, 12, 24),
        date(2027, 1, 2),
        "Fermé pour les fêtes.",
        translations={"en": {"message": "Closed for the holidays."}},
    )
    _closure(entry, date(2027, 2, 15), date(2027, 2, 19), "Matins seulement.", hours="09:00-12:00")
    detail = _detail(api_client, entry)
    assert detail["closures"] == [
        {
            "starts_on": "2026-12-24",
            "ends_on": "2027-01-02",
            "message": "Fermé pour les fêtes.",
            "hours": None,
        },
        {
            "starts_on": "2027-02-15",
            "ends_on": "2027-02-19",
            "message": "Matins seulement.",
            "hours": "lundi\u2013vendredi 9 h\u201312 h",
        },
    ]
    assert detail["hours"]["open_now"] is True  # not closed yet
    assert _detail(api_client, entry, "en")["closures"][0]["message"] == (
        "Closed for the holidays."
    )
    assert _detail(api_client, entry, "ar")["closures"][0]["message"] == "Fermé pour les fêtes."
    # The list tells of it two weeks ahead only.
    assert api_client.get(LIST).json()["results"][0]["closure"] is None


def test_the_list_tells_of_a_closure_two_weeks_ahead(api_client, local_entry):
    entry = local_entry("93")
    _closure(entry, date(2026, 12, 24), date(2027, 1, 2), "Fermé pour les fêtes.")
    with _at(2026, 12, 9, 10, 0):
        first = api_client.get(LIST)
        assert first.json()["results"][0]["closure"] is None
    with _at(2026, 12, 10, 10, 0):
        again = api_client.get(LIST, HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 200  # the page changed though no entry did
        assert again.json()["results"][0]["closure"] == {
            "starts_on": "2026-12-24",
            "ends_on": "2027-01-02",
            "message": "Fermé pour les fêtes.",
            "hours": None,
        }


def test_changing_closures_changes_the_entry(api_client, local_entry):
    """The offline copies (``updated_since``) and the ETags follow the entry's closures."""
    entry = local_entry("93")
    url = f"{LIST}{entry.pk}/"
    etag = api_client.get(url)["ETag"]
    before = Entry.objects.get(pk=entry.pk).updated_at
    closure = _closure(entry, date(2026, 12, 24), date(2026, 12, 31))
    after = Entry.objects.get(pk=entry.pk).updated_at
    assert after > before
    assert api_client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200
    synced = api_client.get(LIST, {"updated_since": after.isoformat()}).json()["results"]
    assert [row["id"] for row in synced] == [entry.pk]
    services.entry_closure_delete(closure=closure)
    assert Entry.objects.get(pk=entry.pk).updated_at > after


@_at(2026, 12, 3, 10, 0)
def test_bad_closures_are_refused_by_the_services(local_entry):
    entry = local_entry("93")
    _closure(entry, date(2026, 12, 24), date(2026, 12, 31))
    bad = [
        {"starts_on": date(2026, 12, 10), "ends_on": date(2026, 12, 9)},  # ends before
        {"starts_on": date(2026, 12, 28), "ends_on": date(2027, 1, 3)},  # overlaps
        {"starts_on": date(2006, 12, 10), "ends_on": date(2006, 12, 11)},  # a typo
        {"starts_on": date(2026, 12, 1), "ends_on": date(2028, 1, 1)},  # not temporary
        {"starts_on": date(2036, 12, 1), "ends_on": date(2036, 12, 2)},  # too far
        {"starts_on": date(2027, 1, 4), "ends_on": date(2027, 1, 4), "hours": "9h-12h"},
        {"starts_on": date(2027, 1, 4), "ends_on": date(2027, 1, 4), "translations": {"xx": 1}},
    ]
    for fields in bad:
        with pytest.raises(ValidationError):
            _closure(entry, **fields)
    assert entry.closures.count() == 1


# --- The admin ------------------------------------------------------------------------


def _closure_rows(*rows, initial=0) -> dict:
    data = {"closures-TOTAL_FORMS": str(len(rows)), "closures-INITIAL_FORMS": str(initial)}
    for index, row in enumerate(rows):
        data.update({f"closures-{index}-{key}": value for key, value in row.items()})
    return data


SUMMER = {"starts_on": "2027-07-26", "ends_on": "2027-08-20", "message": "Fermeture estivale."}


def _post_closures(client, entry, *rows):
    return client.post(
        f"{ENTRIES}{entry.pk}/change/",
        entry_form_data(title=entry.title, **_closure_rows(*rows)),
        HTTP_ACCEPT_LANGUAGE="fr",
    )


def _inline_errors(response) -> str:
    formset = next(
        inline.formset
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.model is EntryClosure
    )
    return " ".join(
        [
            *formset.non_form_errors(),
            *(str(error) for form in formset.errors for error in form.values()),
        ]
    )


def test_staff_set_a_closure_in_the_admin(client, staff_93, local_entry):
    with _at(2026, 12, 3, 10, 0):
        entry = local_entry("93")
    before = entry.updated_at
    client.force_login(staff_93)
    with _at(2026, 12, 3, 10, 5):
        response = _post_closures(client, entry, {**SUMMER, "hours": "Mo-Fr 10:00-12:00"})
    assert response.status_code == 302, _inline_errors(response)
    closure = entry.closures.get()
    assert (closure.starts_on, closure.hours) == (date(2027, 7, 26), "Mo-Fr 10:00-12:00")
    entry.refresh_from_db()
    assert entry.updated_at > before


@_at(2026, 12, 3, 10, 0)
def test_bad_closures_are_refused_in_the_admin_in_french(client, staff_93, local_entry):
    entry = local_entry("93")
    client.force_login(staff_93)
    response = _post_closures(client, entry, {**SUMMER, "hours": "lundi 9h"})
    assert response.status_code == 200
    assert "doivent suivre le format OpenStreetMap" in _inline_errors(response)
    backwards = {**SUMMER, "ends_on": "2027-07-01"}
    response = _post_closures(client, entry, backwards)
    assert response.status_code == 200 and _inline_errors(response)
    overlapping = {**SUMMER, "starts_on": "2027-08-01", "ends_on": "2027-08-31"}
    response = _post_closures(client, entry, SUMMER, overlapping)
    assert response.status_code == 200 and "2027" in _inline_errors(response)
    response = _post_closures(client, entry, {**SUMMER, "starts_on": "le 26 juillet"})
    assert "Saisissez une date valide" in _inline_errors(response)
    assert not EntryClosure.objects.exists()


@_at(2026, 12, 3, 10, 0)
def test_staff_of_another_departement_cannot_see_or_change_closures(client, staff_75, local_entry):
    entry = local_entry("93")
    _closure(entry, date(2027, 7, 26), date(2027, 8, 20), "Fermeture estivale.")
    client.force_login(staff_75)
    page = client.get(f"{ENTRIES}{entry.pk}/change/")
    assert page.status_code == 302
    assert "Fermeture estivale" not in client.get(ENTRIES).content.decode()
    _post_closures(client, entry, {**SUMMER, "message": "Piraté."})
    assert list(entry.closures.values_list("message", flat=True)) == ["Fermeture estivale."]


@_at(2026, 12, 3, 10, 0)
def test_a_partner_proposes_closures_on_the_entries_it_may_change(client, partner_93):
    client.force_login(partner_93)
    client.post(f"{ENTRIES}add/", entry_form_data(title="Permanence juridique"))
    proposal = Entry.objects.get(title="Permanence juridique")
    response = _post_closures(client, proposal, SUMMER)
    assert response.status_code == 302, _inline_errors(response)
    assert proposal.closures.count() == 1

    services.entry_publish(entry=proposal)  # published: the partner no longer changes it
    _post_closures(client, proposal, {**SUMMER, "message": "Autre."})
    assert list(proposal.closures.values_list("message", flat=True)) == ["Fermeture estivale."]


# --- Queries ----------------------------------------------------------------------------


@_at(2026, 12, 3, 10, 0)
def test_the_open_now_list_costs_the_same_for_one_entry_with_closures_as_for_six(
    api_client, local_entry
):
    counts = []
    for total in (1, 6):
        while Entry.objects.count() < total:
            index = Entry.objects.count()
            entry = services.entry_create(
                kind=Entry.Kind.OFFER,
                title=f"Lieu {index}",
                summary="Résumé.",
                body="Description.",
                scope=Entry.Scope.DEPARTEMENTS,
                departement_id="93",
                zone_departements=["93"],
                horaires_accueil=WEEKDAYS_OFF_ON_HOLIDAYS,
                publish=True,
            )
            _closure(entry, date(2026, 12, 3), date(2026, 12, 4), hours="09:00-12:00")
            _closure(entry, date(2026, 12, 10), date(2026, 12, 11))
        with CaptureQueriesContext(connection) as queries:
            rows = api_client.get(LIST, {"open_now": "true"}).json()["results"]
        assert len(rows) == total and all(row["closure"] for row in rows)
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_closures_leave_the_database_with_their_entry(local_entry):
    entry = local_entry("93")
    _closure(entry, date(2026, 12, 24), date(2026, 12, 31))
    services.entry_delete(entry=entry)
    assert not EntryClosure.objects.exists()


def test_offline_copies_learn_of_a_closure_coming_into_notice(api_client, local_entry):
    """The list tells of a closure two weeks ahead: that day the entry counts as changed,
    so that a sync (``updated_since``) brings it; and again the day after it ended."""
    with _at(2026, 12, 1, 10, 0):
        entry = local_entry("93")
        _closure(entry, date(2026, 12, 24), date(2026, 12, 31), "Fermé pour les fêtes.")
    with _at(2026, 12, 9, 23, 0):
        synced_at = datetime(2026, 12, 9, 23, 0, tzinfo=PARIS).isoformat()
        assert services.entries_touch_closure_notices() == 0
    with _at(2026, 12, 10, 0, 30):
        assert services.entries_touch_closure_notices() == 1
        assert services.entries_touch_closure_notices() == 0  # once that day
        rows = api_client.get(LIST, {"updated_since": synced_at}).json()["results"]
        assert [row["closure"]["starts_on"] for row in rows] == ["2026-12-24"]
    with _at(2027, 1, 1, 8, 0):
        assert services.entries_touch_closure_notices() == 1
        rows = api_client.get(LIST, {"updated_since": synced_at}).json()["results"]
        assert [row["closure"] for row in rows] == [None]
