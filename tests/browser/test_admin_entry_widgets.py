"""A département's curator creates a catalogue entry in a real browser with the entry
page's widgets: labelled checkboxes, communes chosen by name, the week of opening hours,
an English translation in its tab. What is saved is what the app reads: codes, INSEE
codes, the OpenStreetMap string, the translations' JSON. Then the curator publishes it
from its page. The page passes axe-core."""

import os
import re

import pytest
from django.conf import settings

from services_catalog import services
from services_catalog.models import Entry
from tests.browser.axe import accessibility_violations
from tests.conftest import signed_in_token

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ADD = "/admin/services_catalog/entry/add/"
# Set to a folder to keep screenshots of the pages (to look at them, or for the README).
SCREENSHOTS = os.environ.get("JALON_SCREENSHOTS", "")


def _signed_in(page, token, path):
    """``page`` opens ``path`` in the admin as the user of the session ``token``."""
    base = re.match(r"https?://[^/]+", page.url).group(0)
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": token, "url": base}])
    page.goto(base + path)


def _draft_of_93(hours: str) -> Entry:
    return services.entry_create(
        title="Accueil jeunes",
        summary="Un accueil sans rendez-vous.",
        body="Pour les 16-25 ans.",
        publish=False,
        kind=Entry.Kind.OFFER,
        departement_id="93",
        scope=Entry.Scope.DEPARTEMENTS,
        zone_departements=["93"],
        horaires_accueil=hours,
    )


def _serious(problems: list[str]) -> list[str]:
    return [line for line in problems if "(serious)" in line or "(critical)" in line]


def _shot(page, name):
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)


def test_a_curator_creates_an_entry_with_the_widgets_and_publishes_it(visit, staff_93):
    assert staff_93.has_perm(services.PUBLISH_PERMISSION)
    token = signed_in_token(staff_93)

    def steps(page, log):
        _signed_in(page, token, ADD)
        problems = accessibility_violations(page)
        page.locator("#id_kind").select_option("offer")
        page.locator("#id_departement").select_option("93")
        page.locator("#id_title").fill("Atelier logement")
        page.locator("#id_summary").fill("Trouver un premier logement.")
        page.locator("#id_body").fill("Un atelier chaque mardi pour préparer son dossier.")

        # The English translation, in its tab.
        page.get_by_role("tab", name="Anglais").click()
        english = page.get_by_role("tabpanel", name="Anglais")
        english.get_by_label("Titre").fill("Housing workshop")
        english.get_by_label("Résumé").fill("Find a first home.")
        english.get_by_label("Description").fill("A workshop every Tuesday.")
        # The arrows go through the languages; Arabic is written right to left.
        page.get_by_role("tab", name="Anglais").press("ArrowRight")
        arabic = page.get_by_role("tabpanel", name="Arabe")
        arabic_direction = arabic.get_by_label("Titre").get_attribute("dir")
        english_hidden = english.is_hidden()

        # Words, not codes.
        page.get_by_label("Jeunes", exact=True).check()
        page.get_by_label("Étudiants", exact=True).check()
        page.get_by_label("En présentiel").check()
        page.get_by_label("a quitté l'aide sociale à l'enfance (ASE)").check()
        page.get_by_label("Carte d'identité").check()
        page.get_by_label("Titre de séjour").check()

        # The week of opening hours writes the OpenStreetMap string.
        page.get_by_label("lundi : Ouvert").check()
        page.get_by_label("lundi : Ouvre à").fill("09:00")
        page.get_by_label("lundi : Ferme à", exact=True).fill("12:30")
        page.get_by_label("lundi : Rouvre à (après une pause)").fill("13:30")
        page.get_by_label("lundi : Ferme à (après la pause)").fill("17:00")
        page.get_by_role("button", name="Mêmes horaires que le lundi du mardi au vendredi").click()
        page.get_by_label("Fermé les jours fériés").check()
        page.get_by_label("Un jour de fermeture").fill("2026-12-24")
        page.get_by_role("button", name="Ajouter ce jour de fermeture").click()
        hours_text = page.locator("#id_horaires_accueil").input_value()

        # Where it is: a commune chosen by its name, with the keyboard.
        place = page.get_by_role("combobox", name=re.compile(r"^Commune\W*$"))
        place.fill("st denis")
        page.get_by_role("option", name=re.compile(r"^Saint-Denis \(93066\)")).wait_for()
        place.press("ArrowDown")
        place.press("Enter")
        place_name = page.locator("#id_commune").input_value()

        # Where it applies: two communes chosen by name, shown as removable chips.
        page.locator("#id_scope").select_option("communes")
        zone = page.get_by_role("combobox", name=re.compile(r"^Communes concernées"))
        zone.fill("bobig")
        page.get_by_role("option", name=re.compile(r"^Bobigny \(93008\)")).click()
        zone.fill("saint-den")
        page.get_by_role("option", name=re.compile(r"^Saint-Denis \(93066\)")).click()
        zone.fill("aubervil")
        page.get_by_role("option", name=re.compile(r"^Aubervilliers")).click()
        page.get_by_role("button", name="Retirer Aubervilliers (93001)").click()
        chips = page.get_by_role("list", name="Communes choisies").inner_text()
        _shot(page, "entry-add")
        problems += accessibility_violations(page)

        page.get_by_role("button", name="Enregistrer", exact=True).click()
        page.locator("ul.messagelist li.success").wait_for()

        # Back on its page from the list, the curator publishes it.
        page.get_by_role("link", name="Atelier logement").first.click()
        page.get_by_role("button", name="Publier").click()
        page.locator("ul.messagelist li.success").wait_for()
        published_message = page.locator("ul.messagelist li.success").inner_text()
        return {
            "published_message": published_message,
            "problems": problems,
            "errors": log.errors,
            "arabic_direction": arabic_direction,
            "english_hidden": english_hidden,
            "hours_text": hours_text,
            "place_name": place_name,
            "chips": chips,
        }

    seen = visit("/admin/login/", steps)
    assert _serious(seen["problems"]) == []
    assert seen["errors"] == []
    assert seen["arabic_direction"] == "rtl"
    assert seen["english_hidden"]
    assert seen["hours_text"] == "Mo-Fr 09:00-12:30,13:30-17:00; PH off; 2026 Dec 24 off"
    assert seen["place_name"] == "Saint-Denis"
    assert "Bobigny (93008)" in seen["chips"] and "Saint-Denis (93066)" in seen["chips"]
    assert "Aubervilliers" not in seen["chips"]

    entry = Entry.objects.get(title="Atelier logement")
    assert entry.status == Entry.Status.PUBLISHED
    assert "publiée" in seen["published_message"]
    assert entry.departement_id == "93"
    assert entry.publics == ["etudiants", "jeunes"]
    assert entry.modes_accueil == ["en-presentiel"]
    assert entry.situations == ["care_leaver"]
    assert entry.documents == ["identity_card", "residence_permit"]
    assert entry.horaires_accueil == "Mo-Fr 09:00-12:30,13:30-17:00; PH off; 2026 Dec 24 off"
    assert (entry.commune_code, entry.commune, entry.code_postal) == (
        "93066",
        "Saint-Denis",
        "93200",
    )
    assert entry.scope == Entry.Scope.COMMUNES
    assert entry.zone_communes == "93008,93066"
    assert entry.translations == {
        "en": {
            "title": "Housing workshop",
            "summary": "Find a first home.",
            "body": "A workshop every Tuesday.",
        }
    }


