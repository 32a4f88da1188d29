"""Mon projet (the projet d'accès à l'autonomie, CASF art. L.222-5-1): the young person
writes their wishes, goals and actions; every change is kept with who, when and what; a
référent writes with them, a mentor follows the goals shared with them; the page prints;
the projet goes with the export and the erasure. Bad input says why and changes nothing."""

from datetime import date

import pytest
import time_machine
from django.utils import timezone

from autonomy import services
from autonomy.exceptions import ProjetRefused
from autonomy.models import (
    Action,
    Assessment,
    CheckIn,
    DomainWishes,
    Goal,
    Projet,
    ProjetChange,
)
from referents import selectors as referents_selectors
from services_catalog import services as catalogue
from services_catalog.models import Demarche, Entry
from tests.conftest import PASSWORD
from tests.mentoring.factories import mentoring_match

pytestmark = pytest.mark.django_db

API = "/api/v1/"
PROJET = f"{API}me/projet/"
HISTORY = f"{PROJET}history/"
GOALS = f"{PROJET}goals/"


def _entry(title: str = "Demander l'aide au logement", **fields) -> Entry:
    """A published national right, as the catalogue's editors make one."""
    fields = {
        "kind": Entry.Kind.RIGHT,
        "summary": f"{title}: résumé.",
        "body": f"{title}: description.",
        "scope": Entry.Scope.NATIONAL,
        "steps": ["Remplir le formulaire"],
        **fields,
    }
    return catalogue.entry_create(title=title, publish=fields.pop("publish", True), **fields)


def _history(client) -> list[dict]:
    response = client.get(HISTORY)
    assert response.status_code == 200
    return response.json()["results"]


def _domain(projet: dict, domain: str) -> dict:
    [found] = [row for row in projet["domains"] if row["domain"] == domain]
    return found


def _assert_error(response, status: int = 400) -> dict:
    """The API's one error format."""
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["status"] == status
    assert error["code"] and error["message"]
    assert isinstance(error["fields"], dict)
    return error


def _state() -> dict:
    """Every row of the projet's tables, and the démarches."""
    return {
        "projets": list(
            Projet.objects.order_by("pk").values_list(
                "pk", "review_on", "trusted_person_name", "trusted_person_phone"
            )
        ),
        "wishes": list(DomainWishes.objects.order_by("pk").values_list("pk", "domain", "text")),
        "goals": list(
            Goal.objects.order_by("pk").values_list(
                "pk", "domain", "title", "status", "shared_with_mentor"
            )
        ),
        "actions": list(
            Action.objects.order_by("pk").values_list(
                "pk", "title", "entry_id", "demarche_id", "due_on", "status"
            )
        ),
        "changes": ProjetChange.objects.count(),
        "demarches": list(Demarche.objects.order_by("pk").values_list("pk", "user_id", "entry_id")),
    }


def _link(referent):
    [link] = referents_selectors.young_people_links_for_user(user=referent)
    return link


# --- The young person writes their projet ---------------------------------------------------


def test_a_new_projet_shows_every_domain_empty(young_person, client_for):
    response = client_for(young_person).get(PROJET)
    assert response.status_code == 200
    projet = response.json()
    assert [row["domain"] for row in projet["domains"]] == [
        "schooling",
        "employment",
        "housing",
        "resources",
        "health",
        "rights",
        "mobility",
        "social",
    ]
    assert all(row["wishes"] == "" and row["goals"] == [] for row in projet["domains"])
    assert projet["trusted_person"] == {"name": "", "relation": "", "phone": ""}
    assert projet["review_on"] is None and projet["updated_at"] is None
    assert not Projet.objects.exists()  # reading writes nothing
    assert _history(client_for(young_person)) == []


