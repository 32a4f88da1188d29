"""A national data·inclusion import: 100,000 records, on the configured database.

Generates (fixed seed) a data·inclusion v1 file shaped like the national one: 16,000
structures and 84,000 services from two sources, ``dora`` and ``soliguide``, spread over
the 101 départements. 4,000 soliguide services are the same as dora ones (half with
their structure's SIRET, half only by name and position a few metres apart, address
written differently), 0.4 % of the records are bad (unknown theme, unreadable hours,
a name too short, an unknown structure), descriptions, contacts, hours and positions
are present or not as in real data. Then runs ``manage.py import_data_inclusion`` on
it twice (the second run must change nothing) and prints each run's time and rate.

Without ``DATABASE_URL`` it works on a throw-away SQLite database (a temporary
``VAR_DIR``); with one, on that database, which it migrates and which must hold no
catalogue entry yet (``--force`` to import anyway)::

    .venv/bin/python bench/import_national.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jalon_import \\
        .venv/bin/python bench/import_national.py

``--records N`` changes the size, ``--file PATH`` keeps the generated file. The baseline,
in the same run: 2,000 of the services imported one by one as before (``--baseline N``).
"""

import argparse
import io
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="jalon-bench-"))
# As in production: Django would otherwise keep every SQL statement in memory.
os.environ.setdefault("DEBUG", "false")

import django

django.setup()

import pydantic  # noqa: E402
from data_inclusion.schema import v1 as di  # noqa: E402
from django.core.exceptions import ValidationError  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from accounts.models import Departement  # noqa: E402
from services_catalog import services  # noqa: E402
from services_catalog.data_inclusion import COMMUNE_CODE_FIELD, _Import  # noqa: E402
from services_catalog.models import Entry, Structure  # noqa: E402

SEED = 16
SERVICE_NAMES = [
    "Accompagnement vers l'emploi",
    "Aide au logement des jeunes",
    "Permanence d'accès aux droits",
    "Atelier CV et lettre de motivation",
    "Épicerie solidaire",
    "Accueil de jour",
    "Aide alimentaire",
    "Point d'accès numérique",
    "Consultation jeunes consommateurs",
    "Domiciliation administrative",
    "Garantie jeunes",
    "Cours de français langue étrangère",
    "Aide à la mobilité",
    "Permis de conduire solidaire",
    "Écoute et soutien psychologique",
]
STREETS = [
    "rue de la République",
    "avenue Jean Jaurès",
    "boulevard Victor Hugo",
    "place de la Mairie",
]
HOURS = ["Mo-Fr 09:00-12:00,14:00-17:00", "Mo-Th 09:00-17:30; Fr 09:00-12:00", "Tu,Th 14:00-18:00"]
WORDS = [
    *[
        "accompagnement",
        "jeunes",
        "emploi",
        "logement",
        "droits",
        "démarches",
        "rendez-vous",
        "accueil",
    ],
    *[
        "gratuit",
        "conseiller",
        "orientation",
        "formation",
        "santé",
        "budget",
        "mobilité",
        "numérique",
    ],
]


def _text(rng: random.Random, length: int) -> str:
    words, size = [], 0
    while size < length:
        words.append(rng.choice(WORDS))
        size += len(words[-1]) + 1
    return (" ".join(words)[: max(length, 5)].strip() + " fin").capitalize()


