"""What the catalogue records for a département's figures: searches and consultations,
each with a monthly pseudonym of the visitor, and nothing that identifies anyone."""

import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.conf import settings as settings_module
from django.db import DatabaseError, connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from backend.buffers import buffer_drain
from backend.pseudonyms import visitor_pseudonym
from figures.periods import Period
from figures.selectors import departement_report
from services_catalog import services
from services_catalog.models import Entry, EntryConsultation, SearchEvent
from services_catalog.tasks import write_kept_searches

pytestmark = pytest.mark.django_db

URL = "/api/v1/catalogue/entries/"
HOUSING = "logement-hebergement--louer-un-logement"
FAMILY = "famille--soutien-a-la-parentalite-et-a-leducation"
PSEUDONYM = re.compile(r"[0-9a-f]{16}")


def request_of(user=None, **meta):
    """A bare request from ``user`` (anonymous if None), as visitor_pseudonym reads it."""
    request = RequestFactory().get("/", **meta)
    if user is not None:
        request.user = user
    return request


def paris(year, month, day, hour=12):
    return timezone.make_aware(datetime(year, month, day, hour), timezone.get_default_timezone())


def detail_url(entry) -> str:
    return f"{URL}{entry.pk}/"


@pytest.fixture
def local_entry(make_entry):
    return make_entry(
        "Atelier budget de Bobigny",
        kind=Entry.Kind.OFFER,
        scope=Entry.Scope.DEPARTEMENTS,
        departement_id="93",
        zone_departements=["93"],
        thematiques=[HOUSING],
    )


# --- The pseudonym ------------------------------------------------------------------


def test_pseudonym_is_stable_within_a_month_and_changes_with_it(young_person):
    request = request_of(young_person)
    early, late = paris(2026, 3, 1, 0), paris(2026, 3, 31, 23)

    assert PSEUDONYM.fullmatch(visitor_pseudonym(request, moment=early))
    assert visitor_pseudonym(request, moment=early) == visitor_pseudonym(request, moment=late)
    assert visitor_pseudonym(request, moment=late) != visitor_pseudonym(
        request, moment=paris(2026, 4, 1, 0)
    )


def test_months_are_paris_months(young_person):
    request = request_of(young_person)
    # 23:30 UTC on 31 January is already 1 February in Paris.
    new_year_night = datetime(2026, 1, 31, 23, 30, tzinfo=UTC)

    assert visitor_pseudonym(request, moment=new_year_night) == visitor_pseudonym(
        request, moment=paris(2026, 2, 15)
    )


def test_pseudonym_is_keyed_with_the_server_secret(settings, young_person):
    request = request_of(young_person)
    moment = paris(2026, 3, 10)
    before = visitor_pseudonym(request, moment=moment)

    settings.SECRET_KEY = "another-secret-" + "x" * 50

    assert visitor_pseudonym(request, moment=moment) != before


# --- Searches -----------------------------------------------------------------------


def test_searches_of_a_young_person_share_a_pseudonym_for_the_month(
    client_for, young_person, other_young_person, make_entry
):
    make_entry("Aide au logement", thematiques=[HOUSING])
    client_for(young_person).get(URL, {"q": "logement"})
    client_for(young_person).get(URL, {"categorie": "famille"})
    client_for(other_young_person).get(URL, {"q": "logement"})

    first, second, other = SearchEvent.objects.order_by("pk").values_list("visitor", flat=True)
    this_month = visitor_pseudonym(request_of(young_person), moment=timezone.now())
    assert first == second == this_month
    assert other == visitor_pseudonym(request_of(other_young_person), moment=timezone.now())
    assert other != first
    next_year = timezone.now().replace(year=timezone.now().year + 1)
    assert visitor_pseudonym(request_of(young_person), moment=next_year) != first


def test_an_anonymous_search_gets_a_pseudonym_of_its_address(api_client, make_entry):
    make_entry("Aide au logement", thematiques=[HOUSING])
    api_client.get(URL, {"q": "logement"}, REMOTE_ADDR="198.51.100.7")
    api_client.get(URL, {"q": "logement"}, REMOTE_ADDR="198.51.100.8")

    first, second = SearchEvent.objects.order_by("pk").values_list("visitor", flat=True)
    assert PSEUDONYM.fullmatch(first)
    assert first == visitor_pseudonym(request_of(REMOTE_ADDR="198.51.100.7"))
    assert first != second


