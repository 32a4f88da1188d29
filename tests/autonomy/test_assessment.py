"""Mon autonomie (HAS 2024: an assessment of autonomy from 16): the young person answers the
référentiel's items of their département, a référent answers too, both show side by side;
progress shows per domain over time; a hidden or retired item is no longer asked but a
past answer keeps showing; low domains suggest catalogue entries and goals."""

import pytest
import time_machine

from autonomy import selectors, services
from autonomy.models import (
    Assessment,
    AssessmentAnswer,
    AssessmentItem,
    DepartementItemChoice,
    Domain,
)
from referents import selectors as referents_selectors
from services_catalog import services as catalogue
from services_catalog.models import Entry

pytestmark = pytest.mark.django_db

ASSESSMENTS = "/api/v1/me/assessments/"
SUGGESTIONS = f"{ASSESSMENTS}suggestions/"
GOALS = "/api/v1/me/projet/goals/"

# A theme of the catalogue for each domain the suggestions are tested on.
THEMES = {
    "housing": "logement-hebergement--louer-un-logement",
    "health": "sante--acces-aux-soins",
    "mobility": "mobilite--financer-ma-mobilite",
}


def _entry(title: str, themes=(), **fields) -> Entry:
    """A published entry with its themes (``entry_create`` fills ``theme_codes``)."""
    fields = {
        "kind": Entry.Kind.RIGHT,
        "summary": f"{title}: résumé.",
        "body": f"{title}: description.",
        "scope": Entry.Scope.NATIONAL,
        **fields,
    }
    return catalogue.entry_create(title=title, publish=True, thematiques=list(themes), **fields)


def _keys(domain: str) -> list[str]:
    return list(
        AssessmentItem.objects.filter(domain=domain, departement__isnull=True).values_list(
            "key", flat=True
        )
    )


def _answers(levels: dict[str, int]) -> dict:
    return {"answers": [{"item": key, "level": level} for key, level in levels.items()]}


def _all_at(level: int, domains=None) -> dict[str, int]:
    domains = domains or Domain.values
    return {key: level for domain in domains for key in _keys(domain)}


def _row(overview: dict, key: str) -> dict | None:
    return next((row for row in overview["side_by_side"] if row["item"]["key"] == key), None)


def _assert_error(response, status: int = 400) -> dict:
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["status"] == status and error["code"] and error["message"]
    return error


def _written() -> tuple[int, int]:
    return Assessment.objects.count(), AssessmentAnswer.objects.count()


def _link(referent):
    [link] = referents_selectors.young_people_links_for_user(user=referent)
    return link


# --- The référentiel and the scale ----------------------------------------------------------


def test_the_assessment_lists_about_five_items_per_domain_and_the_scale(young_person, client_for):
    response = client_for(young_person).get(ASSESSMENTS)
    assert response.status_code == 200
    overview = response.json()
    assert overview["version"] == 1
    assert [level["level"] for level in overview["scale"]] == [0, 1, 2, 3]
    assert all(level["label"] for level in overview["scale"])
    by_domain = {}
    for item in overview["items"]:
        by_domain.setdefault(item["domain"], []).append(item)
        assert item["text"] and item["version"] == 1
    assert set(by_domain) == set(Domain.values)  # every domain
    assert all(4 <= len(items) <= 6 for items in by_domain.values())
    assert len({item["key"] for item in overview["items"]}) == len(overview["items"])
    # Nothing answered yet: every item side by side, both columns empty.
    assert len(overview["side_by_side"]) == len(overview["items"])
    assert all(row["self"] is None and row["referent"] is None for row in overview["side_by_side"])
    assert overview["progress"] == []


def test_answers_show_as_mine_and_a_referents_in_their_column(young_person, referent, client_for):
    client = client_for(young_person)
    posted = client.post(ASSESSMENTS, _answers({"housing-apl": 1, "budget-bank": 3}), format="json")
    assert posted.status_code == 201
    created = posted.json()
    assert created["by_role"] == "young_person" and created["version"] == 1
    assert created["answers"] == {"housing-apl": 1, "budget-bank": 3}

    services.assessment_submit(
        young_person=young_person,
        author=services.author_referent(_link(referent)),
        answers={"housing-apl": 2, "health-card": 0},
    )
    overview = client.get(ASSESSMENTS).json()
    assert _row(overview, "housing-apl") | {"item": None} == {
        "item": None,
        "self": 1,
        "referent": 2,
    }
    assert (_row(overview, "budget-bank")["self"], _row(overview, "budget-bank")["referent"]) == (
        3,
        None,
    )
    assert (_row(overview, "health-card")["self"], _row(overview, "health-card")["referent"]) == (
        None,
        0,
    )
    assert [entry["by_role"] for entry in overview["progress"]] == ["young_person", "referent"]
    referent_assessment = Assessment.objects.get(by_role="referent")
    assert referent_assessment.by == referent and referent_assessment.by_name.startswith("Léa")