def generate(records: int, departements: list[str]) -> dict:
    """The file, as a dict: 16 % structures, 84 % services, of which 4,000 in 100,000 are
    the same service from the second source."""
    rng = random.Random(SEED)  # noqa: S311 - reproducible test data, not secrets
    themes = [theme.value for theme in di.Thematique]
    publics = [public.value for public in di.Public if public.value != "tous-publics"]
    structure_count = records * 16 // 100
    duplicate_count = records * 4 // 100
    service_count = records - structure_count
    dora_structures = structure_count - duplicate_count
    structures, services = [], []
    places = []
    for index in range(dora_structures):
        departement = rng.choice(departements)
        commune = f"{departement}{rng.randint(1, 400):03d}"[:5]
        postcode = (f"{departement}000" if len(departement) == 2 else f"{departement}00")[:5]
        if not postcode.isdigit():  # Corsica
            postcode = "20000"
        latitude = round(rng.uniform(43.0, 50.5), 6)
        longitude = round(rng.uniform(-1.5, 7.5), 6)
        located = rng.random() < 0.75
        address = f"{rng.randint(1, 120)} {rng.choice(STREETS)}"
        siret = f"{rng.randint(10**13, 10**14 - 1)}"
        structures.append(
            {
                "source": "dora",
                "id": f"dora--s{index}",
                "nom": f"Structure {index} {rng.choice(['Mission locale', 'CCAS', 'Association'])}",
                "date_maj": "2025-06-01",
                "siret": siret,
                "adresse": address,
                "code_postal": postcode,
                "commune": f"Commune {commune}",
                COMMUNE_CODE_FIELD: commune,
                "latitude": latitude if located else None,
                "longitude": longitude if located else None,
            }
        )
        places.append((commune, postcode, address, latitude if located else None, longitude))
    for index in range(service_count - duplicate_count):
        number = index % dora_structures
        commune, postcode, address, latitude, longitude = places[number]
        length = rng.choice([30, 120, 120, 350, 350, 350, 800])
        service = {
            "source": "dora",
            "structure_id": f"dora--s{number}",
            "id": f"dora--{index}",
            "nom": f"{rng.choice(SERVICE_NAMES)} {index}",
            "description": _text(rng, length),
            "date_maj": "2025-06-01",
            "thematiques": rng.sample(themes, rng.choice([0, 1, 2, 2, 3])) or None,
            "publics": rng.sample(publics, 2),
            "frais": rng.choice(["gratuit", "payant", None]),
            "type": rng.choice(["accompagnement", "atelier", "aide-financiere", None]),
            "modes_accueil": rng.choice([["en-presentiel"], ["a-distance"], None]),
            "telephone": "0123456789" if rng.random() < 0.6 else None,
            "courriel": f"contact{index}@example.org" if rng.random() < 0.5 else None,
            "horaires_accueil": rng.choice(HOURS) if rng.random() < 0.4 else None,
            "adresse": address,
            "code_postal": postcode,
            "commune": f"Commune {commune}",
            COMMUNE_CODE_FIELD: commune,
            "latitude": latitude,
            "longitude": longitude if latitude is not None else None,
            "zone_eligibilite": rng.choice([[commune], [commune[:2]], ["france"]]),
        }
        services.append(service)
    # Soliguide publishes some of the same services again, in its own words.
    dora_services = len(services)
    for index in range(duplicate_count):
        original = services[rng.randrange(dora_services)]
        structure = structures[int(original["structure_id"].removeprefix("dora--s"))]
        by_siret = index % 2 == 0  # the others: by name and position (or address)
        structures.append(
            {
                "source": "soliguide",
                "id": f"soliguide--s{index}",
                "nom": structure["nom"].upper(),
                "date_maj": "2025-05-01",
                "siret": structure["siret"] if by_siret else None,
                COMMUNE_CODE_FIELD: structure[COMMUNE_CODE_FIELD],
            }
        )
        copy = dict(original)
        copy.update(
            source="soliguide",
            structure_id=f"soliguide--s{index}",
            id=f"soliguide--{index}",
            nom=original["nom"].upper(),
            adresse=original["adresse"].replace("boulevard", "bd").replace(" ", ", ", 1),
            date_maj="2025-05-01",
            telephone=None,
        )
        if original["latitude"] is not None:
            copy["latitude"] = round(original["latitude"] + 0.0001, 6)  # about 11 m north
        services.append(copy)
    # Bad records, spread through the file.
    for index in range(0, len(services), 250):
        bad = services[index]
        match (index // 250) % 4:
            case 0:
                bad["thematiques"] = ["pas-une-thematique"]
            case 1:
                bad["horaires_accueil"] = "n'importe quand"
            case 2:
                bad["nom"] = "AB"
            case 3:
                bad["structure_id"] = "dora--inconnue"
    return {"structures": structures, "services": services}


def baseline(path: Path, count: int) -> tuple[int, float]:
    """The one-by-one way, as the import was before (``services.entry_upsert`` for each
    service: its own queries, checks and two UPDATEs of indexing), over ``count``
    services of the file under another source, removed afterwards: (services, seconds)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    run = _Import(None, False, None, 1000, 0)
    structures = {(s.source, s.source_id): s for s in Structure.objects.all()}
    done, started = 0, time.perf_counter()
    for raw in data["services"][:count]:
        try:
            record = di.Service.model_validate(raw)
            structure = structures[(record.source, record.structure_id)]
            fields, zone = run.entry_fields(record, structure)
            services.entry_upsert(
                source="bench-baseline",
                source_id=record.id,
                thematiques=sorted(theme.value for theme in record.thematiques or []),
                zone_departements=zone,
                **fields,
            )
            done += 1
        except (pydantic.ValidationError, ValidationError, KeyError):
            continue
    seconds = time.perf_counter() - started
    Entry.objects.filter(source="bench-baseline").delete()
    return done, seconds


def run(path: Path) -> tuple[float, str]:
    out = io.StringIO()
    started = time.perf_counter()
    call_command("import_data_inclusion", str(path), "--quiet", stdout=out, stderr=io.StringIO())
    return time.perf_counter() - started, out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--file", type=Path)
    parser.add_argument("--force", action="store_true")
    parser.add_argument(
        "--baseline", type=int, default=2000, help="services imported one by one (0: none)"
    )
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    if Entry.objects.exists() and not args.force:
        sys.exit("The catalogue already has entries: use a throw-away database, or --force.")
    departements = list(Departement.objects.values_list("code", flat=True))
    started = time.perf_counter()
    data = generate(args.records, departements)
    path = args.file or Path(os.environ["VAR_DIR"]) / "national.json"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    structures, services = len(data["structures"]), len(data["services"])
    records = structures + services
    del data  # the import reads the file, as the command does
    print(
        f"{connection.vendor}: {records:,} records ({structures:,} structures, "
        f"{services:,} services), {path.stat().st_size / 2**20:.0f} MB, "
        f"generated in {time.perf_counter() - started:.1f} s"
    )
    rates = []
    for label in ("first import", "second import (same file)"):
        seconds, summary = run(path)
        rates.append(records / seconds)
        print(f"{label}: {seconds:.1f} s, {records / seconds:,.0f} records/s")
        print("  " + summary.strip().replace("\n", "\n  "))
    if args.baseline:
        done, seconds = baseline(path, args.baseline)
        print(
            f"baseline, one by one (entry_upsert, {done:,} services into the same catalogue): "
            f"{seconds:.1f} s, {done / seconds:,.0f} services/s; the batched first import "
            f"runs {rates[0] / (done / seconds):.1f}x faster"
        )


if __name__ == "__main__":
    main()
