"""The référentiel in the admin panel: a département's staff hide or validate national
items and write their own, asked only there; nobody rewrites an answered item; national
editors keep the milestones' procedures national."""

import pytest
from django.utils.html import escape

from autonomy import selectors, services
from autonomy.models import AssessmentItem, DepartementItemChoice, MilestoneEntry
from services_catalog import services as catalogue
from services_catalog.models import Entry
from tests.referents.links import catalogue_entry

pytestmark = pytest.mark.django_db

ITEMS = "/admin/autonomy/assessmentitem/"
CHOICES = "/admin/autonomy/departementitemchoice/"


def _item(key="housing-apl"):
    return AssessmentItem.objects.get(key=key)


def test_staff_hide_a_national_item_in_their_departement_only(client, staff_93):
    client.force_login(staff_93)
    added = client.post(
        f"{CHOICES}add/",
        {"departement": "93", "item": _item().pk, "hidden": "on"},
    )
    assert added.status_code == 302, added.content
    assert _item() not in selectors.referentiel_for("93")
    assert _item() in selectors.referentiel_for("75")


def test_staff_cannot_adapt_another_departements_referentiel(client, staff_93):
    client.force_login(staff_93)
    refused = client.post(
        f"{CHOICES}add/", {"departement": "75", "item": _item().pk, "hidden": "on"}
    )
    assert refused.status_code == 200  # the form again, with its error
    assert not DepartementItemChoice.objects.exists()


def test_staff_write_their_own_item_asked_in_their_departement_only(client, staff_93):
    client.force_login(staff_93)
    added = client.post(
        f"{ITEMS}add/",
        {
            "key": "housing-fjt-93",
            "domain": "housing",
            "text": "Je connais les foyers de jeunes travailleurs du 93.",
            "position": "9",
            "departement": "93",
            "version": "1",
        },
    )
    assert added.status_code == 302, added.content
    item = _item("housing-fjt-93")
    assert item.to_validate is False  # the département wrote it itself
    assert item in selectors.referentiel_for("93")
    assert item not in selectors.referentiel_for("75")


def test_an_item_written_without_a_key_gets_one_from_its_words(client, staff_93):
    client.force_login(staff_93)
    form = {
        "key": "",
        "domain": "housing",
        "text": "Je sais où trouver un foyer à Bobigny.",
        "position": "9",
        "departement": "93",
    }
    assert client.post(f"{ITEMS}add/", form).status_code == 302
    assert client.post(f"{ITEMS}add/", form).status_code == 302  # the same words again
    keys = set(AssessmentItem.objects.filter(departement="93").values_list("key", flat=True))
    assert keys == {
        "je-sais-ou-trouver-un-foyer-a-bobigny",
        "je-sais-ou-trouver-un-foyer-a-bobigny-2",
    }


def test_a_departements_choice_is_named_by_its_item_not_its_number(client, staff_93):
    client.force_login(staff_93)
    response = client.post(
        f"{CHOICES}add/", {"departement": "93", "item": _item().pk, "hidden": "on"}, follow=True
    )
    choice = DepartementItemChoice.objects.get()
    assert str(choice) == f"93: {_item().text}"
    assert escape(f"93: {_item().text}") in response.content.decode()  # "... was added"


def test_staff_cannot_change_a_national_item(client, staff_93):
    client.force_login(staff_93)
    item = _item()
    response = client.post(
        f"{ITEMS}{item.pk}/change/",
        {
            "key": item.key,
            "domain": "health",
            "text": "Autre chose",
            "position": "0",
            "version": "1",
        },
    )
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.domain == "housing" and item.text.startswith("Je sais demander")


def test_an_answered_item_keeps_its_words_and_cannot_be_deleted(
    client, national_editor, young_person
):
    services.assessment_submit(
        young_person=young_person,
        author=services.author_young_person(young_person),
        answers={"housing-apl": 2},
    )
    item = _item()
    client.force_login(national_editor)
    page = client.get(f"{ITEMS}{item.pk}/change/")
    assert page.status_code == 200
    assert "text" not in page.context["adminform"].form.fields  # read-only now
    assert client.post(f"{ITEMS}{item.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AssessmentItem.objects.filter(pk=item.pk).exists()


def test_the_milestones_take_national_entries_only(client, national_editor):
    local = catalogue.entry_create(
        title="Aide locale",
        publish=True,
        kind=Entry.Kind.RIGHT,
        summary="Résumé.",
        body="Description.",
        scope=Entry.Scope.DEPARTEMENTS,
        zone_departements=["93"],
    )
    client.force_login(national_editor)
    refused = client.post(
        "/admin/autonomy/milestoneentry/add/",
        {"milestone": "majority", "entry": local.pk, "position": "0"},
    )
    assert refused.status_code == 200 and not MilestoneEntry.objects.exists()
    accepted = client.post(
        "/admin/autonomy/milestoneentry/add/",
        {"milestone": "majority", "entry": catalogue_entry().pk, "position": "0"},
    )
    assert accepted.status_code == 302 and MilestoneEntry.objects.count() == 1


def test_staff_cannot_move_the_referentiels_version(client, staff_93):
    client.force_login(staff_93)
    added = client.post(
        f"{ITEMS}add/",
        {
            "key": "housing-93-version",
            "domain": "housing",
            "text": "Je connais la résidence sociale de ma ville.",
            "position": "9",
            "departement": "93",
            "version": "900",
            "retired_in": "30000",
        },
    )
    assert added.status_code == 302, added.content
    item = _item("housing-93-version")
    assert (item.version, item.retired_in) == (1, None)
    assert selectors.referentiel_version() == 1


def test_staff_hide_their_own_item_in_their_departement(client, staff_93):
    own = AssessmentItem.objects.create(
        key="housing-own-93", domain="housing", text="Un élément du 93.", departement_id="93"
    )
    client.force_login(staff_93)
    added = client.post(f"{CHOICES}add/", {"departement": "93", "item": own.pk, "hidden": "on"})
    assert added.status_code == 302, added.content
    assert own not in selectors.referentiel_for("93")
