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
        "lundi \u2013 vendredi : 09:00\u201312:00, 14:00\u201317:30 · "
        "samedi : 10:00\u201312:00 · dimanche : fermé"
    )


@time_machine.travel(datetime(2026, 12, 3, 13, 0, tzinfo=PARIS), tick=False)
def test_the_words_follow_the_request_language(api_client, make_entry):
    entry = make_entry("Mission locale", horaires_accueil=HOURS)
    assert _hours(api_client, entry, "en")["text"].startswith("Monday \u2013 Friday: 09:00")
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
