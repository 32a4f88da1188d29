"""What the catalogue records for a département's figures: searches and consultations,
each with a monthly pseudonym of the visitor, and nothing that identifies anyone."""

import re
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from backend.pseudonyms import visitor_pseudonym
from services_catalog.models import Entry, EntryConsultation, SearchEvent

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
