"""The national data·inclusion import: batched, idempotent, one service once, a quality bar."""

import io
import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from accounts.models import Departement
from services_catalog import services
from services_catalog.data_inclusion import import_file
from services_catalog.models import Entry, EntryAlias, EntryRemoval, Structure

pytestmark = pytest.mark.django_db

LIST = "/api/v1/catalogue/entries/"
ADMIN_LIST = "/admin/services_catalog/entry/"
THEME = "choisir-un-metier--confirmer-son-choix-de-metier"
GOOD_DESCRIPTION = (
    "Un conseiller t'accompagne dans ta recherche d'emploi : CV, lettre de motivation, "
    "préparation aux entretiens et mise en relation avec des employeurs du territoire. "
    "Sur rendez-vous, sans condition de diplôme, pour les jeunes de 16 à 25 ans."
)


def _structure(source="dora", identifier="dora--ml", **fields) -> dict:
    return {
        "source": source,
        "id": identifier,
        "nom": "Mission locale de Bobigny",
        "date_maj": "2025-01-10",
        "code_insee": "93008",
        **fields,
    }


def _service(identifier: str, source="dora", structure_id="dora--ml", **fields) -> dict:
    """A complete service (quality 100) of Bobigny, unless ``fields`` say otherwise."""
    return {
        "source": source,
        "structure_id": structure_id,
        "id": identifier,
        "nom": f"Service {identifier}",
        "description": GOOD_DESCRIPTION,
        "date_maj": "2025-01-10",
        "thematiques": [THEME],
        "telephone": "0148000000",
        "horaires_accueil": "Mo-Fr 09:00-17:00",
        "adresse": "12 rue de la République",
        "code_postal": "93000",
        "commune": "Bobigny",
        "code_insee": "93008",
        "latitude": 48.9086,
        "longitude": 2.4397,
        "zone_eligibilite": ["93"],
        **fields,
    }


def _file(services_list, structures=None) -> str:
    structures = [_structure()] if structures is None else structures
    return json.dumps(
        {"structures": structures, "services": services_list}, indent=2, ensure_ascii=False
    )


def _run_command(tmp_path, text: str, *options) -> tuple[str, str]:
    path = tmp_path / "national.json"
    path.write_text(text, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    call_command("import_data_inclusion", str(path), *options, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('{"structures": [', "unreadable file"),
        ("42", "expected a list of services or an object"),
        ('"services"', "expected a list of services or an object"),
        ('{"entries": []}', "expected a list of services or an object"),
        ('{"services": {"id": "x"}}', "'services' must be a list"),
    ],
)
def test_a_bad_file_is_refused_whole(tmp_path, text, reason):
    out, err = _run_command(tmp_path, text)
    assert reason in err
    assert "0 created" in out
    assert not Entry.objects.exists() and not Structure.objects.exists()


def test_bad_records_are_reported_with_line_and_reason_and_the_rest_imports(tmp_path):
    text = _file(
        [
            _service("dora--1"),
            _service("dora--2", thematiques=["pas-une-thematique"]),
            _service("dora--3", structure_id="dora--inconnue"),
            _service("dora--4", horaires_accueil="n'importe quand"),
            _service("dora--5", source="jalon", id="jalon--5"),
            _service("dora--6"),
        ],
        structures=[_structure(), {"source": "dora", "id": "x", "nom": "AB", "date_maj": "2025"}],
    )
    out, err = _run_command(tmp_path, text, "--chunk-size", "2")
    lines = text.splitlines()
    reported = {
        int(line.split(":")[1]): line for line in err.splitlines() if "national.json:" in line
    }
    assert len(reported) == 5
    for number, message in reported.items():
        # The reported line is where the refused record starts.
        assert lines[number - 1].strip() == "{", message
    messages = " | ".join(reported.values())
    assert "structure: nom" in messages
    assert "thematiques" in messages and "dora--inconnue" in messages
    assert "horaires_accueil" in messages and "Jalon's own" in messages
    assert "2 created" in out and "5 refused" in out
    assert set(Entry.objects.values_list("source_id", flat=True)) == {"dora--1", "dora--6"}


def test_json_lines_report_the_line_of_each_bad_record():
    records = [
        _structure(),
        _service("dora--1"),
        "{not json",
        _service("dora--2", nom="AB"),
        _service("dora--3"),
    ]
    text = "\n".join(r if isinstance(r, str) else json.dumps(r) for r in records) + "\n"
    report = import_file(text=text)
    assert [line for line, _reason in report.errors] == [3, 4]
    assert "not JSON" in report.errors[0][1] and "nom" in report.errors[1][1]
    assert report.created == 2