def test_the_latest_self_assessment_is_the_one_side_by_side(young_person, client_for):
    with time_machine.travel("2026-01-10 10:00 +01:00", tick=False):
        client = client_for(young_person)
        client.post(ASSESSMENTS, _answers({"housing-apl": 0, "budget-bank": 1}), format="json")
    with time_machine.travel("2026-02-10 10:00 +01:00", tick=False):
        client = client_for(young_person)
        client.post(ASSESSMENTS, _answers({"housing-apl": 2}), format="json")
        overview = client.get(ASSESSMENTS).json()
    assert _row(overview, "housing-apl")["self"] == 2
    # Not answered the second time: the latest filling does not say.
    assert _row(overview, "budget-bank")["self"] is None


def test_progress_over_two_self_assessments_months_apart(young_person, client_for):
    domains = ["housing", "resources"]
    with time_machine.travel("2026-01-15 10:00 +01:00", tick=False):
        client = client_for(young_person)
        first = client.post(ASSESSMENTS, _answers(_all_at(1, domains)), format="json")
        assert first.status_code == 201
    with time_machine.travel("2026-05-15 10:00 +02:00", tick=False):
        client = client_for(young_person)
        second = client.post(ASSESSMENTS, _answers(_all_at(3, domains)), format="json")
        assert second.status_code == 201
        progress = client.get(ASSESSMENTS).json()["progress"]
    assert [entry["id"] for entry in progress] == [first.json()["id"], second.json()["id"]]
    assert progress[0]["created_at"].startswith("2026-01-15")
    assert progress[1]["created_at"].startswith("2026-05-15")
    assert progress[0]["scores"] == {"housing": 0.33, "resources": 0.33}
    assert progress[1]["scores"] == {"housing": 1.0, "resources": 1.0}
    for domain in domains:
        assert progress[1]["scores"][domain] > progress[0]["scores"][domain]


def test_the_items_come_in_the_same_order_as_side_by_side(young_person, client_for):
    overview = client_for(young_person).get(ASSESSMENTS).json()
    assert [item["key"] for item in overview["items"]] == [
        row["item"]["key"] for row in overview["side_by_side"]
    ]
    assert list(dict.fromkeys(item["domain"] for item in overview["items"])) == Domain.values


# --- Versions of the référentiel --------------------------------------------------------------


def test_an_item_the_departement_hides_is_no_longer_asked_but_the_past_answer_shows(
    young_person, other_young_person, client_for
):
    client = client_for(young_person)
    client.post(ASSESSMENTS, _answers({"housing-apl": 2, "housing-find": 1}), format="json")
    DepartementItemChoice.objects.create(
        departement_id="93", item=AssessmentItem.objects.get(key="housing-apl"), hidden=True
    )
    overview = client.get(ASSESSMENTS).json()
    assert "housing-apl" not in [item["key"] for item in overview["items"]]
    assert _row(overview, "housing-apl")["self"] == 2
    assert _row(overview, "housing-find")["self"] == 1
    # Still asked in another département.
    other = client_for(other_young_person).get(ASSESSMENTS).json()
    assert "housing-apl" in [item["key"] for item in other["items"]]
    # Answering it now is refused, and nothing is written.
    before = _written()
    refused = client.post(ASSESSMENTS, _answers({"housing-apl": 3}), format="json")
    error = _assert_error(refused)
    assert error["code"] == "unknown_item" and "housing-apl" in error["message"]
    assert _written() == before


def test_a_hidden_item_is_not_shown_to_someone_who_never_answered_it(young_person, client_for):
    DepartementItemChoice.objects.create(
        departement_id="93", item=AssessmentItem.objects.get(key="housing-apl"), hidden=True
    )
    overview = client_for(young_person).get(ASSESSMENTS).json()
    assert "housing-apl" not in [item["key"] for item in overview["items"]]
    assert _row(overview, "housing-apl") is None


def test_a_validated_item_is_still_asked(young_person, client_for):
    DepartementItemChoice.objects.create(
        departement_id="93", item=AssessmentItem.objects.get(key="housing-apl"), validated=True
    )
    overview = client_for(young_person).get(ASSESSMENTS).json()
    assert "housing-apl" in [item["key"] for item in overview["items"]]


