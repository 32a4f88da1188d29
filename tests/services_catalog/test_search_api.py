"""GET /api/v1/catalogue/entries/: what anyone finds in the published catalogue."""

from datetime import datetime, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from services_catalog import services
from services_catalog.models import Entry, SearchEvent, Structure

pytestmark = pytest.mark.django_db

URL = "/api/v1/catalogue/entries/"

# Coordinates of a few real places.
BOBIGNY = (48.9086, 2.4397)
SAINT_DENIS = (48.9362, 2.3574)
PARIS_19 = (48.8871, 2.3844)
MARSEILLE = (43.2965, 5.3698)


def titles(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["title"] for row in response.json()["results"]]


def test_anonymous_sees_published_entries_only(api_client, make_entry):
    make_entry("Pécule")
    make_entry("Brouillon secret", publish=False)
    archived = make_entry("Ancienne aide")
    services.entry_archive(entry=archived)
    submitted = make_entry("Proposition", publish=False)
    services.entry_submit(entry=submitted)
    make_entry("Aide expirée", valid_until=timezone.localdate() - timedelta(days=1))
    make_entry("Aide future", valid_from=timezone.localdate() + timedelta(days=3))

    assert titles(api_client.get(URL)) == ["Pécule"]
    for hidden in (archived, submitted):
        response = api_client.get(f"{URL}{hidden.pk}/")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"


def test_accented_query_finds_plain_text_and_the_reverse(api_client, make_entry):
    make_entry("Pecule a la majorite", body="Somme epargnee pendant le placement.")
    make_entry("Garantie Visale", body="Caution gratuite pour votre premier logement étudiant.")
    assert titles(api_client.get(URL, {"q": "pécule"})) == ["Pecule a la majorite"]
    assert titles(api_client.get(URL, {"q": "ETUDIANT"})) == ["Garantie Visale"]
    assert titles(api_client.get(URL, {"q": "Épargnée"})) == ["Pecule a la majorite"]
    assert titles(api_client.get(URL, {"q": "logement caution"})) == ["Garantie Visale"]
    assert titles(api_client.get(URL, {"q": "permis de conduire"})) == []


def test_plural_finds_singular(api_client, make_entry):
    make_entry("Aide au permis", body="Une aide pour passer le permis.")
    assert titles(api_client.get(URL, {"q": "aides"})) == ["Aide au permis"]


def test_filters_by_theme_category_kind_type_and_fees(api_client, make_entry):
    make_entry(
        "Logement jeunes",
        kind=Entry.Kind.OFFER,
        type="accompagnement",
        frais="gratuit",
        thematiques=["logement-hebergement--louer-un-logement"],
    )
    make_entry(
        "Permis",
        type="aide-financiere",
        frais="payant",
        thematiques=["mobilite--preparer-un-permis"],
    )
    assert titles(api_client.get(URL, {"categorie": "logement-hebergement"})) == ["Logement jeunes"]
    assert titles(
        api_client.get(
            URL,
            {"thematique": "mobilite--preparer-un-permis"},
        )
    ) == ["Permis"]
    assert titles(api_client.get(URL, {"kind": "offer"})) == ["Logement jeunes"]
    assert titles(api_client.get(URL, {"type": "aide-financiere"})) == ["Permis"]
    assert titles(api_client.get(URL, {"frais": "gratuit"})) == ["Logement jeunes"]


@pytest.fixture
def places(make_entry):
    return {
        "national": make_entry("National"),
        "93": make_entry(
            "Seine-Saint-Denis",
            scope=Entry.Scope.DEPARTEMENTS,
            departement_id="93",
            zone_departements=["93"],
        ),
        "75": make_entry(
            "Paris", scope=Entry.Scope.DEPARTEMENTS, departement_id="75", zone_departements=["75"]
        ),
        "bobigny": make_entry(
            "Bobigny seulement",
            scope=Entry.Scope.COMMUNES,
            departement_id="93",
            zone_communes="93008",
        ),
    }


def test_filter_by_departement_includes_national_entries(api_client, places):
    assert titles(api_client.get(URL, {"departement": "93"})) == [
        "Bobigny seulement",
        "National",
        "Seine-Saint-Denis",
    ]
    assert titles(api_client.get(URL, {"departement": "2a"})) == ["National"]


