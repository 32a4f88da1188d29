"""The entry page's widgets: what staff tick, pick and type is saved as the codes, INSEE
codes, OpenStreetMap strings and translations' JSON the app reads, as before; what is
wrong gets a French error and changes nothing."""

import pytest

from services_catalog import selectors
from services_catalog.models import Entry, EntryStep, Structure

from .conftest import entry_form_data

pytestmark = pytest.mark.django_db

ENTRIES = "/admin/services_catalog/entry/"
COMMUNES = f"{ENTRIES}communes/"
API = "/api/v1/catalogue/entries/"


def _add(client, **fields):
    return client.post(f"{ENTRIES}add/", entry_form_data(**fields), HTTP_ACCEPT_LANGUAGE="fr")


def _errors(response) -> dict:
    return {
        name: " ".join(errors) for name, errors in response.context["adminform"].form.errors.items()
    }


@pytest.fixture
def entry_93(make_entry):
    return make_entry(
        "Atelier budget",
        kind=Entry.Kind.OFFER,
        departement_id="93",
        scope=Entry.Scope.DEPARTEMENTS,
        zone_departements=["93"],
    )


# --- Code lists as labelled checkboxes --------------------------------------------------


def test_the_code_lists_are_checkboxes_with_french_labels(client, staff_93):
    client.force_login(staff_93)
    page = client.get(f"{ENTRIES}add/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    for name, code, label in [
        ("publics", "jeunes", "Jeunes"),
        ("modes_accueil", "en-presentiel", "En présentiel"),
        ("modes_mobilisation", "telephoner", "Téléphoner"),
        ("mobilisable_par", "professionnels", "Professionnels"),
        ("situations", "care_leaver", "a quitté l&#x27;aide sociale à l&#x27;enfance (ASE)"),
        ("documents", "residence_permit", "Titre de séjour"),
    ]:
        assert f'type="checkbox" name="{name}" value="{code}"' in page
        assert label in page
    assert "[&quot;" not in page  # no JSON list left to type


def test_ticked_codes_are_saved_as_the_same_lists(client, staff_93):
    client.force_login(staff_93)
    response = _add(
        client,
        publics=["jeunes", "etudiants"],
        modes_accueil=["en-presentiel"],
        modes_mobilisation=["telephoner", "se-presenter"],
        mobilisable_par=["usagers"],
        situations=["care_leaver", "student"],
        documents=["identity_card", "residence_permit"],
    )
    assert response.status_code == 302, _errors(response)
    entry = Entry.objects.get(title="Atelier budget")
    assert entry.publics == ["jeunes", "etudiants"]
    assert entry.modes_accueil == ["en-presentiel"]
    assert entry.modes_mobilisation == ["telephoner", "se-presenter"]
    assert entry.mobilisable_par == ["usagers"]
    assert entry.situations == ["care_leaver", "student"]
    assert entry.documents == ["identity_card", "residence_permit"]


def test_an_unknown_code_or_a_refused_mix_changes_nothing(client, staff_93):
    client.force_login(staff_93)
    unknown = _add(client, documents=["identity_card", "spaceship_licence"])
    assert "Sélectionnez un choix valide" in _errors(unknown)["documents"]
    mixed = _add(client, publics=["tous-publics", "jeunes"])
    assert "ne peut pas être combiné" in _errors(mixed)["publics"]
    assert not Entry.objects.exists()


# --- Communes --------------------------------------------------------------------------


def test_the_reference_names_communes_and_finds_them_by_their_first_letters():
    assert selectors.commune_label("93066") == "Saint-Denis (93066)"
    assert selectors.commune_label("2A004") == "Ajaccio (2A004)"
    assert selectors.commune_label("99999") == "99999"  # unknown: shown as it is
    for typed in ("st denis", "SAINT-DENIS", "saint dénis", "St-Den"):
        found = [c.code for c in selectors.communes_matching(typed, departements={"93"})]
        assert found[0] == "93066", typed
    assert "L'Île-Saint-Denis" in [c.name for c in selectors.communes_matching("l'ile")]
    assert [c.code for c in selectors.communes_matching("evry", departements={"91"})] == ["91228"]
    # Digits: a postcode or the beginning of an INSEE code.
    assert "93008" in [c.code for c in selectors.communes_matching("93000")]
    assert selectors.communes_matching("st denis", departements={"75"}) == []
    commune = selectors.commune_named("93066")
    assert commune.departement == "93" and "93200" in commune.postcodes


