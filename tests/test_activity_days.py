"""Activity days: one row per young person and day they used the API, for the figures."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.cache import cache
from django.db import OperationalError
from django.utils import timezone

from accounts import services
from accounts.models import ActivityDay
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

MONDAY = date(2025, 3, 10)
TUESDAY = MONDAY + timedelta(days=1)


@pytest.fixture(autouse=True)
def _own_cache(settings):
    # The configured file cache is shared by every process of the machine: another test
    # run would see (or clear) this one's keys, since user ids restart at 1 in each.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "activity-days-tests",
        }
    }
    yield
    cache.clear()


def recorded_days(user) -> list[date]:
    return list(ActivityDay.objects.filter(user=user).order_by("day").values_list("day", flat=True))


def test_two_requests_the_same_day_make_one_row(client_for, young_person):
    client = client_for(young_person)
    assert client.get("/api/v1/me/").status_code == 200
    assert client.get("/api/v1/me/").status_code == 200
    assert recorded_days(young_person) == [timezone.localdate()]


def test_a_request_the_next_day_makes_a_second_row(client_for, young_person, monkeypatch):
    client = client_for(young_person)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: MONDAY)
    client.get("/api/v1/me/")
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TUESDAY)
    client.get("/api/v1/me/")
    client.get("/api/v1/me/")
    assert recorded_days(young_person) == [MONDAY, TUESDAY]


def test_the_day_is_the_day_in_paris(young_person, monkeypatch):
    # 23:30 UTC on Monday is already Tuesday in Paris (UTC+1 in March).
    monkeypatch.setattr(timezone, "now", lambda: datetime(2025, 3, 10, 23, 30, tzinfo=UTC))
    services.activity_record(young_person)
    assert recorded_days(young_person) == [TUESDAY]


def test_service_records_each_day_once(young_person):
    assert services.activity_record(young_person, day=MONDAY) is True
    assert services.activity_record(young_person, day=MONDAY) is False
    assert services.activity_record(young_person, day=TUESDAY) is True
    assert recorded_days(young_person) == [MONDAY, TUESDAY]


def test_an_already_recorded_day_costs_no_query(young_person, django_assert_num_queries):
    services.activity_record(young_person, day=MONDAY)
    with django_assert_num_queries(0):
        services.activity_record(young_person, day=MONDAY)


def test_a_cleared_cache_does_not_make_a_duplicate(client_for, young_person):
    client = client_for(young_person)
    client.get("/api/v1/me/")
    cache.clear()
    client.get("/api/v1/me/")
    # The database write is retried, and the unique constraint absorbs it.
    cache.clear()
    assert services.activity_record(young_person) is True
    assert recorded_days(young_person) == [timezone.localdate()]


def test_a_failed_write_lets_the_next_request_try_again(young_person, monkeypatch):
    def fail(*args, **kwargs):
        raise OperationalError("database is locked")

    with monkeypatch.context() as patch:
        patch.setattr(ActivityDay.objects, "bulk_create", fail)
        # Counting must not fail the young person's request: nothing raised.
        assert services.activity_record(young_person, day=MONDAY) is False
    assert services.activity_record(young_person, day=MONDAY) is True
    assert recorded_days(young_person) == [MONDAY]


def test_mentors_and_staff_are_not_counted(client_for, mentor, staff_93):
    for user in (mentor, staff_93):
        client = client_for(user)
        client.get("/api/v1/me/")
        assert services.activity_record(user, day=MONDAY) is False
    assert not ActivityDay.objects.exists()


def test_anonymous_requests_record_nothing(api_client, young_person):
    assert api_client.get("/api/v1/departements/").status_code == 200
    assert api_client.get("/api/v1/me/").status_code == 401
    bad_token = api_client.get("/api/v1/me/", HTTP_X_SESSION_TOKEN="not-a-session")
    assert bad_token.status_code == 401
    assert not ActivityDay.objects.exists()


def test_the_export_lists_the_days(client_for, young_person):
    services.activity_record(young_person, day=TUESDAY)
    services.activity_record(young_person, day=MONDAY)
    export = client_for(young_person).get("/api/v1/me/export/").json()
    assert export["activity_days"] == sorted(
        {MONDAY.isoformat(), TUESDAY.isoformat(), timezone.localdate().isoformat()}
    )


def test_the_export_holds_only_the_requesters_days(client_for, young_person, other_young_person):
    services.activity_record(other_young_person, day=MONDAY)
    export = client_for(young_person).get("/api/v1/me/export/").json()
    assert export["activity_days"] == [timezone.localdate().isoformat()]


def test_erasing_the_account_removes_the_days(client_for, young_person, other_young_person):
    services.activity_record(young_person, day=MONDAY)
    services.activity_record(other_young_person, day=MONDAY)
    client = client_for(young_person)
    assert client.delete("/api/v1/me/", {"password": PASSWORD}, format="json").status_code == 204
    assert not ActivityDay.objects.filter(user_id=young_person.pk).exists()
    assert recorded_days(other_young_person) == [MONDAY]