def test_wishes_goals_and_actions_show_in_their_domain_and_every_change_is_in_the_history(
    young_person, client_for
):
    with time_machine.travel("2026-03-02 10:00 +01:00", tick=False):
        client = client_for(young_person)
        wishes = client.put(
            f"{PROJET}domains/housing/", {"wishes": "  Un studio à Bobigny  "}, format="json"
        )
        assert wishes.status_code == 200
        assert _domain(wishes.json(), "housing")["wishes"] == "Un studio à Bobigny"

    with time_machine.travel("2026-03-03 10:00 +01:00", tick=False):
        client = client_for(young_person)
        created = client.post(
            GOALS, {"domain": "housing", "title": " Trouver un studio "}, format="json"
        )
        assert created.status_code == 201
        goal = created.json()
        assert goal["title"] == "Trouver un studio" and goal["status"] == "planned"
        assert goal["shared_with_mentor"] is False and goal["actions"] == []

    with time_machine.travel("2026-03-04 10:00 +01:00", tick=False):
        client = client_for(young_person)
        added = client.post(
            f"{GOALS}{goal['id']}/actions/",
            {"title": "Remplir le dossier CAF", "due_on": "2026-04-01", "actor": "referent"},
            format="json",
        )
        assert added.status_code == 201
        action = added.json()
        assert action["entry"] is None and action["demarche"] is None
        assert action["status"] == "todo" and action["due_on"] == "2026-04-01"

    with time_machine.travel("2026-03-05 10:00 +01:00", tick=False):
        client = client_for(young_person)
        changed = client.patch(f"{GOALS}{goal['id']}/", {"status": "in_progress"}, format="json")
        assert changed.status_code == 200 and changed.json()["status"] == "in_progress"
        done = client.patch(f"{PROJET}actions/{action['id']}/", {"status": "done"}, format="json")
        assert done.status_code == 200 and done.json()["status"] == "done"
        projet = client.patch(
            PROJET,
            {
                "review_on": "2026-09-01",
                "trusted_person": {"name": "Awa Diallo", "relation": "ma tante"},
            },
            format="json",
        )
        assert projet.status_code == 200

    client = client_for(young_person)
    projet = client.get(PROJET).json()
    housing = _domain(projet, "housing")
    assert housing["wishes"] == "Un studio à Bobigny"
    [shown] = housing["goals"]
    assert shown["title"] == "Trouver un studio" and shown["status"] == "in_progress"
    [shown_action] = shown["actions"]
    assert shown_action["title"] == "Remplir le dossier CAF"
    assert shown_action["status"] == "done" and shown_action["actor"] == "referent"
    assert all(row["goals"] == [] for row in projet["domains"] if row["domain"] != "housing")
    assert projet["review_on"] == "2026-09-01"
    assert projet["trusted_person"] == {"name": "Awa Diallo", "relation": "ma tante", "phone": ""}

    history = _history(client)
    # Newest first; every line says who, when and what, before and after.
    assert [(line["what"], line["subject"]) for line in history] == [
        ("projet.changed", ""),
        ("action.changed", "Remplir le dossier CAF"),
        ("goal.changed", "Trouver un studio"),
        ("action.added", "Remplir le dossier CAF"),
        ("goal.added", "Trouver un studio"),
        ("wishes.changed", str(history[-1]["subject"])),
    ]
    assert all(line["by_role"] == "young_person" for line in history)
    assert all(line["by_name"] == "Aminata" for line in history)
    assert history[-1]["at"].startswith("2026-03-02")
    assert history[-1]["fields"] == {"text": ["", "Un studio à Bobigny"]}
    assert history[-2]["at"].startswith("2026-03-03")
    assert history[-2]["fields"] == {
        "domain": ["", "housing"],
        "title": ["", "Trouver un studio"],
    }
    assert history[-3]["fields"] == {
        "title": ["", "Remplir le dossier CAF"],
        "due_on": [None, "2026-04-01"],
        "actor": ["young_person", "referent"],
    }
    assert history[2]["fields"] == {"status": ["planned", "in_progress"]}
    assert history[1]["fields"] == {"status": ["todo", "done"]}
    assert history[0]["fields"] == {
        "review_on": [None, "2026-09-01"],
        "trusted_person_name": ["", "Awa Diallo"],
        "trusted_person_relation": ["", "ma tante"],
    }


def test_writing_the_same_thing_again_adds_no_history_line(young_person, client_for):
    client = client_for(young_person)
    client.put(f"{PROJET}domains/health/", {"wishes": "Un médecin"}, format="json")
    goal = client.post(GOALS, {"domain": "health", "title": "Carte Vitale"}, format="json").json()
    lines = len(_history(client))
    client.put(f"{PROJET}domains/health/", {"wishes": "Un médecin"}, format="json")
    client.patch(f"{GOALS}{goal['id']}/", {"title": "Carte Vitale"}, format="json")
    client.patch(PROJET, {}, format="json")
    assert len(_history(client)) == lines


