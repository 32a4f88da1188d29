"""A référent writes the projet with the young person and fills the assessment, from
/pro/: only with the ``projet`` scope, each reading in the young person's log, each change
in the history the young person reads. A refused form says why, keeps what was typed and
changes nothing."""

from datetime import date

import pytest

from autonomy import services
from autonomy.models import Assessment, Goal, ProjetChange
from referents import selectors as referents_selectors
from tests.referents.pages import browser_client

pytestmark = pytest.mark.django_db

ACCESS_LOG = "/api/v1/vault/access-log/"


def _link(referent):
    [link] = referents_selectors.young_people_links_for_user(user=referent)
    return link


def _state():
    return (
        list(Goal.objects.values_list("title", "status")),
        ProjetChange.objects.count(),
        Assessment.objects.count(),
    )


def test_a_referent_adds_a_goal_and_an_action_the_young_person_reads_them_with_the_history(
    referent, young_person, client_for
):
    link = _link(referent)
    client = browser_client(referent)
    assert client.get(f"/pro/jeunes/{link.pk}/projet/").status_code == 200
    reads = client_for(young_person).get(f"{ACCESS_LOG}?action=read").json()["results"]
    assert reads[0]["scopes"] == ["projet"] and reads[0]["who"].startswith("Léa")

    added = client.post(
        f"/pro/jeunes/{link.pk}/projet/objectifs/",
        {"domain": "housing", "title": "Entrer en foyer de jeunes travailleurs"},
    )
    assert added.status_code == 302
    goal = Goal.objects.get()
    action = client.post(
        f"/pro/jeunes/{link.pk}/projet/objectifs/{goal.pk}/actions/",
        {
            f"action-{goal.pk}-title": "Remplir le dossier FJT",
            f"action-{goal.pk}-actor": "referent",
            f"action-{goal.pk}-due_on": "2027-02-01",
        },
    )
    assert action.status_code == 302
    page = client.get(f"/pro/jeunes/{link.pk}/projet/").content.decode()
    assert "Remplir le dossier FJT" in page and "Objectif ajouté" in page

    projet = client_for(young_person).get("/api/v1/me/projet/").json()
    housing = next(d for d in projet["domains"] if d["domain"] == "housing")
    assert housing["goals"][0]["title"] == "Entrer en foyer de jeunes travailleurs"
    assert housing["goals"][0]["actions"][0]["actor"] == "referent"
    history = client_for(young_person).get("/api/v1/me/projet/history/").json()["results"]
    assert [(line["what"], line["by_role"]) for line in history] == [
        ("action.added", "referent"),
        ("goal.added", "referent"),
    ]
    assert history[0]["by_name"].startswith("Léa")


def test_a_refused_goal_says_why_keeps_the_typed_words_and_writes_nothing(referent, young_person):
    link = _link(referent)
    client = browser_client(referent)
    before = _state()
    refused = client.post(
        f"/pro/jeunes/{link.pk}/projet/objectifs/",
        {"domain": "lune", "title": "Trouver un stage en cuisine"},
    )
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "Sélectionnez un choix valide" in page
    assert 'value="Trouver un stage en cuisine"' in page
    assert _state() == before


def test_the_projet_pages_need_the_projet_scope(referent_few_scopes, young_person):
    [link] = referents_selectors.young_people_links_for_user(user=referent_few_scopes)
    client = browser_client(referent_few_scopes)
    for url in ("projet/", "projet/imprimer/", "autonomie/"):
        assert client.get(f"/pro/jeunes/{link.pk}/{url}").status_code == 404
    refused = client.post(
        f"/pro/jeunes/{link.pk}/projet/objectifs/", {"domain": "housing", "title": "Un studio"}
    )
    assert refused.status_code == 404 and not Goal.objects.exists()


def test_the_referents_assessment_shows_next_to_the_young_persons(
    referent, young_person, client_for
):
    link = _link(referent)
    services.assessment_submit(
        young_person=young_person,
        author=services.author_young_person(young_person),
        answers={"housing-apl": 3},
    )
    client = browser_client(referent)
    recorded = client.post(
        f"/pro/jeunes/{link.pk}/autonomie/evaluer/", {"housing-apl": "1", "budget-plan": "2"}
    )
    assert recorded.status_code == 302
    overview = client_for(young_person).get("/api/v1/me/assessments/").json()
    row = next(r for r in overview["side_by_side"] if r["item"]["key"] == "housing-apl")
    assert (row["self"], row["referent"]) == (3, 1)
    page = client.get(f"/pro/jeunes/{link.pk}/autonomie/").content.decode()
    assert "Je sais demander l&#x27;aide au logement de la CAF." in page


