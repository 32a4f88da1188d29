"""Demo catalogue: real national rights for care leavers and local offers in 93 and 75.

The content lives in ``data/catalogue.json`` (plain French, official sources, English
translations). Local details are illustrative; anything uncertain is kept in the entry's
note for curators. Loading is idempotent and updates in place: structures and entries are
found by their source id under the ``jalon-demo`` source, and entries keep the state staff
gave them (published, archived).
"""

import json
from collections import Counter
from pathlib import Path

from django.db import transaction

from accounts.models import User
from services_catalog import services
from services_catalog.models import Entry

DEMO_SOURCE = "jalon-demo"
PARTNER_EMAIL = "partenaire.93@demo.jalon.fr"
DATA_FILE = Path(__file__).resolve().parent / "data" / "catalogue.json"

_STRUCTURE_FIELDS = (
    "nom",
    "commune",
    "code_postal",
    "commune_code",
    "adresse",
    "latitude",
    "longitude",
    "telephone",
    "courriel",
    "site_web",
    "horaires_accueil",
)
_PLACE_FIELDS = ("adresse", "code_postal", "commune", "commune_code", "latitude", "longitude")


def _structure_fields(record: dict) -> dict:
    fields = {name: record.get(name) for name in _STRUCTURE_FIELDS}
    fields["name"] = fields.pop("nom")
    for name in ("commune", "code_postal", "commune_code", "adresse", "telephone", "courriel"):
        fields[name] = fields[name] or ""
    fields["site_web"] = fields["site_web"] or ""
    fields["horaires_accueil"] = fields["horaires_accueil"] or ""
    fields["departement_id"] = record.get("departement")
    return fields


def _entry_fields(record: dict, structures: dict) -> dict:
    deadline = record.get("deadline") or {}
    english = (record.get("translations") or {}).get("en") or {}
    structure = structures.get(record.get("structure"))
    fields = {
        "kind": record["kind"],
        "departement_id": record.get("departement"),
        "structure": structure,
        "title": record["title"],
        "summary": record["summary"],
        "body": record["body"],
        "translations": {
            "en": {key: english[key] for key in ("title", "summary", "body") if english.get(key)}
        }
        if english
        else {},
        "type": record.get("type") or "",
        "frais": record.get("frais") or "",
        "publics": record.get("publics") or [],
        "modes_accueil": record.get("modes_accueil") or [],
        "modes_mobilisation": record.get("modes_mobilisation") or [],
        "mobilisable_par": record.get("mobilisable_par") or [],
        "scope": record["scope"],
        "zone_communes": ",".join(record.get("zone_communes") or []),
        "radius_km": record.get("radius_km"),
        "min_age": record.get("min_age"),
        "max_age": record.get("max_age"),
        "situations": record.get("situations") or [],
        "deadline_kind": deadline.get("kind") or "",
        "deadline_age": deadline.get("age"),
        "deadline_years": deadline.get("years"),
        "documents": record.get("documents") or [],
        "source_url": record.get("source_url") or "",
        "lien_mobilisation": record.get("lien_mobilisation") or "",
        "telephone": record.get("telephone") or "",
        "courriel": record.get("courriel") or "",
        "horaires_accueil": record.get("horaires_accueil") or "",
        "internal_note": record.get("uncertain") or "",
    }
    if structure is not None:
        for name in _PLACE_FIELDS:
            fields[name] = getattr(structure, name)
        fields["horaires_accueil"] = fields["horaires_accueil"] or structure.horaires_accueil
        fields["telephone"] = fields["telephone"] or structure.telephone
    return fields


def _steps(record: dict) -> list[dict]:
    english = ((record.get("translations") or {}).get("en") or {}).get("steps") or []
    steps = []
    for index, text in enumerate(record.get("steps") or []):
        translations = {"en": {"text": english[index]}} if index < len(english) else {}
        steps.append({"text": text, "translations": translations})
    return steps


@transaction.atomic
def load_demo_catalogue(data_file: Path = DATA_FILE) -> Counter:
    """Create or refresh the demo structures and entries; count what happened.

    New entries are published; existing ones keep the state staff gave them.
    """
    data = json.loads(data_file.read_text(encoding="utf-8"))
    outcome: Counter = Counter()
    structures = {}
    for record in data["structures"]:
        structure, what = services.structure_upsert(
            source=DEMO_SOURCE, source_id=record["key"], **_structure_fields(record)
        )
        structures[record["key"]] = structure
        outcome[f"structures {what}"] += 1
    for record in data["entries"]:
        _entry, what = services.entry_upsert(
            source=DEMO_SOURCE,
            source_id=record["key"],
            thematiques=record.get("thematiques") or [],
            zone_departements=record.get("zone_departements") or [],
            steps=_steps(record),
            publish=True,
            **_entry_fields(record, structures),
        )
        outcome[f"entries {what}"] += 1
    _partner_proposal()
    return outcome


PROPOSAL_KEY = "proposition-partenaire-93"


def _partner_proposal() -> None:
    """An offer the demo's partner in 93 proposed and submitted: the curator's work on
    the admin's home ("1 proposition de partenaire à relire"). Left as staff left it on a
    reload."""
    partner = User.objects.filter(email=PARTNER_EMAIL).first()
    if partner is None or Entry.objects.filter(source=DEMO_SOURCE, source_id=PROPOSAL_KEY).exists():
        return
    entry = services.entry_create(
        source=DEMO_SOURCE,
        source_id=PROPOSAL_KEY,
        kind=Entry.Kind.OFFER,
        departement_id="93",
        proposed_by=partner,
        title="Permanence budget du mercredi à la Maison de quartier",
        summary="Un conseiller aide à faire son budget et ses démarches CAF, sans rendez-vous.",
        body=(
            "Chaque mercredi de 14 h à 17 h, un conseiller en économie sociale et familiale "
            "reçoit les jeunes de 16 à 25 ans : budget du mois, dossier CAF, factures en "
            "retard. Gratuit, sans rendez-vous."
        ),
        horaires_accueil="We 14:00-17:00",
        commune="Saint-Denis",
        commune_code="93066",
        code_postal="93200",
        min_age=16,
        max_age=25,
        zone_departements=["93"],
    )
    services.entry_submit(entry=entry, by=partner)