def test_a_second_run_changes_nothing_and_says_so(tmp_path):
    text = _file([_service(f"dora--{n}") for n in range(5)])
    first, _err = _run_command(tmp_path, text, "--chunk-size", "2")
    assert "5 created" in first and "Nothing changed" not in first
    entries = Entry.objects.order_by("pk")
    before = list(entries.values_list("pk", "updated_at", "search_text", "quality_score"))
    history = Entry.history.count()

    second, _err = _run_command(tmp_path, text, "--chunk-size", "2")
    assert "0 created, 0 updated, 5 unchanged" in second
    assert "Nothing changed." in second
    assert list(entries.values_list("pk", "updated_at", "search_text", "quality_score")) == before
    assert Entry.history.count() == history


def test_changes_are_written_and_a_renamed_structure_reaches_its_entries():
    import_file(text=_file([_service("dora--1"), _service("dora--2")]), chunk_size=1)
    entry = Entry.objects.get(source_id="dora--2")
    stamp = entry.updated_at
    report = import_file(
        text=_file(
            [_service("dora--1", nom="Nouveau nom"), _service("dora--2")],
            structures=[_structure(nom="Maison de l'emploi")],
        )
    )
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    assert report.structures["updated"] == 1
    assert Entry.objects.get(source_id="dora--1").title == "Nouveau nom"
    entry.refresh_from_db()
    assert entry.updated_at > stamp  # offline copies learn the structure changed
    assert "maison de l emploi" in entry.search_text


def test_imported_entries_are_indexed_as_one_by_one():
    text = _file(
        [
            _service("dora--1"),
            _service("dora--2", description="Court.", thematiques=None, telephone=None),
        ]
    )
    import_file(text=text, publish=True)
    entry = Entry.objects.get(source_id="dora--1")
    entry.steps.create(position=1, text="Prendre rendez-vous au guichet")
    import_file(text=_file([_service("dora--1", nom="Atelier emploi"), _service("dora--2")]))

    def indexed():
        columns = ["pk", "search_text", "theme_codes", "quality_score"]
        if connection.vendor == "postgresql":
            columns.append("search_vector")
        return list(Entry.objects.order_by("pk").values_list(*columns))

    imported = indexed()
    for entry in Entry.objects.all():
        services.entry_reindex(entry=entry)
    assert indexed() == imported
    assert "prendre rendez vous" in Entry.objects.get(source_id="dora--1").search_text


def test_the_national_import_finds_each_records_departement(api_client):
    text = _file(
        [
            _service("dora--1"),
            _service(
                "dora--2",
                structure_id="dora--marseille",
                code_insee="13201",
                code_postal="13001",
                latitude=43.2965,
                longitude=5.3698,
                zone_eligibilite=["13"],
            ),
            _service(
                "dora--3",
                structure_id="dora--national",
                code_insee=None,
                code_postal=None,
                latitude=None,
                longitude=None,
                adresse=None,
                zone_eligibilite=["france"],
                modes_accueil=["a-distance"],
            ),
        ],
        structures=[
            _structure(),
            _structure(identifier="dora--marseille", code_insee="13201"),
            _structure(identifier="dora--national", code_insee=None),
        ],
    )
    report = import_file(text=text, publish=True)
    assert report.created == 3 and not report.errors
    departements = dict(Entry.objects.values_list("source_id", "departement_id"))
    assert departements == {"dora--1": "93", "dora--2": "13", "dora--3": None}
    assert Structure.objects.get(source_id="dora--national").departement_id is None
    found = api_client.get(LIST, {"departement": "13", "q": "service"}).json()["results"]
    assert {row["title"] for row in found} == {"Service dora--2", "Service dora--3"}


def _two_sources() -> str:
    """The same two services at dora and at soliguide, and one that only looks alike."""
    return _file(
        [
            _service("dora--1", nom="Atelier CV"),
            _service("dora--2", nom="Épicerie solidaire", telephone=None),
            _service("dora--3", nom="Accueil de jour"),
            # Same structure SIRET, same name (other case), no position.
            _service(
                "soliguide--1",
                source="soliguide",
                structure_id="soliguide--ml",
                nom="ATELIER cv",
                latitude=None,
                longitude=None,
                horaires_accueil=None,
            ),
            # No SIRET: same name and a position 11 m away, the address written otherwise.
            _service(
                "soliguide--2",
                source="soliguide",
                structure_id="soliguide--autre",
                nom="Epicerie Solidaire",
                adresse="12, r. de la Republique",
                latitude=48.9087,
            ),
            # Same name, 2 km away: another service.
            _service(
                "soliguide--3",
                source="soliguide",
                structure_id="soliguide--autre",
                nom="Accueil de jour",
                latitude=48.9266,
            ),
        ],
        structures=[
            _structure(siret="13000548100010"),
            _structure("soliguide", "soliguide--ml", siret="13000548100010"),
            _structure("soliguide", "soliguide--autre"),
        ],
    )