def test_a_forged_forwarded_for_is_ignored_without_trusted_proxy(api_client, make_entry):
    make_entry("Aide au logement", thematiques=[HOUSING])
    api_client.get(URL, {"q": "logement"}, REMOTE_ADDR="198.51.100.7")
    api_client.get(
        URL, {"q": "logement"}, REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="203.0.113.1"
    )

    plain, forged = SearchEvent.objects.order_by("pk").values_list("visitor", flat=True)
    assert forged == plain


def test_behind_a_trusted_proxy_the_forwarded_address_counts(settings, api_client, make_entry):
    settings.TRUSTED_PROXY_IPS = ["10.0.0.1"]
    make_entry("Aide au logement", thematiques=[HOUSING])
    for client_address in ("203.0.113.1", "203.0.113.2"):
        api_client.get(
            URL,
            {"q": "logement"},
            REMOTE_ADDR="10.0.0.1",  # the proxy
            HTTP_X_FORWARDED_FOR=f"192.0.2.66, {client_address}",
        )

    first, second = SearchEvent.objects.order_by("pk").values_list("visitor", flat=True)
    assert first != second
    assert first == visitor_pseudonym(request_of(REMOTE_ADDR="203.0.113.1"))


# --- Consultations ------------------------------------------------------------------


def test_a_young_person_reading_a_national_entry_counts_for_their_departement(
    client_for, young_person, make_entry
):
    entry = make_entry("Pécule", thematiques=[HOUSING, FAMILY])

    response = client_for(young_person).get(detail_url(entry))

    assert response.status_code == 200
    consultation = EntryConsultation.objects.get()
    assert consultation.departement_id == "93"
    assert consultation.entry_id == entry.pk
    assert consultation.categorie == "famille"  # the first of its categories
    assert consultation.visitor == visitor_pseudonym(request_of(young_person))


def test_a_young_person_counts_for_their_departement_even_on_another_ones_entry(
    client_for, other_young_person, local_entry
):
    client_for(other_young_person).get(detail_url(local_entry))

    assert EntryConsultation.objects.get().departement_id == "75"


def test_an_anonymous_reader_counts_for_the_entrys_departement(api_client, local_entry, make_entry):
    national = make_entry("Pécule")
    api_client.get(detail_url(local_entry))
    api_client.get(detail_url(national))

    local, national_reading = EntryConsultation.objects.order_by("pk")
    assert local.departement_id == "93"
    assert local.categorie == "logement-hebergement"
    assert PSEUDONYM.fullmatch(local.visitor)
    assert national_reading.departement_id is None
    assert national_reading.categorie == ""


def test_other_roles_count_for_the_entrys_departement(client_for, mentor, local_entry):
    client_for(mentor).get(detail_url(local_entry))

    assert EntryConsultation.objects.get().departement_id == "93"