def test_the_autocomplete_offers_only_the_communes_of_the_users_departements(
    client, staff_93, staff_75, national_editor, partner_93
):
    client.force_login(staff_93)
    answer = client.get(COMMUNES, {"q": "st denis"}).json()["results"]
    assert answer[0] == {
        "code": "93066",
        "name": "Saint-Denis",
        "label": "Saint-Denis (93066)",
        "departement": "93",
        "postcodes": ["93200", "93210", "93380"],
    }
    assert {commune["departement"] for commune in answer} == {"93"}

    client.force_login(staff_75)
    for typed in ("st denis", "saint", "bobigny", "93", "93200", "a", "e"):
        answer = client.get(COMMUNES, {"q": typed}).json()["results"]
        assert {commune["departement"] for commune in answer} <= {"75"}, typed
    assert [c["code"] for c in client.get(COMMUNES, {"q": "paris"}).json()["results"]] == ["75056"]

    client.force_login(partner_93)
    answer = client.get(COMMUNES, {"q": "saint"}).json()["results"]
    assert answer and {commune["departement"] for commune in answer} == {"93"}

    client.force_login(national_editor)
    answer = client.get(COMMUNES, {"q": "st denis"}).json()["results"]
    assert {"93066", "97411"} <= {commune["code"] for commune in answer}


def test_the_autocomplete_is_for_signed_in_staff_only(client, young_person, coordinator_93):
    assert client.get(COMMUNES, {"q": "bobigny"}).status_code == 302  # to the sign-in
    client.force_login(young_person)
    assert client.get(COMMUNES, {"q": "bobigny"}).status_code == 302
    client.force_login(coordinator_93)  # staff, but no catalogue
    assert client.get(COMMUNES, {"q": "bobigny"}).status_code == 403


def test_communes_chosen_are_saved_as_insee_codes(client, staff_93):
    client.force_login(staff_93)
    response = _add(client, scope="communes", zone_departements=[], zone_communes="93066,93008")
    assert response.status_code == 302, _errors(response)
    entry = Entry.objects.get(title="Atelier budget")
    assert entry.zone_communes == "93066,93008"
    page = client.get(f"{ENTRIES}{entry.pk}/change/").content.decode()
    assert "Saint-Denis (93066)" in page and "Bobigny (93008)" in page


def test_without_the_script_names_may_be_typed_too(client, staff_93):
    client.force_login(staff_93)
    response = _add(
        client,
        scope="communes",
        zone_departements=[],
        zone_communes="Bobigny, st denis, 93048",
        commune_code="Bobigny",
    )
    assert response.status_code == 302, _errors(response)
    entry = Entry.objects.get(title="Atelier budget")
    assert entry.zone_communes == "93008,93066,93048"
    # The commune of the place: its code, and its name when none was typed.
    assert (entry.commune_code, entry.commune) == ("93008", "Bobigny")


def test_a_wrong_or_foreign_commune_is_refused_in_french(client, staff_93):
    client.force_login(staff_93)
    unknown = _add(client, scope="communes", zone_departements=[], zone_communes="93066,93999")
    assert (
        "Aucune commune actuelle ne porte ce nom ou ce code : 93999"
        in _errors(unknown)["zone_communes"]
    )
    # A name of another département is not looked up there.
    foreign_name = _add(client, scope="communes", zone_departements=[], zone_communes="Marseille")
    assert "Marseille" in _errors(foreign_name)["zone_communes"]
    foreign = _add(client, scope="communes", zone_departements=[], zone_communes="93066,75056")
    assert "Paris (75056)" in _errors(foreign)["zone_communes"]
    place = _add(client, commune_code="93999")
    assert "93999" in _errors(place)["commune_code"]
    assert not Entry.objects.exists()