def test_deleting_a_goal_removes_it_and_its_actions_but_keeps_a_history_line(
    young_person, client_for
):
    client = client_for(young_person)
    goal = client.post(GOALS, {"domain": "mobility", "title": "Le permis"}, format="json").json()
    action = client.post(
        f"{GOALS}{goal['id']}/actions/", {"title": "S'inscrire à l'auto-école"}, format="json"
    ).json()
    removed = client.delete(f"{PROJET}actions/{action['id']}/")
    assert removed.status_code == 204
    deleted = client.delete(f"{GOALS}{goal['id']}/")
    assert deleted.status_code == 204
    assert not Goal.objects.exists() and not Action.objects.exists()
    assert _domain(client.get(PROJET).json(), "mobility")["goals"] == []
    history = _history(client)
    assert [(line["what"], line["subject"], line["by_role"]) for line in history[:2]] == [
        ("goal.removed", "Le permis", "young_person"),
        ("action.removed", "S'inscrire à l'auto-école", "young_person"),
    ]
    assert client.delete(f"{GOALS}{goal['id']}/").status_code == 404


def test_another_young_persons_goal_is_a_404_and_stays(
    young_person, other_young_person, client_for
):
    goal = (
        client_for(young_person)
        .post(GOALS, {"domain": "housing", "title": "Un studio"}, format="json")
        .json()
    )
    before = _state()
    other = client_for(other_young_person)
    assert (
        other.patch(f"{GOALS}{goal['id']}/", {"title": "À moi"}, format="json").status_code == 404
    )
    assert other.delete(f"{GOALS}{goal['id']}/").status_code == 404
    refused = other.post(f"{GOALS}{goal['id']}/actions/", {"title": "Une action"}, format="json")
    assert refused.status_code == 404
    assert _state() == before
    assert _history(other) == []


# --- An action linking a catalogue entry becomes a saved procedure --------------------------


def test_an_action_linking_an_entry_becomes_a_demarche_and_the_same_entry_reuses_it(
    young_person, client_for
):
    entry = _entry()
    client = client_for(young_person)
    goal = client.post(GOALS, {"domain": "housing", "title": "Payer mon loyer"}, format="json")
    goal_id = goal.json()["id"]
    first = client.post(
        f"{GOALS}{goal_id}/actions/", {"title": "Demander l'APL", "entry": entry.pk}, format="json"
    )
    assert first.status_code == 201
    action = first.json()
    assert action["entry"] == entry.pk and action["entry_title"] == entry.title
    assert action["demarche"] is not None

    demarches = client.get(f"{API}me/demarches/").json()["results"]
    [demarche] = demarches
    assert demarche["id"] == action["demarche"] and demarche["entry"]["id"] == entry.pk
    assert [step["text"] for step in demarche["steps"]] == ["Remplir le formulaire"]

    other_goal = client.post(GOALS, {"domain": "resources", "title": "Mon budget"}, format="json")
    second = client.post(
        f"{GOALS}{other_goal.json()['id']}/actions/",
        {"title": "L'APL encore", "entry": entry.pk},
        format="json",
    )
    assert second.status_code == 201
    assert second.json()["demarche"] == action["demarche"]
    assert Demarche.objects.filter(user=young_person).count() == 1
    [line] = [line for line in _history(client) if line["subject"] == "Demander l'APL"]
    assert line["fields"]["entry"] == [None, entry.title]


def test_an_entry_the_young_person_already_follows_is_reused(young_person, client_for):
    entry = _entry()
    demarche = catalogue.demarche_start(user=young_person, entry=entry)
    client = client_for(young_person)
    goal = client.post(GOALS, {"domain": "housing", "title": "Un logement"}, format="json").json()
    action = client.post(
        f"{GOALS}{goal['id']}/actions/", {"title": "L'APL", "entry": entry.pk}, format="json"
    )
    assert action.status_code == 201 and action.json()["demarche"] == demarche.pk
    assert Demarche.objects.filter(user=young_person).count() == 1


def test_linking_an_entry_to_an_existing_action_starts_its_demarche(young_person, client_for):
    entry = _entry()
    client = client_for(young_person)
    goal = client.post(GOALS, {"domain": "housing", "title": "Un logement"}, format="json").json()
    action = client.post(f"{GOALS}{goal['id']}/actions/", {"title": "L'APL"}, format="json").json()
    linked = client.patch(f"{PROJET}actions/{action['id']}/", {"entry": entry.pk}, format="json")
    assert linked.status_code == 200
    assert linked.json()["demarche"] == Demarche.objects.get(user=young_person, entry=entry).pk
    assert _history(client)[0]["fields"] == {"entry": [None, entry.title]}


