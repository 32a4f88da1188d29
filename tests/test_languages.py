"""The young people's languages: the API answers in Arabic, Pashto, Dari, Tigrinya,
English or French, says which and which way it is written, and the search finds words in
every script."""

import pytest

from services_catalog import services as catalogue
from services_catalog.models import Entry
from services_catalog.text import normalize

pytestmark = pytest.mark.django_db

VOCABULARY = "/api/v1/vocabulary/"
ENTRIES = "/api/v1/catalogue/entries/"


@pytest.mark.parametrize(
    ("asked", "language", "direction"),
    [
        ("ar", "ar", "rtl"),
        ("ps", "ps", "rtl"),
        ("prs", "prs", "rtl"),
        ("ti", "ti", "ltr"),
        ("en-GB,en;q=0.8", "en", "ltr"),
        ("de", "fr", "ltr"),  # not one of Jalon's: French
    ],
)
def test_the_answer_says_its_language_and_direction(api_client, asked, language, direction):
    response = api_client.get(VOCABULARY, HTTP_ACCEPT_LANGUAGE=asked)
    assert response.status_code == 200
    assert response["Content-Language"] == language
    assert (response.json()["language"], response.json()["direction"]) == (language, direction)


def test_the_vocabulary_labels_every_code_the_app_meets(api_client):
    words = api_client.get(VOCABULARY, HTTP_ACCEPT_LANGUAGE="fr").json()["vocabularies"]
    for name in (
        "categories",
        "themes",
        "publics",
        "modes_accueil",
        "document_types",
        "situations",
        "mentoring_domains",
        "languages",
        "availability_slots",
        "projet_domains",
    ):
        assert words[name], name
        assert all(set(word) == {"code", "label"} and word["label"] for word in words[name])
    documents = {word["code"]: word["label"] for word in words["document_types"]}
    assert documents["residence_permit"] == "Titre de séjour"
    languages = {word["code"]: word["label"] for word in words["languages"]}
    assert languages["prs"] == "Dari" and languages["ti"] == "Tigrigna"


def test_an_untranslated_label_falls_back_to_french(api_client):
    words = api_client.get(VOCABULARY, HTTP_ACCEPT_LANGUAGE="ps").json()["vocabularies"]
    documents = {word["code"]: word["label"] for word in words["document_types"]}
    assert documents["residence_permit"] == "Titre de séjour"


def _entry(title, translations=None):
    return catalogue.entry_create(
        title=title,
        publish=True,
        kind=Entry.Kind.RIGHT,
        summary=f"{title} : résumé.",
        body=f"{title} : description.",
        scope=Entry.Scope.NATIONAL,
        translations=translations or {},
    )


def test_an_arabic_query_finds_the_entry_translated_in_arabic_only(api_client):
    _entry("Aide au logement", {"ar": {"title": "المساعدة في السَّكَن", "summary": "للشباب"}})
    _entry("Pécule")
    found = api_client.get(ENTRIES, {"q": "السكن"}, HTTP_ACCEPT_LANGUAGE="ar").json()
    assert [row["title"] for row in found["results"]] == ["المساعدة في السَّكَن"]
    row = found["results"][0]
    assert (row["language"], row["direction"]) == ("ar", "rtl")


def test_an_arabic_query_that_matches_nothing_finds_nothing(api_client):
    _entry("Aide au logement")
    found = api_client.get(ENTRIES, {"q": "السكن"}).json()
    assert found["results"] == []


def test_an_entry_not_translated_says_it_is_in_french(api_client):
    _entry("Pécule")
    row = api_client.get(ENTRIES, HTTP_ACCEPT_LANGUAGE="ar").json()["results"][0]
    assert (row["title"], row["language"], row["direction"]) == ("Pécule", "fr", "ltr")


@pytest.mark.parametrize(
    ("text", "normalised"),
    [
        ("Pécule à 18 ans !", "pecule a 18 ans"),
        ("السَّكَن", "السکن"),  # short vowels dropped, the Persian kaf
        ("كيف أجد سكنا؟", "کیف اجد سکنا"),  # Arabic and Persian letters spelled one way
        ("ቤት ምድላይ", "ቤት ምድላይ"),  # Tigrinya (Ge'ez) kept
        ("کور_او کار", "کور او کار"),  # Pashto
    ],
)
def test_every_script_is_kept_in_the_search_text(text, normalised):
    assert normalize(text) == normalised