def test_a_not_modified_answer_is_a_consultation_too_and_costs_one_insert(api_client, local_entry):
    etag = api_client.get(detail_url(local_entry))["ETag"]

    with CaptureQueriesContext(connection) as context:
        response = api_client.get(detail_url(local_entry), HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 304
    assert EntryConsultation.objects.count() == 2
    writes = [q["sql"] for q in context.captured_queries if not q["sql"].startswith("SELECT")]
    assert len(writes) == 1 and writes[0].startswith("INSERT")


def test_an_unknown_or_unpublished_entry_is_not_counted(api_client, make_entry):
    draft = make_entry("Brouillon", publish=False)

    assert api_client.get(detail_url(draft)).status_code == 404
    assert api_client.get(f"{URL}999999/").status_code == 404
    assert not EntryConsultation.objects.exists()


# --- Nothing identifying ------------------------------------------------------------


def test_no_user_id_e_mail_or_address_is_stored(client_for, young_person, local_entry):
    client = client_for(young_person)
    client.get(URL, {"q": "budget"}, REMOTE_ADDR="198.51.100.7")
    client.get(detail_url(local_entry), REMOTE_ADDR="198.51.100.7")

    rows = [
        *SearchEvent.objects.values(),
        *EntryConsultation.objects.values(),
    ]
    assert len(rows) == 2
    for row in rows:
        assert not {name for name in row if "user" in name or "ip" in name.split("_")}
        stored = " ".join(str(value) for value in row.values())
        assert young_person.email not in stored
        assert "aminata" not in stored.lower()
        assert "198.51.100.7" not in stored
        # The visitor is no plain rendering of the user's id.
        assert row["visitor"] not in {str(young_person.pk), f"user:{young_person.pk}"}
    assert {field.name for field in EntryConsultation._meta.get_fields()} == {
        "id",
        "created_at",
        "departement",
        "entry",
        "categorie",
        "visitor",
    }


# --- Counting without waiting for the disk ------------------------------------------------


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="synchronous_commit is PostgreSQL's setting"
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_search_is_committed_without_waiting_for_the_disk_and_only_its_own(api_client):
    with CaptureQueriesContext(connection) as context:
        response = api_client.get(URL, {"q": "logement", "departement": "93"})
    assert response.status_code == 200
    assert "SET LOCAL synchronous_commit TO OFF" in [q["sql"] for q in context]
    # Committed: another connection of the database sees the count.
    other = connection.copy()
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM services_catalog_searchevent")
            assert cursor.fetchone() == (1,)
    finally:
        other.close()
    # The setting ended with the search's transaction: the next one waits for the disk.
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone() == ("on",)


# --- Searches counted in Redis, written in batches ------------------------------------------

needs_redis = pytest.mark.skipif(
    "redis" not in settings_module.CACHES["default"]["BACKEND"].lower(),
    reason="the searches wait in Redis only when the cache is Redis",
)


@pytest.fixture
def batched(settings):
    settings.CATALOGUE_SEARCHES_BATCHED = True


@needs_redis
def test_a_search_waits_in_redis_and_the_figures_count_it(
    api_client, batched, make_entry, settings
):
    settings.FIGURES_MIN_PEOPLE = 1  # one visitor here: shown
    make_entry("Aide au logement", scope=Entry.Scope.DEPARTEMENTS, zone_departements=["93"])
    last_month = Period.last_closed_month()
    with time_machine.travel(paris(last_month.first.year, last_month.first.month, 10)):
        for _ in range(3):
            assert api_client.get(URL, {"q": "logement", "departement": "93"}).status_code == 200
    assert not SearchEvent.objects.exists()  # counted in Redis, not yet in the database

    report = departement_report("93", last_month)
    assert report.table("catalogue.searches_by_category").total == 3
    assert SearchEvent.objects.filter(departement_id="93", had_text=True, found=True).count() == 3
    assert services.search_events_write_kept() == 0  # written once


@needs_redis
def test_the_minute_task_writes_the_waiting_searches_in_order(api_client, batched):
    for commune in ("93008", "93048", "93066"):
        api_client.get(URL, {"categorie": "sante", "commune": commune})
    assert write_kept_searches.apply().get() == 3
    events = SearchEvent.objects.order_by("pk")
    assert [e.commune_code for e in events] == ["93008", "93048", "93066"]
    assert all(e.created_at.tzinfo is not None and e.categorie == "sante" for e in events)


@needs_redis
def test_searches_that_fail_to_be_written_wait_for_the_next_time(api_client, batched):
    api_client.get(URL, {"categorie": "sante", "commune": "93008"})
    api_client.get(URL, {"categorie": "mobilite", "commune": "93048"})

    def fail(_batch):
        raise DatabaseError("the database is gone")

    with pytest.raises(DatabaseError):
        buffer_drain(services.SEARCHES_BUFFER, fail, dates=("created_at",))
    assert services.search_events_write_kept() == 2
    assert list(SearchEvent.objects.order_by("pk").values_list("categorie", flat=True)) == [
        "sante",
        "mobilite",
    ]


@needs_redis
def test_an_erasure_reaches_the_searches_still_waiting(client_for, young_person, batched):
    client_for(young_person).get(URL, {"categorie": "sante"})
    mine = visitor_pseudonym(request_of(young_person))
    services.visitor_pseudonyms_erase(user_id=young_person.pk)
    (event,) = SearchEvent.objects.all()
    assert event.visitor and event.visitor != mine


def test_without_redis_a_search_is_written_at_once(api_client, batched, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    api_client.get(URL, {"categorie": "sante"})
    assert SearchEvent.objects.count() == 1