@pytest.mark.parametrize("which", ["unknown", "draft", "archived"])
def test_an_unknown_or_unpublished_entry_is_a_400_and_nothing_is_written(
    young_person, client_for, which
):
    if which == "unknown":
        entry_id = 999_999
    else:
        entry = _entry("Un brouillon", publish=False)
        if which == "archived":
            catalogue.entry_publish(entry=entry)
            catalogue.entry_archive(entry=entry)
        entry_id = entry.pk
    client = client_for(young_person)
    goal = client.post(GOALS, {"domain": "housing", "title": "Un logement"}, format="json").json()
    before = _state()
    response = client.post(
        f"{GOALS}{goal['id']}/actions/", {"title": "L'APL", "entry": entry_id}, format="json"
    )
    error = _assert_error(response)
    assert error["code"] == "unknown_entry"
    assert _state() == before


@pytest.mark.parametrize("which", ["unknown", "draft"])
def test_an_unknown_or_unpublished_entry_writes_nothing(young_person, client_for, which):
    """Whatever the refusal, nothing is written, and the answer is in the error format."""
    entry_id = 999_999 if which == "unknown" else _entry("Un brouillon", publish=False).pk
    client = client_for(young_person)
    goal = client.post(GOALS, {"domain": "housing", "title": "Un logement"}, format="json").json()
    before = _state()
    response = client.post(
        f"{GOALS}{goal['id']}/actions/", {"title": "L'APL", "entry": entry_id}, format="json"
    )
    assert response.status_code >= 400
    assert "error" in response.json()
    assert _state() == before


# --- Bad input -----------------------------------------------------------------------------


def _setup_goal_and_action(client):
    goal = client.post(GOALS, {"domain": "housing", "title": "Un studio"}, format="json").json()
    action = client.post(f"{GOALS}{goal['id']}/actions/", {"title": "Dossier"}, format="json")
    return goal, action.json()


BAD_INPUT = [
    ("post", "goals", {"domain": "housing", "title": "   "}, "title"),
    ("post", "goals", {"domain": "housing"}, "title"),
    ("post", "goals", {"domain": "space", "title": "Aller sur Mars"}, "domain"),
    ("post", "goals", {"domain": "housing", "title": "x" * 201}, "title"),
    ("post", "goals", {"domain": "housing", "title": "Un", "status": "forgotten"}, "status"),
    ("patch", "goal", {"title": ""}, "title"),
    ("patch", "goal", {"domain": "space"}, "domain"),
    ("post", "actions", {"title": " "}, "title"),
    ("post", "actions", {"title": "Un", "due_on": "demain"}, "due_on"),
    ("post", "actions", {"title": "Un", "due_on": "2026-02-30"}, "due_on"),
    ("post", "actions", {"title": "Un", "actor": "the_cat"}, "actor"),
    ("post", "actions", {"title": "Un", "entry": "abc"}, "entry"),
    ("post", "actions", {"title": "y" * 201}, "title"),
    ("patch", "action", {"due_on": "31/12/2026"}, "due_on"),
    ("put", "wishes", {"wishes": "z" * 2001}, "wishes"),
    ("put", "wishes", {}, "wishes"),
    ("patch", "projet", {"review_on": "bientôt"}, "review_on"),
    ("patch", "projet", {"trusted_person": {"name": "n" * 121}}, "trusted_person.name"),
    ("patch", "projet", {"trusted_person": {"phone": "appelle-moi"}}, "trusted_person.phone"),
]


@pytest.mark.parametrize(
    ("method", "route", "body", "field"),
    BAD_INPUT,
    ids=[f"{route}-{field}-{index}" for index, (_m, route, _b, field) in enumerate(BAD_INPUT)],
)
def test_bad_input_is_a_400_naming_the_field_and_changes_nothing(
    young_person, client_for, method, route, body, field
):
    client = client_for(young_person)
    goal, action = _setup_goal_and_action(client)
    url = {
        "goals": GOALS,
        "goal": f"{GOALS}{goal['id']}/",
        "actions": f"{GOALS}{goal['id']}/actions/",
        "action": f"{PROJET}actions/{action['id']}/",
        "wishes": f"{PROJET}domains/housing/",
        "projet": PROJET,
    }[route]
    before = _state()
    response = getattr(client, method)(url, body, format="json")
    error = _assert_error(response)
    assert error["code"] == "invalid"
    assert field in error["fields"], error
    assert _state() == before


def test_wishes_of_an_unknown_domain_are_a_404_in_the_error_format(young_person, client_for):
    response = client_for(young_person).put(
        f"{PROJET}domains/space/", {"wishes": "Aller sur Mars"}, format="json"
    )
    _assert_error(response, 404)
    assert not Projet.objects.exists()


# --- A référent writes with the young person -----------------------------------------------