def test_reindexing_puts_every_script_in_the_search_text():
    from django.core.management import call_command

    entry = _entry("Aide au logement", {"ar": {"title": "السكن", "summary": "للشباب"}})
    Entry.objects.filter(pk=entry.pk).update(search_text="aide au logement")  # old index
    call_command("reindex_catalogue")
    assert "سکن" in Entry.objects.get(pk=entry.pk).search_text.split()


@pytest.mark.parametrize(
    ("indexed", "asked"),
    [
        ("سكن للشباب", "السكن"),  # the query has the article, the entry not
        ("المساعدة في السكن", "سكن"),  # the other way round
        ("المساعدة بالسكن", "السكن"),  # "with the housing"
        ("وزارة السكن", "والسكن"),  # "and the housing"; "وزارة" keeps its first letter
    ],
)
def test_an_arabic_word_is_found_with_or_without_its_article(api_client, indexed, asked):
    _entry("Aide au logement", {"ar": {"title": indexed, "summary": "للشباب"}})
    _entry("Pécule", {"ar": {"title": "مبلغ مالي", "summary": "عند بلوغ 18"}})
    found = api_client.get(ENTRIES, {"q": asked}, HTTP_ACCEPT_LANGUAGE="ar").json()
    assert [row["title"] for row in found["results"]] == [indexed]


def test_an_article_alone_is_not_stripped_to_nothing():
    from services_catalog.text import search_terms, without_article

    assert without_article("ال") == "ال"
    assert without_article("الى") == "الى"  # "to": two letters would be one
    assert search_terms("بالسكن logement") == ["سکن", "logement"]


@pytest.mark.parametrize("asked", ["fa-AF", "fa", "fa-AF,fr;q=0.8", "prs-AF"])
def test_a_phone_set_to_dari_or_persian_gets_dari(api_client, asked):
    response = api_client.get(VOCABULARY, HTTP_ACCEPT_LANGUAGE=asked)
    assert response["Content-Language"] == "prs"


def test_the_time_slots_follow_the_request_language(api_client):
    words = api_client.get(VOCABULARY, HTTP_ACCEPT_LANGUAGE="en").json()["vocabularies"]
    slots = {word["code"]: word["label"] for word in words["availability_slots"]}
    assert slots["mon_morning"] == "Monday morning"


def test_a_half_translated_entry_says_it_is_in_french(api_client):
    _entry("Pécule", {"ar": {"title": "مبلغ"}})  # the summary is still French
    row = api_client.get(ENTRIES, HTTP_ACCEPT_LANGUAGE="ar").json()["results"][0]
    assert (row["title"], row["language"], row["direction"]) == ("مبلغ", "fr", "ltr")


@pytest.mark.parametrize(
    ("text", "normalised"),
    [
        ("می\u200cخواهم", "میخواهم"),  # noqa: RUF001 - Persian, on purpose: the joiner is inside the word
        ("١٨ سنة", "18 سنة"),  # Arabic-Indic digits
        ("۱۸", "18"),  # Persian digits
        ("l\u02bcaide", "l aide"),
    ],
)
def test_persian_spellings_and_digits_are_searched_as_typed_otherwise(text, normalised):
    assert normalize(text) == normalised


def test_the_vocabulary_is_kept_by_the_phone_until_it_changes(api_client):
    first = api_client.get(VOCABULARY, HTTP_ACCEPT_LANGUAGE="fr")
    assert "max-age" in first["Cache-Control"]
    again = api_client.get(VOCABULARY, HTTP_ACCEPT_LANGUAGE="fr", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    other = api_client.get(VOCABULARY, HTTP_ACCEPT_LANGUAGE="en", HTTP_IF_NONE_MATCH=first["ETag"])
    assert other.status_code == 200 and other["ETag"] != first["ETag"]