def test_a_former_commune_already_stored_is_kept(client, staff_93, entry_93):
    Entry.objects.filter(pk=entry_93.pk).update(
        scope=Entry.Scope.COMMUNES,
        zone_communes="93059,93066",  # Pierrefitte, merged in 2025
    )
    client.force_login(staff_93)
    response = client.post(
        f"{ENTRIES}{entry_93.pk}/change/",
        entry_form_data(scope="communes", zone_departements=[], zone_communes="93059,93066"),
    )
    assert response.status_code == 302, _errors(response)
    entry_93.refresh_from_db()
    assert entry_93.zone_communes == "93059,93066"


# --- Opening hours ---------------------------------------------------------------------


def test_the_opening_hours_string_is_saved_as_written(client, staff_93):
    client.force_login(staff_93)
    hours = "Mo-Fr 09:00-12:30,13:30-17:00; Sa 10:00-12:00; PH off; 2026 Dec 24 off"
    response = _add(client, horaires_accueil=hours)
    assert response.status_code == 302, _errors(response)
    assert Entry.objects.get(title="Atelier budget").horaires_accueil == hours
    page = client.get(f"{ENTRIES}add/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert (
        "data-jalon-hours" in page and "lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche" in page
    )


def test_hours_the_library_refuses_are_refused_in_french(client, staff_93, entry_93):
    client.force_login(staff_93)
    response = client.post(
        f"{ENTRIES}{entry_93.pk}/change/",
        entry_form_data(horaires_accueil="lundi 9h-12h"),
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert "format OpenStreetMap" in _errors(response)["horaires_accueil"]
    entry_93.refresh_from_db()
    assert entry_93.horaires_accueil == ""


# --- Translations ----------------------------------------------------------------------


def test_translations_typed_per_language_are_saved_as_the_json_the_app_reads(
    client, api_client, staff_93, entry_93
):
    client.force_login(staff_93)
    response = client.post(
        f"{ENTRIES}{entry_93.pk}/change/",
        entry_form_data(
            translations_en_title="Budget workshop",
            translations_en_summary="Learn to manage your budget.",
            translations_en_body="A free workshop every month.",
            translations_ar_title="ورشة الميزانية",
            translations_ps_title="  ",
            **{
                "steps-TOTAL_FORMS": "1",
                "steps-0-position": "1",
                "steps-0-text": "S'inscrire",
                "steps-0-translations_en_text": "Sign up",
            },
        ),
    )
    assert response.status_code == 302, _errors(response)
    entry_93.refresh_from_db()
    assert entry_93.translations == {
        "en": {
            "title": "Budget workshop",
            "summary": "Learn to manage your budget.",
            "body": "A free workshop every month.",
        },
        "ar": {"title": "ورشة الميزانية"},
    }
    assert EntryStep.objects.get(entry=entry_93).translations == {"en": {"text": "Sign up"}}
    english = api_client.get(f"{API}{entry_93.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert english["title"] == "Budget workshop"
    assert english["steps"][0]["text"] == "Sign up"


def test_the_tabs_show_each_language_and_its_direction(client, staff_93, entry_93):
    Entry.objects.filter(pk=entry_93.pk).update(translations={"ar": {"title": "ورشة"}})
    client.force_login(staff_93)
    page = client.get(f"{ENTRIES}{entry_93.pk}/change/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "data-jalon-tabs" in page
    for name in ("Anglais", "Arabe", "Pachto", "Dari", "Tigrigna"):
        assert f">{name}</h3>" in page
    arabic = 'id="id_translations_ar_title" value="ورشة" lang="ar" dir="rtl"'
    assert arabic in page
    assert (
        'name="translations_ti_title" id="id_translations_ti_title" value="" lang="ti" dir="ltr"'
        in page
    )
    assert "{&quot;ar&quot;" not in page  # no JSON to edit


def test_what_the_form_does_not_edit_is_kept(client, staff_93, entry_93):
    kept = {"en": {"title": "Budget", "note": "kept"}, "de": {"title": "Haushalt"}}
    Entry.objects.filter(pk=entry_93.pk).update(translations=kept)
    client.force_login(staff_93)
    response = client.post(
        f"{ENTRIES}{entry_93.pk}/change/",
        entry_form_data(translations_en_title="", translations_en_summary="Your budget."),
    )
    assert response.status_code == 302, _errors(response)
    entry_93.refresh_from_db()
    assert entry_93.translations == {
        "en": {"summary": "Your budget.", "note": "kept"},
        "de": {"title": "Haushalt"},
    }


def test_a_translation_too_long_is_refused_in_french_and_changes_nothing(
    client, staff_93, entry_93
):
    client.force_login(staff_93)
    response = client.post(
        f"{ENTRIES}{entry_93.pk}/change/",
        entry_form_data(translations_en_title="x" * 151, translations_ar_title="عنوان"),
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert (
        "Anglais, Titre : 150 caractères au plus (151 saisis)." in _errors(response)["translations"]
    )
    entry_93.refresh_from_db()
    assert entry_93.translations == {}


def test_a_closures_translations_are_typed_per_language(client, staff_93, entry_93):
    client.force_login(staff_93)
    response = client.post(
        f"{ENTRIES}{entry_93.pk}/change/",
        entry_form_data(
            **{
                "closures-TOTAL_FORMS": "1",
                "closures-0-starts_on": "2027-07-26",
                "closures-0-ends_on": "2027-08-20",
                "closures-0-message": "Fermeture estivale.",
                "closures-0-translations_en_message": "Closed for the summer.",
            }
        ),
    )
    assert response.status_code == 302, _errors(response)
    assert entry_93.closures.get().translations == {"en": {"message": "Closed for the summer."}}


def test_the_inline_rows_label_their_inputs(client, staff_93, make_entry):
    entry = make_entry(
        "Atelier budget",
        kind=Entry.Kind.OFFER,
        departement_id="93",
        scope=Entry.Scope.DEPARTEMENTS,
        zone_departements=["93"],
        steps=["S'inscrire"],
    )
    client.force_login(staff_93)
    page = client.get(f"{ENTRIES}{entry.pk}/change/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert 'maxlength="500" aria-label="Étape" id="id_steps-0-text"' in page
    assert 'aria-label="None"' not in page
    assert 'name="steps-0-DELETE" aria-label="Supprimer"' in page


def test_a_new_code_alone_renames_the_commune(client, staff_93, entry_93):
    Entry.objects.filter(pk=entry_93.pk).update(commune_code="93008", commune="Bobigny")
    client.force_login(staff_93)
    response = client.post(
        f"{ENTRIES}{entry_93.pk}/change/",
        entry_form_data(commune_code="93066", commune="Bobigny"),
    )
    assert response.status_code == 302, _errors(response)
    entry_93.refresh_from_db()
    assert (entry_93.commune_code, entry_93.commune) == ("93066", "Saint-Denis")


def test_a_structure_is_placed_by_its_communes_name_and_its_week(client, staff_93):
    client.force_login(staff_93)
    page = client.get("/admin/services_catalog/structure/add/", HTTP_ACCEPT_LANGUAGE="fr")
    assert "data-jalon-communes" in page.content.decode()
    assert "data-jalon-hours" in page.content.decode()
    response = client.post(
        "/admin/services_catalog/structure/add/",
        {
            "departement": "93",
            "name": "Mission locale de Bobigny",
            "commune_code": "bobigny",
            "horaires_accueil": "Mo-Fr 09:00-17:00; PH off",
        },
    )
    assert response.status_code == 302
    structure = Structure.objects.get()
    assert (structure.commune_code, structure.commune) == ("93008", "Bobigny")
    assert structure.horaires_accueil == "Mo-Fr 09:00-17:00; PH off"
    refused = client.post(
        "/admin/services_catalog/structure/add/",
        {"departement": "93", "name": "Ailleurs", "commune_code": "Marseille"},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert "Marseille" in " ".join(refused.context["adminform"].form.errors["commune_code"])
    assert Structure.objects.count() == 1