def test_a_referent_writing_appears_in_the_history_as_the_referent(
    young_person, referent, client_for
):
    link = _link(referent)
    author = services.author_referent(link)
    goal = services.goal_add(
        young_person=young_person,
        author=author,
        data={"domain": "employment", "title": "Écrire mon CV", "shared_with_mentor": True},
    )
    services.action_add(goal=goal, author=author, data={"title": "Atelier CV", "actor": "referent"})
    services.projet_update(
        young_person=young_person, author=author, data={"review_on": date(2026, 12, 1)}
    )

    # A référent does not share a goal with the mentor: only the young person decides.
    goal.refresh_from_db()
    assert goal.shared_with_mentor is False

    client = client_for(young_person)
    history = _history(client)
    assert [line["what"] for line in history] == ["projet.changed", "action.added", "goal.added"]
    for line in history:
        assert line["by_role"] == "referent"
        assert line["by_name"].startswith("Léa")
        assert "MECS Les Tilleuls" in line["by_name"]
    assert history[0]["fields"] == {"review_on": [None, "2026-12-01"]}
    [shown] = _domain(client.get(PROJET).json(), "employment")["goals"]
    assert shown["title"] == "Écrire mon CV" and shown["actions"][0]["actor"] == "referent"


@pytest.mark.parametrize(
    "data",
    [
        {"trusted_person_name": "Quelqu'un"},
        {"trusted_person_phone": "0600000000"},
        {"review_on": date(2026, 12, 1), "trusted_person_relation": "ami"},
    ],
)
def test_a_referent_cannot_name_the_personne_de_confiance(young_person, referent, data):
    services.projet_update(
        young_person=young_person,
        author=services.author_young_person(young_person),
        data={"trusted_person_name": "Awa Diallo"},
    )
    before = _state()
    with pytest.raises(ProjetRefused) as refused:
        services.projet_update(
            young_person=young_person, author=services.author_referent(_link(referent)), data=data
        )
    assert refused.value.code == "trusted_person"
    assert _state() == before


def test_a_referent_cannot_share_a_goal_with_the_mentor(young_person, referent):
    me = services.author_young_person(young_person)
    goal = services.goal_add(
        young_person=young_person, author=me, data={"domain": "housing", "title": "Un studio"}
    )
    before = _state()
    with pytest.raises(ProjetRefused):
        services.goal_update(
            goal=goal,
            author=services.author_referent(_link(referent)),
            data={"shared_with_mentor": True},
        )
    assert _state() == before
    # ...but changes the title and the status.
    services.goal_update(
        goal=goal,
        author=services.author_referent(_link(referent)),
        data={"status": "in_progress"},
    )
    goal.refresh_from_db()
    assert goal.status == "in_progress" and goal.shared_with_mentor is False


# --- The mentor sees the shared goals only ---------------------------------------------------


@pytest.fixture
def match(young_person, mentor, coordinator_93):
    _request, match = mentoring_match(
        young_person=young_person, mentor=mentor, coordinator=coordinator_93, state="active"
    )
    return match


@pytest.fixture
def projet_with_a_shared_goal(young_person):
    me = services.author_young_person(young_person)
    services.wishes_set(
        young_person=young_person, author=me, domain="housing", text="Vivre seule à Bobigny"
    )
    shared = services.goal_add(
        young_person=young_person,
        author=me,
        data={"domain": "housing", "title": "Trouver un studio", "shared_with_mentor": True},
    )
    services.action_add(goal=shared, author=me, data={"title": "Dossier Action Logement"})
    private = services.goal_add(
        young_person=young_person,
        author=me,
        data={"domain": "health", "title": "Consulter un psychologue"},
    )
    services.projet_update(
        young_person=young_person, author=me, data={"trusted_person_name": "Awa Diallo"}
    )
    return shared, private


def test_the_mentor_sees_only_the_shared_goals(
    young_person, mentor, match, projet_with_a_shared_goal, client_for
):
    shared, _private = projet_with_a_shared_goal
    response = client_for(mentor).get(f"{API}mentoring/matches/{match.pk}/goals/")
    assert response.status_code == 200
    assert response.json() == [
        {"id": shared.pk, "domain": "housing", "title": "Trouver un studio", "status": "planned"}
    ]
    text = response.content.decode()
    for hidden in ("Consulter un psychologue", "Vivre seule", "Dossier Action Logement", "Awa"):
        assert hidden not in text
    # The mentee sees the same list.
    mine = client_for(young_person).get(f"{API}mentoring/matches/{match.pk}/goals/")
    assert mine.json() == response.json()


