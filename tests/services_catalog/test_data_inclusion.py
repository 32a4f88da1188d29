"""Exchange with data·inclusion v1: export validated by the official package, import."""

import json

import pytest
from data_inclusion.schema import v1 as di
from django.core.management import call_command

from accounts.models import Departement
from demo.catalogue import load_demo_catalogue
from services_catalog import services
from services_catalog.data_inclusion import export_departement, import_file
from services_catalog.models import Entry, Structure

pytestmark = pytest.mark.django_db

EXPORT = "/api/v1/catalogue/export/data-inclusion/"


def _validate(export: dict) -> None:
    for record in export["structures"]:
        di.Structure.model_validate(record)
    for record in export["services"]:
        di.Service.model_validate(record)
    structure_ids = {record["id"] for record in export["structures"]}
    assert {record["structure_id"] for record in export["services"]} <= structure_ids


@pytest.mark.parametrize("code", ["93", "75"])
def test_demo_export_is_valid_data_inclusion(code):
    load_demo_catalogue()
    export = export_departement(departement=Departement.objects.get(code=code))
    assert len(export["services"]) >= 10
    _validate(export)


def test_every_scope_exports_validly(make_entry):
    structure = Structure.objects.create(
        departement_id="93",
        name="Mission locale",
        commune_code="93008",
        latitude=48.9,
        longitude=2.44,
    )
    common = {"departement_id": "93", "kind": Entry.Kind.OFFER, "structure": structure}
    make_entry(
        "Droit du département.",
        scope=Entry.Scope.DEPARTEMENTS,
        zone_departements=["93"],
        departement_id="93",
        kind=Entry.Kind.RIGHT,
        min_age=18,
        max_age=21,
        situations=["care_leaver"],
        steps=["Écrire", "Appeler"],
    )
    make_entry("Communes", scope=Entry.Scope.COMMUNES, zone_communes="93008,93066", **common)
    make_entry(
        "Autour",
        scope=Entry.Scope.RADIUS,
        radius_km=5,
        latitude=48.9,
        longitude=2.44,
        commune_code="93008",
        **common,
    )
    make_entry("Nationale", scope=Entry.Scope.NATIONAL, publics=["jeunes"], **common)
    make_entry("Brouillon", publish=False, scope=Entry.Scope.NATIONAL, **common)

    export = export_departement(departement=Departement.objects.get(code="93"))
    _validate(export)
    by_name = {record["nom"]: record for record in export["services"]}
    assert set(by_name) == {"Droit du département", "Communes", "Autour", "Nationale"}
    assert by_name["Communes"]["zone_eligibilite"] == ["93008", "93066"]
    assert by_name["Nationale"]["zone_eligibilite"] == ["france"]
    assert by_name["Droit du département"]["conditions_acces"].startswith("De 18 à 21 ans.")
    assert by_name["Droit du département"]["mobilisation_precisions"] == "1. Écrire\n2. Appeler"


def test_export_endpoint(api_client, make_entry):
    make_entry(
        "Offre 93", scope=Entry.Scope.DEPARTEMENTS, departement_id="93", zone_departements=["93"]
    )
    make_entry(
        "Offre 75", scope=Entry.Scope.DEPARTEMENTS, departement_id="75", zone_departements=["75"]
    )
    response = api_client.get(EXPORT, {"departement": "93"})
    assert response.status_code == 200
    assert [record["nom"] for record in response.json()["services"]] == ["Offre 93"]
    _validate(response.json())
    for params in ({}, {"departement": "99"}, {"departement": "9\x003"}):
        bad = api_client.get(EXPORT, params)
        assert bad.status_code == 400
        assert "departement" in bad.json()["error"]["fields"]


def test_export_command(tmp_path, make_entry):
    make_entry(
        "Offre 93", scope=Entry.Scope.DEPARTEMENTS, departement_id="93", zone_departements=["93"]
    )
    target = tmp_path / "93.json"
    call_command("export_data_inclusion", "--departement", "93", "--output", str(target))
    _validate(json.loads(target.read_text()))


GOOD_STRUCTURE = {
    "source": "dora",
    "id": "dora--ml-bobigny",
    "nom": "Mission locale de Bobigny",
    "date_maj": "2025-01-10",
    "commune": "Bobigny",
    "code_insee": "93008",
}


def _service(identifier: str, **fields) -> dict:
    return {
        "source": "dora",
        "structure_id": "dora--ml-bobigny",
        "id": identifier,
        "nom": f"Service {identifier}",
        "description": "Accompagnement vers l'emploi des jeunes de 16 à 25 ans. Sur rendez-vous.",
        "date_maj": "2025-01-10",
        "thematiques": ["choisir-un-metier--confirmer-son-choix-de-metier"],
        "zone_eligibilite": ["93"],
        **fields,
    }


def _file(services_list, structures=(GOOD_STRUCTURE,)) -> str:
    return json.dumps(
        {"structures": list(structures), "services": services_list}, indent=2, ensure_ascii=False
    )