def test_a_retired_item_is_no_longer_asked_but_the_past_answer_shows(young_person, client_for):
    client = client_for(young_person)
    client.post(ASSESSMENTS, _answers({"mobility-pass": 1}), format="json")
    old = AssessmentItem.objects.get(key="mobility-pass")
    old.retired_in = 2
    old.save()
    AssessmentItem.objects.create(
        key="mobility-pass-v2",
        domain="mobility",
        text="Je sais demander la carte de transport à tarif réduit.",
        position=old.position,
        version=2,
        replaces=old,
    )
    overview = client.get(ASSESSMENTS).json()
    assert overview["version"] == 2
    keys = [item["key"] for item in overview["items"]]
    assert "mobility-pass" not in keys and "mobility-pass-v2" in keys
    assert _row(overview, "mobility-pass")["self"] == 1
    assert _row(overview, "mobility-pass-v2")["self"] is None

    before = _written()
    _assert_error(client.post(ASSESSMENTS, _answers({"mobility-pass": 3}), format="json"))
    assert _written() == before
    answered = client.post(ASSESSMENTS, _answers({"mobility-pass-v2": 3}), format="json")
    assert answered.status_code == 201 and answered.json()["version"] == 2


def test_a_departements_own_item_is_asked_there_only(young_person, other_young_person, client_for):
    AssessmentItem.objects.create(
        key="93-navigo-solidarite",
        domain="mobility",
        text="Je sais demander la réduction Navigo du département.",
        position=9,
        departement_id="93",
    )
    mine = client_for(young_person).get(ASSESSMENTS).json()
    assert "93-navigo-solidarite" in [item["key"] for item in mine["items"]]
    answered = client_for(young_person).post(
        ASSESSMENTS, _answers({"93-navigo-solidarite": 2}), format="json"
    )
    assert answered.status_code == 201

    other = client_for(other_young_person)
    overview = other.get(ASSESSMENTS).json()
    assert "93-navigo-solidarite" not in [item["key"] for item in overview["items"]]
    assert _row(overview, "93-navigo-solidarite") is None
    before = _written()
    _assert_error(other.post(ASSESSMENTS, _answers({"93-navigo-solidarite": 2}), format="json"))
    assert _written() == before


def test_a_young_person_without_a_departement_gets_the_national_items(make_user, client_for):
    AssessmentItem.objects.create(
        key="93-navigo-solidarite", domain="mobility", text="Navigo", departement_id="93"
    )
    nowhere = make_user("sans.dep@example.org", first_name="Inès")
    keys = [item["key"] for item in client_for(nowhere).get(ASSESSMENTS).json()["items"]]
    assert "93-navigo-solidarite" not in keys
    assert set(keys) == set(
        AssessmentItem.objects.filter(departement__isnull=True).values_list("key", flat=True)
    )


# --- Bad answers ----------------------------------------------------------------------------


BAD = [
    ({"answers": [{"item": "not-an-item", "level": 2}]}, "unknown_item"),
    ({"answers": [{"item": "housing-apl", "level": 2}, {"item": "nope", "level": 1}]}, None),
    ({"answers": [{"item": "housing-apl", "level": 4}]}, "invalid"),
    ({"answers": [{"item": "housing-apl", "level": -1}]}, "invalid"),
    ({"answers": [{"item": "housing-apl", "level": "beaucoup"}]}, "invalid"),
    ({"answers": [{"item": "housing-apl"}]}, "invalid"),
    ({"answers": [{"item": "housing-apl", "level": 1}, {"item": "housing-apl", "level": 2}]}, None),
    ({"answers": []}, "invalid"),
    ({}, "invalid"),
    ({"answers": {"housing-apl": 2}}, "invalid"),
    ({"answers": [{"item": "pas une clé !", "level": 1}]}, "invalid"),
]


@pytest.mark.parametrize(("body", "code"), BAD, ids=[str(i) for i in range(len(BAD))])
def test_bad_answers_are_a_400_and_nothing_is_written(young_person, client_for, body, code):
    before = _written()
    error = _assert_error(client_for(young_person).post(ASSESSMENTS, body, format="json"))
    if code:
        assert error["code"] == code
    assert _written() == before


# --- Suggestions ---------------------------------------------------------------------------


@pytest.fixture
def catalogue_by_domain():
    return {
        "housing": _entry("Aide au logement de la CAF", [THEMES["housing"]]),
        "health": _entry("Complémentaire santé solidaire", [THEMES["health"]]),
        "mobility": _entry("Aide au permis de conduire", [THEMES["mobility"]]),
        # Housing too, but not for this young person: for care leavers only.
        "housing_care_leavers": _entry(
            "Garantie Visale jeunes sortant de l'ASE",
            [THEMES["housing"]],
            situations=["care_leaver"],
        ),
        # Housing too, but in Paris only.
        "housing_paris": _entry(
            "Logement étudiant à Paris",
            [THEMES["housing"]],
            scope=Entry.Scope.DEPARTEMENTS,
            zone_departements=["75"],
        ),
    }