def test_the_mentor_marks_progress_and_the_history_shows_the_mentor(
    young_person, mentor, match, projet_with_a_shared_goal, client_for
):
    shared, _private = projet_with_a_shared_goal
    response = client_for(mentor).post(
        f"{API}mentoring/matches/{match.pk}/goals/{shared.pk}/progress/",
        {"status": "reached"},
        format="json",
    )
    assert response.status_code == 200 and response.json()["status"] == "reached"
    shared.refresh_from_db()
    assert shared.status == "reached"
    [line] = _history(client_for(young_person))[:1]
    assert line["what"] == "goal.changed" and line["subject"] == "Trouver un studio"
    assert line["by_role"] == "mentor" and line["by_name"] == "Marc"
    assert line["fields"] == {"status": ["planned", "reached"]}


def test_the_mentee_marks_progress_as_themselves(
    young_person, match, projet_with_a_shared_goal, client_for
):
    shared, _private = projet_with_a_shared_goal
    response = client_for(young_person).post(
        f"{API}mentoring/matches/{match.pk}/goals/{shared.pk}/progress/",
        {"status": "in_progress"},
        format="json",
    )
    assert response.status_code == 200
    line = _history(client_for(young_person))[0]
    assert line["by_role"] == "young_person" and line["by_name"] == "Aminata"


def test_the_mentor_cannot_reach_a_goal_not_shared(
    mentor, match, projet_with_a_shared_goal, client_for
):
    _shared, private = projet_with_a_shared_goal
    before = _state()
    response = client_for(mentor).post(
        f"{API}mentoring/matches/{match.pk}/goals/{private.pk}/progress/",
        {"status": "dropped"},
        format="json",
    )
    _assert_error(response, 404)
    assert _state() == before


def test_a_bad_status_from_the_mentor_is_a_400(
    mentor, match, projet_with_a_shared_goal, client_for
):
    shared, _private = projet_with_a_shared_goal
    before = _state()
    response = client_for(mentor).post(
        f"{API}mentoring/matches/{match.pk}/goals/{shared.pk}/progress/",
        {"status": "finished"},
        format="json",
    )
    assert "status" in _assert_error(response)["fields"]
    assert _state() == before


def test_once_the_match_ends_the_mentor_sees_nothing_and_changes_nothing(
    mentor, match, projet_with_a_shared_goal, client_for
):
    from mentoring import services as mentoring_services
    from mentoring.models import Match

    shared, _private = projet_with_a_shared_goal
    mentoring_services.match_end(match=match, by=mentor, reason=Match.EndReason.GOALS_REACHED)
    client = client_for(mentor)
    _assert_error(client.get(f"{API}mentoring/matches/{match.pk}/goals/"), 404)
    before = _state()
    response = client.post(
        f"{API}mentoring/matches/{match.pk}/goals/{shared.pk}/progress/",
        {"status": "reached"},
        format="json",
    )
    _assert_error(response, 404)
    assert _state() == before


def test_a_paused_match_shows_nothing_of_the_projet(
    mentor, match, projet_with_a_shared_goal, client_for
):
    from mentoring import services as mentoring_services

    mentoring_services.match_pause(match=match, by=mentor)
    _assert_error(client_for(mentor).get(f"{API}mentoring/matches/{match.pk}/goals/"), 404)


def test_another_mentor_sees_nothing(mentor_75, match, projet_with_a_shared_goal, client_for):
    _assert_error(client_for(mentor_75).get(f"{API}mentoring/matches/{match.pk}/goals/"), 404)


def test_a_goal_unshared_leaves_the_mentors_list(
    young_person, mentor, match, projet_with_a_shared_goal, client_for
):
    shared, _private = projet_with_a_shared_goal
    unshared = client_for(young_person).patch(
        f"{GOALS}{shared.pk}/", {"shared_with_mentor": False}, format="json"
    )
    assert unshared.status_code == 200
    assert client_for(mentor).get(f"{API}mentoring/matches/{match.pk}/goals/").json() == []


# --- The printable page ---------------------------------------------------------------------