def test_the_week_reads_the_hours_it_can_show_and_leaves_the_others(visit, staff_93):
    entry = _draft_of_93(hours="Mo-Fr 08:00-18:00; PH off")
    token = signed_in_token(staff_93)

    def steps(page, log):
        _signed_in(page, token, f"/admin/services_catalog/entry/{entry.pk}/change/")
        seen = {
            "friday": page.get_by_label("vendredi : Ferme à", exact=True).input_value(),
            "saturday_open": page.get_by_label("samedi : Ouvert").is_checked(),
            "holidays": page.get_by_label("Fermé les jours fériés").is_checked(),
        }
        text = page.locator("#id_horaires_accueil")
        text.fill("Mo-Fr 09:00-17:00 || Sa 10:00-12:00")
        seen["cannot"] = page.get_by_text(
            "La semaine ne peut pas afficher ces horaires"
        ).is_visible()
        seen["week_disabled"] = page.get_by_label("lundi : Ouvert").is_disabled()
        seen["kept"] = text.input_value()
        _shot(page, "entry-hours-cannot")
        text.fill("Sa 10:00-12:00")
        seen["saturday_after"] = page.get_by_label("samedi : Ouvert").is_checked()
        seen["monday_after"] = page.get_by_label("lundi : Ouvert").is_checked()
        seen["week_enabled"] = page.get_by_label("lundi : Ouvert").is_enabled()
        seen["errors"] = log.errors
        return seen

    seen = visit("/admin/login/", steps)
    assert seen["friday"] == "18:00"
    assert not seen["saturday_open"]
    assert seen["holidays"]
    assert seen["cannot"] and seen["week_disabled"]
    assert seen["kept"] == "Mo-Fr 09:00-17:00 || Sa 10:00-12:00"
    assert seen["saturday_after"] and not seen["monday_after"] and seen["week_enabled"]
    assert seen["errors"] == []


def test_a_closure_added_to_an_entry_gets_its_hours_as_a_week(visit, staff_93):
    entry = _draft_of_93(hours="Mo-Fr 08:00-18:00")
    token = signed_in_token(staff_93)

    def steps(page, log):
        _signed_in(page, token, f"/admin/services_catalog/entry/{entry.pk}/change/")
        page.get_by_role("button", name=re.compile("Fermeture ou horaires exceptionnels")).click()
        closure = page.locator("#closures-0")
        closure.get_by_label("Du").fill("03/08/2026")
        closure.get_by_label("Au (inclus)").fill("21/08/2026")
        closure.get_by_label("Message (en français)").fill("Horaires d'été")
        closure.get_by_label("mercredi : Ouvert").check()
        closure.get_by_label("mercredi : Ouvre à").fill("10:00")
        closure.get_by_label("mercredi : Ferme à", exact=True).fill("12:00")
        written = closure.locator("input.jalon-hours-text").input_value()
        problems = accessibility_violations(page)
        page.get_by_role("button", name="Enregistrer", exact=True).click()
        page.locator("ul.messagelist li.success").wait_for()
        return {"written": written, "problems": problems, "errors": log.errors}

    seen = visit("/admin/login/", steps)
    assert seen["errors"] == []
    assert _serious(seen["problems"]) == []
    assert seen["written"] == "We 10:00-12:00"
    (closure,) = entry.closures.all()
    assert (closure.hours, closure.message) == ("We 10:00-12:00", "Horaires d'été")
    assert str(closure.starts_on) == "2026-08-03"