def test_filter_by_commune_and_postcode(api_client, places):
    assert titles(api_client.get(URL, {"commune": "93008"})) == [
        "Bobigny seulement",
        "National",
        "Seine-Saint-Denis",
    ]
    assert titles(api_client.get(URL, {"commune": "93066"})) == ["National", "Seine-Saint-Denis"]
    assert titles(api_client.get(URL, {"postcode": "75019"})) == ["National", "Paris"]


def test_geo_filter_orders_by_distance_and_reports_it(api_client, make_entry):
    for name, (lat, lon) in {
        "Bobigny": BOBIGNY,
        "Saint-Denis": SAINT_DENIS,
        "Marseille": MARSEILLE,
    }.items():
        make_entry(name, kind=Entry.Kind.OFFER, latitude=lat, longitude=lon)
    make_entry("Sans lieu")

    response = api_client.get(URL, {"lat": PARIS_19[0], "lon": PARIS_19[1]})
    assert titles(response) == ["Bobigny", "Saint-Denis", "Marseille", "Sans lieu"]
    distances = [row["distance_km"] for row in response.json()["results"]]
    assert 4 < distances[0] < 6  # Paris 19e to Bobigny: about 4.5 km
    assert 600 < distances[2] < 700
    assert distances[3] is None

    nearby = api_client.get(URL, {"lat": PARIS_19[0], "lon": PARIS_19[1], "radius_km": 6})
    assert titles(nearby) == ["Bobigny", "Saint-Denis"]


def test_open_now(api_client, make_entry):
    make_entry("Toujours ouvert", horaires_accueil="24/7")
    make_entry("Jamais ouvert", horaires_accueil="off")
    make_entry("Horaires inconnus")
    assert titles(api_client.get(URL, {"open_now": "true"})) == ["Toujours ouvert"]


def test_updated_since_lists_changes_and_removals(api_client, make_entry):
    kept = make_entry("Toujours là")
    archived = make_entry("Archivée")
    deleted = make_entry("Supprimée")
    deleted_id = deleted.pk
    since = timezone.now()
    Entry.objects.filter(pk=kept.pk).update(updated_at=since - timedelta(minutes=5))

    services.entry_archive(entry=archived)
    services.entry_delete(entry=deleted)
    fresh = make_entry("Nouvelle")

    response = api_client.get(URL, {"updated_since": since.isoformat()})
    assert titles(response) == ["Nouvelle"]
    assert response.json()["removed"] == sorted([archived.pk, deleted_id])
    assert fresh.pk not in response.json()["removed"]

    # Republished since: it is back, not removed.
    services.entry_publish(entry=archived)
    response = api_client.get(URL, {"updated_since": since.isoformat()})
    assert sorted(titles(response)) == ["Archivée", "Nouvelle"]
    assert response.json()["removed"] == [deleted_id]


def test_etag_gives_304_until_something_changes(api_client, make_entry):
    entry = make_entry("Pécule")
    first = api_client.get(URL, {"departement": "93"})
    etag = first["ETag"]
    assert etag

    again = api_client.get(URL, {"departement": "93"}, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""

    entry.summary = "Nouveau résumé."
    entry.save()
    changed = api_client.get(URL, {"departement": "93"}, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag

    # Another language is another representation.
    english = api_client.get(
        URL, {"departement": "93"}, HTTP_IF_NONE_MATCH=changed["ETag"], HTTP_ACCEPT_LANGUAGE="en"
    )
    assert english.status_code == 200


def test_detail_etag(api_client, make_entry):
    entry = make_entry("Pécule", steps=["Demander le formulaire", "L'envoyer"])
    response = api_client.get(f"{URL}{entry.pk}/")
    assert response.status_code == 200
    assert [step["text"] for step in response.json()["steps"]] == [
        "Demander le formulaire",
        "L'envoyer",
    ]
    again = api_client.get(f"{URL}{entry.pk}/", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_english_translation_when_there_is_one(api_client, make_entry):
    entry = make_entry(
        "Pécule",
        translations={"en": {"title": "Savings at 18", "summary": "Money saved for you."}},
        steps=[{"text": "Écrire à la CDC", "translations": {"en": {"text": "Write to the CDC"}}}],
    )
    make_entry("Sans traduction")
    english = api_client.get(URL, HTTP_ACCEPT_LANGUAGE="en")
    assert sorted(titles(english)) == ["Sans traduction", "Savings at 18"]
    detail = api_client.get(f"{URL}{entry.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert detail["title"] == "Savings at 18"
    assert detail["body"] == entry.body  # no English body: French shown
    assert detail["steps"][0]["text"] == "Write to the CDC"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"lat": "48.8"}, "lat"),
        ({"lat": "91", "lon": "2"}, "lat"),
        ({"lat": "abc", "lon": "2"}, "lat"),
        ({"radius_km": "5"}, "radius_km"),
        ({"lat": "48", "lon": "2", "radius_km": "-1"}, "radius_km"),
        ({"categorie": "nope"}, "categorie"),
        ({"thematique": "nope--nope"}, "thematique"),
        ({"kind": "law"}, "kind"),
        ({"departement": "99"}, "departement"),
        ({"departement": "9\x003"}, "departement"),
        ({"commune": "123"}, "commune"),
        ({"postcode": "7501"}, "postcode"),
        ({"updated_since": "yesterday"}, "updated_since"),
        ({"open_now": "perhaps"}, "open_now"),
        ({"q": "x" * 201}, "q"),
    ],
)
def test_bad_parameters_are_400_in_the_error_format(api_client, params, field):
    response = api_client.get(URL, params)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert field in error["fields"], error
    assert not SearchEvent.objects.exists()


