"""The catalogue's list at national scale: cached answers that are never stale, counts
that do not scan the catalogue for every page, and the offline copy's walk by cursor."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Departement
from backend.api.pagination import encode_cursor
from services_catalog import selectors
from services_catalog.models import Entry, EntryClosure, EntryRemoval, Structure

pytestmark = pytest.mark.django_db

LIST = "/api/v1/catalogue/entries/"


def _titles(response) -> list[str]:
    return [row["title"] for row in response.json()["results"]]


def test_an_answer_given_twice_is_not_computed_twice(api_client, make_entry):
    make_entry("Aide au permis")
    first = api_client.get(LIST)
    with CaptureQueriesContext(connection) as queries:
        again = api_client.get(LIST)
    assert again.content == first.content
    # Only the catalogue's version is read: no entry, no count.
    assert [query["sql"] for query in queries] == [
        query["sql"] for query in queries if "catalogueversion" in query["sql"]
    ]
    assert len(queries) == 1


@pytest.mark.parametrize(
    "write",
    [
        # Writes that no signal sees: a bulk update, a raw statement, a theme's table.
        lambda entry: Entry.objects.filter(pk=entry.pk).update(title="Titre changé"),
        lambda entry: connection.cursor().execute(
            "UPDATE services_catalog_entry SET title = 'Titre changé' WHERE id = %s", [entry.pk]
        ),
        lambda entry: Structure.objects.filter(pk=entry.structure_id).update(name="Nouveau nom"),
        lambda entry: entry.zone_departements.set(["75"]),
        # A closure created past the services, which would also touch the entry.
        lambda entry: EntryClosure.objects.create(
            entry=entry,
            starts_on=timezone.localdate(),
            ends_on=timezone.localdate() + timedelta(days=3),
            message="Fermé pour travaux.",
        ),
    ],
    ids=["queryset-update", "raw-sql", "structure", "zone", "closure"],
)
def test_any_write_to_what_the_list_shows_reaches_the_next_answer(api_client, make_entry, write):
    structure = Structure.objects.create(departement_id="93", name="Ancien nom")
    entry = make_entry(
        "Aide au permis",
        structure=structure,
        scope=Entry.Scope.DEPARTEMENTS,
        departement_id="93",
        zone_departements=["93"],
    )
    first = api_client.get(LIST, {"departement": "93"})
    assert _titles(first) == ["Aide au permis"]
    write(entry)
    again = api_client.get(LIST, {"departement": "93"}, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200
    assert again["ETag"] != first["ETag"]
    assert again.content != first.content


def test_an_unchanged_catalogue_answers_not_modified(api_client, make_entry):
    make_entry("Aide au permis")
    first = api_client.get(LIST)
    assert api_client.get(LIST, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_the_version_moves_on_every_write_and_never_back(make_entry):
    before = selectors.catalogue_version()
    entry = make_entry("Aide au permis")
    after_create = selectors.catalogue_version()
    Entry.objects.filter(pk=entry.pk).delete()
    after_delete = selectors.catalogue_version()
    assert before < after_create < after_delete


def test_a_process_reuses_the_version_it_read_for_its_max_age(
    api_client, make_entry, settings, django_assert_num_queries
):
    make_entry("Aide au permis")
    settings.CATALOGUE_VERSION_MAX_AGE = 60
    first = api_client.get(LIST)
    with django_assert_num_queries(0):  # the kept answer, under the version read before
        assert api_client.get(LIST, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    make_entry("Aide au logement")
    assert api_client.get(LIST).json()["count"] == 1  # within the max age: as it was
    settings.CATALOGUE_VERSION_MAX_AGE = 0  # as when the max age has passed
    assert api_client.get(LIST).json()["count"] == 2


def test_the_count_follows_new_entries_on_every_page(api_client, make_entry):
    for number in range(3):
        make_entry(f"Aide {number}")
    assert api_client.get(LIST, {"page_size": 2}).json()["count"] == 3
    make_entry("Aide 3")
    first, second = (api_client.get(LIST, {"page_size": 2, "page": page}).json() for page in (1, 2))
    assert first["count"] == second["count"] == 4
    assert api_client.get(LIST, {"page_size": 2, "page": 3}).status_code == 404


def test_entries_are_the_same_for_a_signed_in_young_person(
    api_client, client_for, young_person, make_entry
):
    make_entry("Aide au permis")
    anonymous = api_client.get(LIST).json()
    assert client_for(young_person).get(LIST).json() == anonymous


def test_a_text_search_counts_its_matches_in_the_same_query(api_client, make_entry):
    for number in range(5):
        make_entry(f"Logement {number}")
    make_entry("Permis")
    with CaptureQueriesContext(connection) as queries:
        body = api_client.get(LIST, {"q": "logement", "page_size": 2}).json()
    assert body["count"] == 5
    assert len(body["results"]) == 2
    assert not [query for query in queries if "COUNT(*) AS" in query["sql"]]


# --- The offline copy's walk -----------------------------------------------------------


def _walk(client, since: str, page_size: int) -> list[dict]:
    pages = []
    url, params = LIST, {"updated_since": since, "page_size": page_size}
    while url:
        response = client.get(url, params)
        assert response.status_code == 200, response.content
        pages.append(response.json())
        url, params = pages[-1]["next"], None
    return pages


def test_the_walk_by_cursor_sees_every_entry_once_even_with_equal_times(api_client, make_entry):
    entries = [make_entry(f"Aide {number}") for number in range(7)]
    same_moment = timezone.now() - timedelta(minutes=5)
    # Four entries changed at the very same microsecond: the cursor tells them apart.
    Entry.objects.filter(pk__in=[entry.pk for entry in entries[:4]]).update(updated_at=same_moment)
    since = (timezone.now() - timedelta(hours=1)).isoformat()
    pages = _walk(api_client, since, page_size=3)
    seen = [row["id"] for page in pages for row in page["results"]]
    assert sorted(seen) == sorted(entry.pk for entry in entries)
    assert len(seen) == len(set(seen))
    assert [len(page["results"]) for page in pages] == [3, 3, 1]
    assert all(page["count"] == 7 for page in pages)
    assert "cursor=" in pages[0]["next"] and "page=" not in pages[0]["next"]


def test_the_walk_still_lists_removals(api_client, make_entry):
    kept = make_entry("Aide gardée")
    gone = make_entry("Aide retirée")
    since = (timezone.now() - timedelta(hours=1)).isoformat()
    EntryRemoval.objects.create(entry_id=gone.pk, removed_at=timezone.now())
    Entry.objects.filter(pk=gone.pk).update(status=Entry.Status.ARCHIVED)
    body = api_client.get(LIST, {"updated_since": since}).json()
    assert [row["id"] for row in body["results"]] == [kept.pk]
    assert body["removed"] == [gone.pk]


@pytest.mark.parametrize(
    ("params", "field", "code"),
    [
        (
            {"updated_since": "2026-01-01T00:00:00Z", "cursor": "not-a-cursor"},
            "cursor",
            "invalid_cursor",
        ),
        # Dates at the edges of the calendar, which overflow once in UTC; a huge id.
        *(
            (
                {"updated_since": "2026-01-01T00:00:00Z", "cursor": encode_cursor(values)},
                "cursor",
                "invalid_cursor",
            )
            for values in (
                ["0001-01-01T00:00:00+01:00", 1],
                ["9999-12-31T23:59:59-01:00", 1],
                ["2026-01-01T00:00:00+00:00", 2**70],
                ["2026-01-01T00:00:00", 1],
            )
        ),
        # A cursor of a well-formed shape but nonsense values.
        (
            {"updated_since": "2026-01-01T00:00:00Z", "cursor": "WyJ4IiwgMV0"},
            "cursor",
            "invalid_cursor",
        ),
        (
            {"cursor": "WyIyMDI2LTAxLTAxVDAwOjAwOjAwKzAwOjAwIiwgMV0"},
            "cursor",
            "cursor_without_updated_since",
        ),
    ],
)
def test_a_bad_cursor_is_refused_in_the_api_format(api_client, make_entry, params, field, code):
    make_entry("Aide au permis")
    response = api_client.get(LIST, params)
    assert response.status_code == 400
    assert response.json()["error"]["fields"][field][0]["code"] == code


def test_the_departements_list_is_rendered_once_and_kept_by_the_phone(api_client):
    first = api_client.get("/api/v1/departements/")
    assert first["Cache-Control"] == "max-age=3600"
    with CaptureQueriesContext(connection) as queries:
        again = api_client.get("/api/v1/departements/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert len(queries) == 0
    departement = Departement.objects.get(code="01")
    departement.name = "Ain (renommé)"
    departement.save()  # a change reaches the next answer
    with CaptureQueriesContext(connection) as queries:
        renamed = api_client.get("/api/v1/departements/")
    assert len(queries) == 2
    assert renamed.json()["results"][0]["name"] == "Ain (renommé)"


def test_made_up_parameters_get_the_answer_but_are_not_kept(api_client, make_entry):
    make_entry("Aide au permis")
    api_client.get(LIST, {"junk": "1"})
    with CaptureQueriesContext(connection) as queries:
        response = api_client.get(LIST, {"junk": "1"})
    assert _titles(response) == ["Aide au permis"]
    assert len(queries) > 1  # computed again: nothing was kept under that address


def test_a_search_the_phone_already_has_still_counts_for_the_figures(api_client, make_entry):
    from services_catalog.models import SearchEvent

    make_entry("Aide au permis")
    first = api_client.get(LIST, {"q": "permis"})
    again = api_client.get(LIST, {"q": "permis"}, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert list(SearchEvent.objects.values_list("found", flat=True)) == [True, True]


def test_a_write_that_changes_nothing_keeps_the_answers(make_entry):
    make_entry("Aide au permis")
    before = selectors.catalogue_version()
    assert Entry.objects.filter(title="Personne").update(title="Toujours personne") == 0
    assert selectors.catalogue_version() == before