def test_the_printable_page_has_the_goals_and_the_personne_de_confiance(
    young_person, projet_with_a_shared_goal, client_for
):
    response = client_for(young_person).get(f"{PROJET}print/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "Trouver un studio" in page and "Consulter un psychologue" in page
    assert "Dossier Action Logement" in page
    assert "Awa Diallo" in page
    assert "Vivre seule à Bobigny" in page
    assert "Aminata" in page


def test_the_printable_page_escapes_what_the_young_person_wrote(young_person, client_for):
    client = client_for(young_person)
    client.post(GOALS, {"domain": "social", "title": "<script>alert(1)</script>"}, format="json")
    page = client.get(f"{PROJET}print/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


def test_the_printable_page_is_a_401_in_the_error_format_for_anonymous(api_client):
    response = api_client.get(f"{PROJET}print/")
    assert response["Content-Type"].startswith("application/json")
    assert _assert_error(response, 401)


def test_the_printable_page_is_for_young_people(mentor, client_for):
    response = client_for(mentor).get(f"{PROJET}print/")
    assert response["Content-Type"].startswith("application/json")
    _assert_error(response, 403)


# --- Export and erasure --------------------------------------------------------------------


def _whole_path(young_person, referent_link=None):
    """A projet with its history, an assessment and a check-in."""
    me = services.author_young_person(young_person)
    services.wishes_set(young_person=young_person, author=me, domain="housing", text="Un studio")
    goal = services.goal_add(
        young_person=young_person, author=me, data={"domain": "housing", "title": "Le studio"}
    )
    services.action_add(goal=goal, author=me, data={"title": "Le dossier", "entry": _entry().pk})
    services.projet_update(
        young_person=young_person,
        author=me,
        data={"trusted_person_name": "Awa Diallo", "trusted_person_phone": "0601020304"},
    )
    if referent_link is not None:
        services.goal_update(
            goal=goal, author=services.author_referent(referent_link), data={"status": "reached"}
        )
    services.assessment_submit(
        young_person=young_person, author=me, answers={"housing-apl": 2, "budget-bank": 1}
    )
    services.check_in_submit(young_person=young_person, data={"housing": "temporary"})


def test_the_export_has_the_projet_with_its_history_the_assessments_and_check_ins(
    young_person, referent, client_for
):
    _whole_path(young_person, _link(referent))
    response = client_for(young_person).get(f"{API}me/export/")
    assert response.status_code == 200
    autonomy = response.json()["autonomy"]
    projet = autonomy["projet"]
    assert projet["wishes"] == {"housing": "Un studio"}
    assert projet["trusted_person"]["name"] == "Awa Diallo"
    assert projet["trusted_person"]["phone"] == "0601020304"
    [goal] = projet["goals"]
    assert goal["title"] == "Le studio" and goal["status"] == "reached"
    assert goal["actions"][0]["title"] == "Le dossier"
    assert goal["actions"][0]["entry"] == "Demander l'aide au logement"
    # The whole history, oldest first, the référent's line too.
    assert [line["what"] for line in projet["history"]] == [
        "wishes.changed",
        "goal.added",
        "action.added",
        "projet.changed",
        "goal.changed",
    ]
    assert projet["history"][-1]["by_role"] == "referent"
    assert projet["history"][-1]["fields"] == {"status": ["planned", "reached"]}
    [assessment] = autonomy["assessments"]
    assert assessment["filled_by"] == "young_person"
    assert {key: answer["level"] for key, answer in assessment["answers"].items()} == {
        "housing-apl": 2,
        "budget-bank": 1,
    }
    [check_in] = autonomy["check_ins"]
    assert check_in["housing"] == "temporary"
    assert check_in["month"] == timezone.localdate().strftime("%Y-%m")


def test_the_export_of_someone_who_wrote_nothing(young_person, client_for):
    autonomy = client_for(young_person).get(f"{API}me/export/").json()["autonomy"]
    assert autonomy["projet"] is None
    assert autonomy["assessments"] == [] and autonomy["check_ins"] == []


def test_erasing_the_account_removes_the_projet_its_history_assessments_and_check_ins(
    young_person, other_young_person, client_for
):
    _whole_path(young_person)
    _whole_path(other_young_person)
    assert ProjetChange.objects.filter(projet__young_person=young_person).exists()
    response = client_for(young_person).delete(f"{API}me/", {"password": PASSWORD}, format="json")
    assert response.status_code == 204
    assert not Projet.objects.filter(young_person_id=young_person.pk).exists()
    assert ProjetChange.objects.filter(projet__young_person=other_young_person).exists()
    assert (
        ProjetChange.objects.count()
        == ProjetChange.objects.filter(projet__young_person=other_young_person).count()
    )
    assert not Goal.objects.exclude(projet__young_person=other_young_person).exists()
    assert not Action.objects.exclude(goal__projet__young_person=other_young_person).exists()
    assert not DomainWishes.objects.exclude(projet__young_person=other_young_person).exists()
    assert not Assessment.objects.filter(young_person_id=young_person.pk).exists()
    assert not CheckIn.objects.filter(young_person_id=young_person.pk).exists()
    # The other young person's path stays whole.
    assert Assessment.objects.filter(young_person=other_young_person).count() == 1
    assert CheckIn.objects.filter(young_person=other_young_person).count() == 1


def test_a_referents_account_closing_leaves_their_name_on_the_history(
    young_person, referent, client_for
):
    me = services.author_young_person(young_person)
    goal = services.goal_add(
        young_person=young_person, author=me, data={"domain": "housing", "title": "Le studio"}
    )
    services.goal_update(
        goal=goal, author=services.author_referent(_link(referent)), data={"status": "reached"}
    )
    referent.delete()
    line = _history(client_for(young_person))[0]
    assert line["by_role"] == "referent" and line["by_name"].startswith("Léa")


# --- After the review: the mentor's reading, the call for help, given-up goals, bounds -----


def test_the_mentors_reading_of_the_shared_goals_is_in_the_young_persons_log(
    young_person, mentor, match, projet_with_a_shared_goal, client_for
):
    client_for(mentor).get(f"{API}mentoring/matches/{match.pk}/goals/")
    client_for(young_person).get(f"{API}mentoring/matches/{match.pk}/goals/")
    reads = client_for(young_person).get(f"{API}vault/access-log/?action=read").json()["results"]
    assert [(line["scopes"], line["who"]) for line in reads] == [(["projet"], mentor.first_name)]


def test_a_goal_the_mentor_gave_up_stays_in_the_match_to_take_back_up(
    young_person, mentor, match, projet_with_a_shared_goal, client_for
):
    shared, _private = projet_with_a_shared_goal
    url = f"{API}mentoring/matches/{match.pk}/goals/{shared.pk}/progress/"
    assert client_for(mentor).post(url, {"status": "dropped"}, format="json").status_code == 200
    listed = client_for(young_person).get(f"{API}mentoring/matches/{match.pk}/goals/").json()
    assert [goal["status"] for goal in listed] == ["dropped"]
    back = client_for(young_person).post(url, {"status": "in_progress"}, format="json")
    assert back.status_code == 200 and back.json()["status"] == "in_progress"


def test_the_mentor_told_of_a_call_for_help_sees_it_on_the_match(
    young_person, mentor, match, client_for
):
    help_url = f"{API}mentoring/matches/{match.pk}/help/"
    assert client_for(mentor).get(help_url).json() == {"help_asked_at": None}
    client_for(young_person).post(
        f"{API}me/check-ins/", {"needs_help": True, "tell_mentor": False}, format="json"
    )
    assert client_for(mentor).get(help_url).json() == {"help_asked_at": None}
    client_for(young_person).post(
        f"{API}me/check-ins/", {"needs_help": True, "tell_mentor": True}, format="json"
    )
    assert client_for(mentor).get(help_url).json()["help_asked_at"] is not None


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "2010-01-01"])
def test_a_date_out_of_a_plans_reach_is_a_400_and_changes_nothing(young_person, client_for, day):
    client = client_for(young_person)
    goal = client.post(GOALS, {"domain": "housing", "title": "Un logement"}, format="json").json()
    before = _state()
    action = client.post(
        f"{GOALS}{goal['id']}/actions/", {"title": "Dossier", "due_on": day}, format="json"
    )
    assert _assert_error(action)["code"] == "implausible_date"
    review = client.patch(PROJET, {"review_on": day}, format="json")
    assert _assert_error(review)["code"] == "implausible_date"
    assert _state() == before


def test_a_projet_holds_a_bounded_number_of_goals(young_person, client_for):
    me = services.author_young_person(young_person)
    for n in range(services.MAX_GOALS):
        services.goal_add(
            young_person=young_person, author=me, data={"domain": "housing", "title": f"But {n}"}
        )
    before = _state()
    refused = client_for(young_person).post(
        GOALS, {"domain": "housing", "title": "Un de plus"}, format="json"
    )
    assert _assert_error(refused)["code"] == "too_many"
    assert _state() == before


def test_a_referent_who_erases_their_account_leaves_their_lines_under_their_role_only(
    young_person, referent, client_for
):
    from accounts import services as accounts_services

    services.goal_add(
        young_person=young_person,
        author=services.author_referent(_link(referent)),
        data={"domain": "housing", "title": "Un FJT"},
    )
    accounts_services.user_erase(user=referent)
    [line] = client_for(young_person).get(HISTORY).json()["results"]
    assert (line["by_role"], line["by_name"]) == ("referent", "")