def test_the_same_service_from_two_sources_is_kept_once():
    report = import_file(text=_two_sources())
    assert (report.created, report.duplicates) == (4, 2)
    # The richer record is kept: dora's Atelier CV has hours and a place, soliguide's
    # Épicerie a phone; the Accueil de jour 2 km away is another service.
    assert sorted(Entry.objects.values_list("source_id", flat=True)) == [
        "dora--1",
        "dora--3",
        "soliguide--2",
        "soliguide--3",
    ]
    aliases = dict(EntryAlias.objects.values_list("source_id", "entry__source_id"))
    assert aliases == {"soliguide--1": "dora--1", "dora--2": "soliguide--2"}

    again = import_file(text=_two_sources())
    assert (again.created, again.updated, again.duplicates) == (0, 0, 2)
    assert not again.changed
    assert Entry.objects.count() == 4


def test_a_duplicate_of_an_entry_imported_earlier_is_skipped():
    import_file(text=_file([_service("dora--1", nom="Atelier CV")]))
    later = _file(
        [
            _service(
                "soliguide--1", source="soliguide", structure_id="soliguide--ml", nom="Atelier CV"
            )
        ],
        structures=[_structure("soliguide", "soliguide--ml")],
    )
    report = import_file(text=later)
    assert (report.created, report.duplicates) == (0, 1)
    assert EntryAlias.objects.get().entry.source_id == "dora--1"
    assert import_file(text=later).duplicates == 1
    assert Entry.objects.count() == 1


def test_a_poor_record_stays_out_of_the_app_but_in_the_admin(api_client, client, staff_93):
    poor = _service(
        "dora--2",
        nom="Aide mystère",
        description="Une aide.",
        telephone=None,
        horaires_accueil=None,
        adresse=None,
        latitude=None,
        longitude=None,
    )
    report = import_file(text=_file([_service("dora--1"), poor]), publish=True)
    assert (report.created, report.below_quality) == (2, 1)
    assert Entry.objects.get(source_id="dora--2").quality_score < 50
    assert [row["title"] for row in api_client.get(LIST).json()["results"]] == ["Service dora--1"]
    poor_entry = Entry.objects.get(source_id="dora--2")
    assert api_client.get(f"{LIST}{poor_entry.pk}/").status_code == 404

    client.force_login(staff_93)
    page = client.get(ADMIN_LIST).content.decode()
    assert "Aide mystère" in page and "Service dora--1" in page

    with override_settings(CATALOGUE_MIN_QUALITY=0):
        assert len(api_client.get(LIST).json()["results"]) == 2


def test_jalons_own_entries_always_pass(api_client, make_entry):
    make_entry("Pécule", body="Court.")
    with override_settings(CATALOGUE_MIN_QUALITY=100):
        assert [row["title"] for row in api_client.get(LIST).json()["results"]] == ["Pécule"]


def test_a_published_entry_that_becomes_poor_leaves_the_offline_copies():
    import_file(text=_file([_service("dora--1")]), publish=True)
    entry = Entry.objects.get()
    poorer = _service("dora--1", description="Une aide.", thematiques=None, telephone=None)
    import_file(text=_file([poorer]))
    entry.refresh_from_db()
    assert entry.quality_score < 50 and entry.status == Entry.Status.PUBLISHED
    assert list(EntryRemoval.objects.values_list("entry_id", flat=True)) == [entry.pk]


def test_progress_goes_to_stderr_unless_quiet(tmp_path):
    text = _file([_service(f"dora--{n}") for n in range(4)])
    _out, err = _run_command(tmp_path, text, "--progress-every", "1", "--chunk-size", "2")
    assert "5/5 records (100%" in err and "/s" in err
    _out, err = _run_command(tmp_path, text, "--quiet")
    assert err == ""


def test_a_departements_import_keeps_its_rules():
    departement = Departement.objects.get(code="75")
    import_file(text=_file([_service("dora--1")]), departement=Departement.objects.get(code="93"))
    report = import_file(text=_file([_service("dora--1", nom="Repris")]), departement=departement)
    assert report.created == report.updated == 0
    assert all("another département" in reason for _line, reason in report.errors)
    assert Entry.objects.get().title == "Service dora--1"


def test_an_entry_that_becomes_poor_when_reindexed_leaves_the_offline_copies(api_client):
    from django.core.management import call_command

    import_file(text=_file([_service("dora--1")]), publish=True)
    entry = Entry.objects.get()
    since = (entry.updated_at - timedelta(minutes=1)).isoformat()
    # Edited past the import (a curator shortening it), then scored again by reindexing.
    Entry.objects.filter(pk=entry.pk).update(body="Une aide.", telephone="", adresse="")
    call_command("reindex_catalogue")
    body = api_client.get(LIST, {"updated_since": since}).json()
    assert body["results"] == [] and body["removed"] == [entry.pk]
    # Richer again: back in the offline copies, changed now.
    Entry.objects.filter(pk=entry.pk).update(
        body="Un conseiller t'aide. " * 20, telephone="0102030405"
    )
    call_command("reindex_catalogue")
    body = api_client.get(LIST, {"updated_since": since}).json()
    assert [row["id"] for row in body["results"]] == [entry.pk]