def test_import_creates_drafts_and_is_idempotent():
    departement = Departement.objects.get(code="93")
    text = _file([_service("dora--1"), _service("dora--2", zone_eligibilite=["93008"])])

    first = import_file(text=text, departement=departement)
    assert (first.created, first.updated, first.unchanged, first.errors) == (2, 0, 0, [])
    entries = Entry.objects.filter(source="dora").order_by("source_id")
    assert [entry.status for entry in entries] == ["draft", "draft"]
    assert entries[1].scope == Entry.Scope.COMMUNES
    assert entries[0].summary == "Accompagnement vers l'emploi des jeunes de 16 à 25 ans"
    stamps = list(entries.values_list("updated_at", flat=True))

    second = import_file(text=text, departement=departement)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 2)
    assert list(entries.values_list("updated_at", flat=True)) == stamps
    assert Entry.objects.filter(source="dora").count() == 2
    assert Structure.objects.filter(source="dora").count() == 1

    changed = import_file(
        text=_file([_service("dora--1", nom="Nouveau nom")]), departement=departement
    )
    assert (changed.created, changed.updated) == (0, 1)
    assert Entry.objects.get(source_id="dora--1").title == "Nouveau nom"


def test_bad_records_are_reported_with_their_line_and_the_rest_imports():
    departement = Departement.objects.get(code="93")
    text = _file(
        [
            _service("dora--1"),
            _service("dora--2", thematiques=["pas-une-thematique"]),
            _service("dora--3", structure_id="dora--inconnue"),
            _service("dora--4", horaires_accueil="n'importe quand"),
            _service("dora--5"),
        ],
        structures=[GOOD_STRUCTURE, {"source": "dora", "id": "x", "nom": "AB", "date_maj": "2025"}],
    )
    report = import_file(text=text, departement=departement)
    assert report.created == 2
    lines = [line for line, _reason in report.errors]
    reasons = " | ".join(reason for _line, reason in report.errors)
    assert len(report.errors) == 4
    source_lines = text.splitlines()
    # Each reported line is where the refused record starts.
    assert source_lines[lines[0] - 1].strip() == "{"
    assert '"id": "x"' in "\n".join(source_lines[lines[0] - 1 : lines[0] + 3])
    assert '"id": "dora--2"' in "\n".join(source_lines[lines[1] - 1 : lines[1] + 4])
    assert "thematiques" in reasons
    assert "dora--inconnue" in reasons
    assert "horaires_accueil" in reasons
    assert set(Entry.objects.values_list("source_id", flat=True)) == {"dora--1", "dora--5"}


def test_unreadable_file_is_reported():
    report = import_file(text="{not json", departement=Departement.objects.get(code="93"))
    assert report.created == 0
    assert report.errors and report.errors[0][0] == 1


def test_import_command(tmp_path, capsys):
    path = tmp_path / "offres.json"
    path.write_text(_file([_service("dora--1")]), encoding="utf-8")
    call_command("import_data_inclusion", str(path), "--departement", "93", "--publish")
    call_command("import_data_inclusion", str(path), "--departement", "93", "--publish")
    output = capsys.readouterr().out
    assert "1 created" in output and "1 unchanged" in output
    assert Entry.objects.get(source_id="dora--1").status == Entry.Status.PUBLISHED


def test_admin_import_is_scoped(client, staff_93, tmp_path):
    client.force_login(staff_93)
    url = "/admin/services_catalog/entry/import-data-inclusion/"
    form = client.get(url).context["form"]
    assert {d.code for d in form.fields["departement"].queryset} == {"93"}

    upload = tmp_path / "offres.json"
    upload.write_text(_file([_service("dora--1")]), encoding="utf-8")
    with upload.open("rb") as handle:
        response = client.post(url, {"departement": "75", "file": handle})
    assert response.status_code == 200  # 75 is not a choice for staff of 93
    assert not Entry.objects.exists()
    with upload.open("rb") as handle:
        response = client.post(url, {"departement": "93", "file": handle, "publish": "on"})
    assert response.status_code == 302
    entry = Entry.objects.get(source_id="dora--1")
    assert entry.departement_id == "93"
    assert entry.status == Entry.Status.PUBLISHED


def test_partners_cannot_import(client, partner_93):
    client.force_login(partner_93)
    assert client.get("/admin/services_catalog/entry/import-data-inclusion/").status_code == 403


def test_published_entry_stays_published_after_reimport():
    departement = Departement.objects.get(code="93")
    import_file(text=_file([_service("dora--1")]), departement=departement)
    entry = Entry.objects.get(source_id="dora--1")
    services.entry_publish(entry=entry)
    import_file(text=_file([_service("dora--1", nom="Renommé")]), departement=departement)
    entry.refresh_from_db()
    assert (entry.title, entry.status) == ("Renommé", Entry.Status.PUBLISHED)
