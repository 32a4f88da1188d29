"""An entry's opening hours as the app shows them: a structured week from today, the
week in words in the request's language, and whether it is open now."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
HOURS = "Mo-Fr 09:00-12:00,14:00-17:30; Sa 10:00-12:00"


def _hours(api_client, entry, language="fr"):
    response = api_client.get(
        f"/api/v1/catalogue/entries/{entry.pk}/", HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 200
    return response.json()["hours"]


@time_machine.travel(datetime(2026, 12, 3, 10, 30, tzinfo=PARIS), tick=False)  # a Thursday
def test_a_week_from_today_with_its_intervals_and_open_now(api_client, make_entry):
    entry = make_entry("Mission locale", horaires_accueil=HOURS)
    hours = _hours(api_client, entry)
    assert [day["day"] for day in hours["week"]] == [
        "thu", "fri", "sat", "sun", "mon", "tue", "wed",
    ]  # fmt: skip
    assert hours["week"][0] == {
        "date": "2026-12-03",
        "day": "thu",
        "intervals": [
            {"opens": "09:00", "closes": "12:00"},
            {"opens": "14:00", "closes": "17:30"},
        ],
    }
    assert hours["week"][3]["intervals"] == []  # closed on Sunday
    assert hours["open_now"] is True
    assert hours["next_change"].startswith("2026-12-03T12:00")
    assert hours["text"] == (
        "lundi\u2013vendredi 9 h\u201312 h, 14 h\u201317 h 30 · "
        "samedi 10 h\u201312 h · dimanche fermé"
    )


@time_machine.travel(datetime(2026, 12, 3, 13, 0, tzinfo=PARIS), tick=False)
def test_the_words_follow_the_request_language(api_client, make_entry):
    entry = make_entry("Mission locale", horaires_accueil=HOURS)
    assert _hours(api_client, entry, "en")["text"].startswith("Monday\u2013Friday 09:00\u201312:00")
    arabic = _hours(api_client, entry, "ar")
    assert arabic["text"].startswith("الاثنين") and arabic["open_now"] is False


def test_unknown_hours_say_nothing_rather_than_closed(api_client, make_entry):
    hours = _hours(api_client, make_entry("Permanence", horaires_accueil=""))
    assert hours == {"text": "", "open_now": None, "next_change": None, "week": []}


@time_machine.travel(datetime(2026, 12, 24, 10, 0, tzinfo=PARIS), tick=False)
def test_a_public_holiday_closes_what_says_ph_off(api_client, make_entry):
    entry = make_entry("Mission locale", horaires_accueil="Mo-Fr 09:00-17:00; PH off")
    week = {day["date"]: day["intervals"] for day in _hours(api_client, entry)["week"]}
    assert week["2026-12-24"] == [{"opens": "09:00", "closes": "17:00"}]
    assert week["2026-12-25"] == []  # Christmas


def test_the_answer_changes_when_the_day_does(api_client, make_entry):
    entry = make_entry("Mission locale", horaires_accueil=HOURS)
    url = f"/api/v1/catalogue/entries/{entry.pk}/"
    with time_machine.travel(datetime(2026, 12, 3, 10, 30, tzinfo=PARIS), tick=False):
        etag = api_client.get(url)["ETag"]
        assert api_client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    with time_machine.travel(datetime(2026, 12, 5, 15, 0, tzinfo=PARIS), tick=False):
        again = api_client.get(url, HTTP_IF_NONE_MATCH=etag)
        assert again.status_code == 200 and again.json()["hours"]["week"][0]["day"] == "sat"


def _text_on_a_week_without_holidays(api_client, make_entry, hours, language="fr"):
    with time_machine.travel(datetime(2026, 12, 7, 10, 0, tzinfo=PARIS), tick=False):
        return _hours(api_client, make_entry("Permanence", horaires_accueil=hours), language)


def test_days_with_the_same_hours_go_together_as_ranges(api_client, make_entry):
    text = _text_on_a_week_without_holidays(api_client, make_entry, "Mo-We,Fr 09:00-17:00")
    assert text["text"] == (
        "lundi\u2013mercredi, vendredi 9 h\u201317 h · jeudi, samedi, dimanche fermé"
    )


def test_unknown_days_and_comments_are_left_out_of_the_words(api_client, make_entry):
    hours = (
        'Mo,We,Fr 09:00-12:30 "sur rendez-vous"; Tu,Th 14:00-17:00; Sa unknown "selon les semaines"'
    )
    text = _text_on_a_week_without_holidays(api_client, make_entry, hours)
    assert text["text"] == (
        "lundi, mercredi, vendredi 9 h\u201312 h 30 · mardi, jeudi 14 h\u201317 h · dimanche fermé"
    )
    english = _text_on_a_week_without_holidays(api_client, make_entry, hours, "en")
    assert english["text"].startswith("Monday, Wednesday, Friday 09:00\u201312:30 · ")


@time_machine.travel(datetime(2027, 3, 24, 10, 0, tzinfo=PARIS), tick=False)
def test_the_week_in_words_knows_the_holidays_of_the_departement(api_client, make_entry):
    """Good Friday closes in Alsace-Moselle, Easter Monday everywhere."""
    fields = {"kind": "offer", "scope": "departements", "horaires_accueil": f"{HOURS}; PH off"}
    colmar = make_entry("Colmar", departement_id="68", zone_departements=["68"], **fields)
    lyon = make_entry("Lyon", departement_id="69", zone_departements=["69"], **fields)
    assert _hours(api_client, colmar)["text"] == (
        "mardi\u2013jeudi 9 h\u201312 h, 14 h\u201317 h 30 · samedi 10 h\u201312 h · "
        "lundi, vendredi, dimanche fermé"
    )
    assert _hours(api_client, lyon)["text"] == (
        "mardi\u2013vendredi 9 h\u201312 h, 14 h\u201317 h 30 · samedi 10 h\u201312 h · "
        "lundi, dimanche fermé"
    )