def test_an_empty_assessment_is_refused_with_a_french_message(referent, young_person):
    link = _link(referent)
    refused = browser_client(referent).post(f"/pro/jeunes/{link.pk}/autonomie/evaluer/", {})
    assert refused.status_code == 400
    assert "Répondez au moins à un élément." in refused.content.decode()
    assert not Assessment.objects.exists()


def test_the_printable_projet_shows_the_goals_and_the_personne_de_confiance(referent, young_person):
    me = services.author_young_person(young_person)
    services.projet_update(
        young_person=young_person,
        author=me,
        data={"trusted_person_name": "Awa Diallo", "trusted_person_relation": "ma tante"},
    )
    services.goal_add(
        young_person=young_person, author=me, data={"domain": "health", "title": "Un médecin"}
    )
    page = browser_client(referent).get(f"/pro/jeunes/{_link(referent).pk}/projet/imprimer/")
    text = page.content.decode()
    assert page.status_code == 200 and "Awa Diallo (ma tante)" in text and "Un médecin" in text


def test_a_referent_cannot_name_the_personne_de_confiance(referent, young_person):
    from autonomy.exceptions import ProjetRefused

    with pytest.raises(ProjetRefused):
        services.projet_update(
            young_person=young_person,
            author=services.author_referent(_link(referent)),
            data={"trusted_person_name": "Quelqu'un"},
        )


def test_with_the_projet_scope_only_the_print_shows_neither_name_nor_steps(
    referent, young_person, client_for
):
    from referents import services as referents_services

    link = _link(referent)
    profile = young_person.profile
    profile.birth_date, profile.unaccompanied_minor = date(2009, 3, 14), True
    profile.save()
    referents_services.link_update(link=link, data={"scopes": ["projet"]})
    link.label = "Jeune du foyer de Bondy"  # the référent's own words for them
    link.save(update_fields=["label"])
    page = browser_client(referent).get(f"/pro/jeunes/{link.pk}/projet/imprimer/")
    text = page.content.decode()
    assert page.status_code == 200
    assert young_person.first_name not in text and "séjour" not in text and "2027" not in text
    assert "Jeune du foyer de Bondy" in text
    reads = client_for(young_person).get(f"{ACCESS_LOG}?action=read").json()["results"]
    assert reads[0]["scopes"] == ["projet"]


def test_with_the_profile_scope_too_the_print_has_the_steps_and_says_so_in_the_log(
    referent, young_person, client_for
):
    profile = young_person.profile
    profile.birth_date = date(2009, 3, 14)
    profile.save()
    link = _link(referent)
    text = browser_client(referent).get(f"/pro/jeunes/{link.pk}/projet/imprimer/").content
    assert b"14 mars 2027" in text
    reads = client_for(young_person).get(f"{ACCESS_LOG}?action=read").json()["results"]
    assert sorted(reads[0]["scopes"]) == ["profile", "projet"]


def test_a_refusal_of_the_services_comes_back_on_the_page(referent, young_person):
    link = _link(referent)
    goal = services.goal_add(
        young_person=young_person,
        author=services.author_young_person(young_person),
        data={"domain": "housing", "title": "Un studio"},
    )
    before = _state()
    refused = browser_client(referent).post(
        f"/pro/jeunes/{link.pk}/projet/objectifs/{goal.pk}/actions/",
        {
            f"action-{goal.pk}-title": "Dossier",
            f"action-{goal.pk}-actor": "referent",
            f"action-{goal.pk}-due_on": "2099-01-01",
        },
    )
    assert refused.status_code == 400
    assert "entre il y a cinq ans et dans dix ans" in refused.content.decode()
    assert _state() == before


def test_with_the_projet_scope_only_the_history_calls_the_young_person_by_the_label(
    referent, young_person
):
    from referents import services as referents_services

    link = _link(referent)
    referents_services.link_update(link=link, data={"scopes": ["projet"]})
    link.label = "Jeune du foyer de Bondy"
    link.save(update_fields=["label"])
    services.goal_add(
        young_person=young_person,
        author=services.author_young_person(young_person),
        data={"domain": "housing", "title": "Un studio"},
    )
    page = browser_client(referent).get(f"/pro/jeunes/{link.pk}/projet/").content.decode()
    assert young_person.first_name not in page
    assert "Jeune du foyer de Bondy : Objectif ajouté" in page