def test_query_count_does_not_grow_with_page_size(api_client, make_entry):
    for number in range(30):
        make_entry(
            f"Offre {number:02d}",
            thematiques=["logement-hebergement--louer-un-logement"],
        )

    def queries_for(page_size: int) -> int:
        cache.clear()  # a cold answer: the count is shared by every page size once counted
        with CaptureQueriesContext(connection) as context:
            response = api_client.get(URL, {"page_size": page_size, "q": "offre"})
        assert len(response.json()["results"]) == page_size
        return len(context.captured_queries)

    assert queries_for(2) == queries_for(25)


def test_searches_are_counted_without_identifying_anyone(client_for, young_person, make_entry):
    make_entry("Pécule", thematiques=["famille--soutien-a-la-parentalite-et-a-leducation"])
    client = client_for(young_person)
    client.get(URL, {"q": "pécule", "departement": "93"})
    client.get(URL, {"q": "trottinette", "commune": "93008"})
    client.get(URL, {"categorie": "famille"})
    client.get(URL)  # a plain listing is not a search

    events = list(SearchEvent.objects.order_by("pk").values())
    assert [(e["departement_id"], e["found"], e["had_text"]) for e in events] == [
        ("93", True, True),
        ("93", False, True),
        (None, True, False),
    ]
    assert events[2]["categorie"] == "famille"
    stored = " ".join(str(value) for event in events for value in event.values())
    assert "pécule" not in stored and "trottinette" not in stored
    assert str(young_person.pk) not in {str(e.get("user_id")) for e in events}
    assert {field.name for field in SearchEvent._meta.get_fields()} == {
        "id",
        "created_at",
        "departement",
        "commune_code",
        "categorie",
        "thematique",
        "had_text",
        "found",
        "visitor",  # a monthly pseudonym (backend.pseudonyms), not the user
    }


def test_updated_since_in_the_future_is_empty(api_client, make_entry):
    make_entry("Pécule")
    tomorrow = datetime.now(tz=timezone.get_current_timezone()) + timedelta(days=1)
    response = api_client.get(URL, {"updated_since": tomorrow.isoformat()})
    assert titles(response) == []
    assert response.json()["removed"] == []


def test_list_shows_the_structure_name(api_client, make_entry):
    structure = Structure.objects.create(departement_id="93", name="Mission locale de Bobigny")
    make_entry("Accompagnement", kind=Entry.Kind.OFFER, structure=structure)
    row = api_client.get(URL).json()["results"][0]
    assert row["structure"] == {"id": structure.pk, "name": "Mission locale de Bobigny"}


@pytest.mark.parametrize("query", ["!!", "a", "\ufffd", " - "])
def test_a_query_with_no_word_to_search_lists_the_catalogue(api_client, make_entry, query):
    """Punctuation, one letter, what is left of bytes that are not UTF-8: nothing to rank
    by, so the catalogue comes in its usual order (no 500 on PostgreSQL)."""
    make_entry("Pécule")
    make_entry("Aide au logement")
    assert titles(api_client.get(URL, {"q": query})) == ["Aide au logement", "Pécule"]