def test_low_domains_suggest_eligible_entries_of_their_categories_and_goals(
    young_person, client_for, catalogue_by_domain
):
    levels = _all_at(3)
    levels.update(_all_at(0, ["housing"]))
    levels.update(_all_at(1, ["health"]))
    client = client_for(young_person)
    assert client.post(ASSESSMENTS, _answers(levels), format="json").status_code == 201

    response = client.get(SUGGESTIONS)
    assert response.status_code == 200
    suggestions = response.json()
    # Lowest first; the domains answered "on my own" suggest nothing.
    assert [s["domain"] for s in suggestions] == ["housing", "health"]
    housing, health = suggestions
    assert housing["label"]
    assert [entry["id"] for entry in housing["entries"]] == [catalogue_by_domain["housing"].pk]
    assert [entry["id"] for entry in health["entries"]] == [catalogue_by_domain["health"].pk]
    assert len(housing["goals"]) >= 1 and len(health["goals"]) >= 1
    suggested = [entry["id"] for s in suggestions for entry in s["entries"]]
    assert catalogue_by_domain["mobility"].pk not in suggested
    assert catalogue_by_domain["housing_care_leavers"].pk not in suggested
    assert catalogue_by_domain["housing_paris"].pk not in suggested


def test_an_entry_for_care_leavers_is_suggested_to_a_care_leaver(
    young_person, client_for, catalogue_by_domain
):
    young_person.profile.care_leaver = True
    young_person.profile.save()
    client = client_for(young_person)
    client.post(ASSESSMENTS, _answers(_all_at(0, ["housing"])), format="json")
    [housing] = client.get(SUGGESTIONS).json()
    assert {entry["id"] for entry in housing["entries"]} == {
        catalogue_by_domain["housing"].pk,
        catalogue_by_domain["housing_care_leavers"].pk,
    }


def test_a_goal_already_in_the_projet_is_not_suggested_again(
    young_person, client_for, catalogue_by_domain
):
    client = client_for(young_person)
    client.post(ASSESSMENTS, _answers(_all_at(0, ["housing"])), format="json")
    [housing] = client.get(SUGGESTIONS).json()
    first_goal, *others = housing["goals"]
    added = client.post(GOALS, {"domain": "housing", "title": first_goal.upper()}, format="json")
    assert added.status_code == 201
    [again] = client.get(SUGGESTIONS).json()
    assert first_goal not in again["goals"]
    assert again["goals"] == others


def test_high_domains_suggest_nothing(young_person, client_for, catalogue_by_domain):
    client = client_for(young_person)
    client.post(ASSESSMENTS, _answers(_all_at(3)), format="json")
    assert client.get(SUGGESTIONS).json() == []


def test_no_assessment_no_suggestion(young_person, client_for, catalogue_by_domain):
    assert client_for(young_person).get(SUGGESTIONS).json() == []


def test_the_suggestions_follow_the_latest_self_assessment(
    young_person, client_for, catalogue_by_domain
):
    with time_machine.travel("2026-01-10 10:00 +01:00", tick=False):
        client = client_for(young_person)
        client.post(ASSESSMENTS, _answers(_all_at(0, ["housing"])), format="json")
    with time_machine.travel("2026-03-10 10:00 +01:00", tick=False):
        client = client_for(young_person)
        client.post(ASSESSMENTS, _answers(_all_at(3, ["housing"])), format="json")
        assert client.get(SUGGESTIONS).json() == []


def test_a_referents_low_answers_suggest_until_the_young_person_answers(
    young_person, referent, client_for, catalogue_by_domain
):
    services.assessment_submit(
        young_person=young_person,
        author=services.author_referent(_link(referent)),
        answers=_all_at(0, ["health"]),
    )
    client = client_for(young_person)
    assert [s["domain"] for s in client.get(SUGGESTIONS).json()] == ["health"]
    client.post(ASSESSMENTS, _answers(_all_at(3, ["health"])), format="json")
    assert client.get(SUGGESTIONS).json() == []


def test_the_overview_shows_the_latest_24_and_still_the_older_referent_side(young_person, referent):
    from autonomy.models import Assessment

    link = referents_selectors.young_people_links_for_user(user=referent).get()
    services.assessment_submit(
        young_person=young_person,
        author=services.author_referent(link),
        answers={"housing-apl": 1},
    )
    me = services.author_young_person(young_person)
    for _n in range(30):
        services.assessment_submit(young_person=young_person, author=me, answers={"housing-apl": 3})
    overview = selectors.assessment_overview(young_person)
    assert len(overview["progress"]) == 24 and Assessment.objects.count() == 31
    row = next(r for r in overview["rows"] if r["item"].key == "housing-apl")
    assert (row["self"], row["referent"]) == (3, 1)
