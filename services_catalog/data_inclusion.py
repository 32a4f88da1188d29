"""Exchange with the national data·inclusion schema (v1): export and import.

Records are validated with the official ``data-inclusion-schema`` package. The import is
idempotent (records are matched by their source and identifier) and forgiving: a bad
record is reported with its line and reason, and the others still import.
"""

import json
from dataclasses import dataclass, field
from typing import Any

import pydantic
from data_inclusion.schema import v1 as di
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Departement

from . import selectors, services
from .models import Entry, Structure
from .vocabulary import JALON_SOURCE, split_communes

SITUATION_LABELS_FR = {
    "in_care": "accompagné·e par l'ASE",
    "care_leaver": "sorti·e de l'ASE",
    "jeune_majeur_contract": "en accompagnement jeune majeur",
    "student": "étudiant·e",
    "apprentice": "apprenti·e",
    "job_seeker": "en recherche d'emploi",
    "employed": "en emploi",
    "parent": "parent",
    "disability_recognition": "handicap reconnu",
    "unaccompanied_minor": "ancien·ne mineur·e non accompagné·e",
}


# --- Export ------------------------------------------------------------------------------


def _none_if_empty(value):
    return value or None


def _name(text: str) -> str:
    """data·inclusion names are 3 to 150 characters and do not end with a period."""
    text = text.strip()[:150].rstrip(".").strip()
    return text if len(text) >= 3 else f"{text} -"[:3].ljust(3, "-")


def _structure_id(structure: Structure) -> str:
    return structure.source_id or f"{JALON_SOURCE}--structure-{structure.pk}"


def _departement_structure(departement: Departement) -> dict:
    """Entries with no structure (rights) belong to the département itself."""
    return {
        "source": JALON_SOURCE,
        "id": f"{JALON_SOURCE}--departement-{departement.code}",
        "nom": _name(f"Département {departement.name}"),
        "date_maj": timezone.localdate().isoformat(),
        "description": None,
    }


def structure_record(structure: Structure) -> dict[str, Any]:
    """A structure as a data·inclusion v1 record."""
    return {
        "source": structure.source,
        "id": _structure_id(structure),
        "nom": _name(structure.name),
        "date_maj": timezone.localtime(structure.updated_at).date().isoformat(),
        "description": _none_if_empty(structure.description),
        "siret": _none_if_empty(structure.siret),
        "adresse": _none_if_empty(structure.adresse),
        "complement_adresse": _none_if_empty(structure.complement_adresse),
        "code_postal": _none_if_empty(structure.code_postal),
        "commune": _none_if_empty(structure.commune),
        "code_insee": _none_if_empty(structure.commune_code),
        "latitude": structure.latitude,
        "longitude": structure.longitude,
        "telephone": _none_if_empty(structure.telephone),
        "courriel": _none_if_empty(structure.courriel),
        "site_web": _none_if_empty(structure.site_web),
        "horaires_accueil": _none_if_empty(structure.horaires_accueil),
    }


def _conditions(entry: Entry) -> str | None:
    parts = []
    if entry.min_age is not None and entry.max_age is not None:
        parts.append(f"De {entry.min_age} à {entry.max_age} ans.")
    elif entry.min_age is not None:
        parts.append(f"À partir de {entry.min_age} ans.")
    elif entry.max_age is not None:
        parts.append(f"Jusqu'à {entry.max_age} ans.")
    if entry.situations:
        labels = ", ".join(SITUATION_LABELS_FR[flag] for flag in entry.situations)
        parts.append(f"Pour les jeunes : {labels}.")
    return " ".join(parts) or None


def _zone(entry: Entry) -> list[str]:
    if entry.scope == Entry.Scope.NATIONAL:
        return ["france"]
    if entry.scope == Entry.Scope.COMMUNES:
        return split_communes(entry.zone_communes)
    if entry.scope == Entry.Scope.DEPARTEMENTS:
        return [departement.code for departement in entry.zone_departements.all()]
    return [entry.commune_code] if entry.commune_code else [entry.departement_id]


def service_record(entry: Entry, structure_id: str) -> dict[str, Any]:
    """An entry as a data·inclusion v1 service."""
    steps = [f"{index}. {step.text}" for index, step in enumerate(entry.steps.all(), start=1)]
    return {
        "source": entry.source,
        "structure_id": structure_id,
        "id": entry.source_id or f"{JALON_SOURCE}--{entry.pk}",
        "nom": _name(entry.title),
        "description": entry.body,
        "lien_source": _none_if_empty(entry.source_url),
        "date_maj": timezone.localtime(entry.updated_at).date().isoformat(),
        "type": _none_if_empty(entry.type),
        "thematiques": [theme.code for theme in entry.thematiques.all()] or None,
        "frais": _none_if_empty(entry.frais),
        "frais_precisions": _none_if_empty(entry.frais_precisions),
        "publics": entry.publics or None,
        "conditions_acces": _conditions(entry),
        "commune": _none_if_empty(entry.commune),
        "code_postal": _none_if_empty(entry.code_postal),
        "code_insee": _none_if_empty(entry.commune_code),
        "adresse": _none_if_empty(entry.adresse),
        "latitude": entry.latitude,
        "longitude": entry.longitude,
        "telephone": _none_if_empty(entry.telephone),
        "courriel": _none_if_empty(entry.courriel),
        "modes_accueil": entry.modes_accueil or None,
        "zone_eligibilite": _zone(entry) or None,
        "lien_mobilisation": _none_if_empty(entry.lien_mobilisation),
        "modes_mobilisation": entry.modes_mobilisation or None,
        "mobilisable_par": entry.mobilisable_par or None,
        "mobilisation_precisions": "\n".join(steps) or None,
        "horaires_accueil": _none_if_empty(entry.horaires_accueil),
    }


def export_departement(*, departement: Departement) -> dict[str, list[dict]]:
    """The published entries curated by ``departement``, with their structures."""
    entries = (
        selectors.entries_visible()
        .filter(departement=departement)
        .select_related("structure")
        .prefetch_related("thematiques", "steps", "zone_departements")
        .order_by("pk")
    )
    structures: dict[str, dict] = {}
    services_out = []
    for entry in entries:
        if entry.structure is not None:
            record = structure_record(entry.structure)
        else:
            record = _departement_structure(departement)
        structures.setdefault(record["id"], record)
        services_out.append(service_record(entry, record["id"]))
    return {"structures": list(structures.values()), "services": services_out}


# --- Import ------------------------------------------------------------------------------


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)

    def count(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)


def _records_with_lines(text: str, array: list, start: int) -> list[tuple[int, Any]]:
    """Pair each element of a JSON array found at ``start`` in ``text`` with its line."""
    decoder = json.JSONDecoder()
    position = text.index("[", start) + 1
    found = []
    for _ in array:
        while text[position] in " \t\r\n,":
            position += 1
        value, end = decoder.raw_decode(text, position)
        found.append((text.count("\n", 0, position) + 1, value))
        position = end
    return found


def parse_file(text: str) -> tuple[list, list]:
    """(structures, services), each as ``[(line, record)]``, from a data·inclusion file.

    Accepts ``{"structures": [...], "services": [...]}`` or a plain list of services.
    """
    data = json.loads(text)
    if isinstance(data, list):
        return [], _records_with_lines(text, data, 0)
    if not isinstance(data, dict):
        raise ValueError("expected a list of services or an object with structures and services")
    parts = {}
    for key in ("structures", "services"):
        items = data.get(key) or []
        if not isinstance(items, list):
            raise ValueError(f"'{key}' must be a list")
        parts[key] = _records_with_lines(text, items, text.index(f'"{key}"')) if items else []
    return parts["structures"], parts["services"]


def _reason(error: Exception) -> str:
    if isinstance(error, pydantic.ValidationError):
        return "; ".join(
            f"{'.'.join(str(part) for part in item['loc']) or 'record'}: {item['msg']}"
            for item in error.errors()
        )
    if isinstance(error, ValidationError):
        return (
            "; ".join(
                f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items()
            )
            if hasattr(error, "error_dict")
            else " ".join(error.messages)
        )
    return str(error)


def _structure_fields(record: di.Structure, departement: Departement) -> dict:
    return {
        "departement": departement,
        "name": record.nom,
        "description": record.description or "",
        "siret": record.siret or "",
        "adresse": record.adresse or "",
        "complement_adresse": record.complement_adresse or "",
        "code_postal": record.code_postal or "",
        "commune": record.commune or "",
        "commune_code": record.code_insee or "",
        "latitude": record.latitude,
        "longitude": record.longitude,
        "telephone": record.telephone or "",
        "courriel": record.courriel or "",
        "site_web": str(record.site_web) if record.site_web else "",
        "horaires_accueil": record.horaires_accueil or "",
    }


def _summary(description: str) -> str:
    first = description.strip().split("\n")[0]
    sentence = first.split(". ")[0].strip()
    return (sentence if len(sentence) <= 300 else sentence[:297].rstrip() + "…") or first[:300]


def _scope(codes: list[str], departement: Departement) -> dict:
    if not codes or "france" in codes or "99100" in codes:
        return {"scope": Entry.Scope.NATIONAL, "zone_communes": "", "zone_departements": []}
    communes = [code for code in codes if len(code) == 5]
    departements = [code for code in codes if len(code) in (2, 3)]
    if communes and not departements:
        return {
            "scope": Entry.Scope.COMMUNES,
            "zone_communes": ",".join(communes),
            "zone_departements": [],
        }
    known = list(Departement.objects.filter(code__in=departements).values_list("code", flat=True))
    return {
        "scope": Entry.Scope.DEPARTEMENTS,
        "zone_communes": "",
        "zone_departements": known or [departement.code],
    }


def _entry_fields(record: di.Service, structure: Structure, departement: Departement) -> dict:
    def values(items) -> list[str]:
        return sorted(item.value for item in items) if items else []

    return {
        "kind": Entry.Kind.OFFER,
        "departement": departement,
        "structure": structure,
        "title": record.nom,
        "summary": _summary(record.description),
        "body": record.description,
        "type": record.type.value if record.type else "",
        "frais": record.frais.value if record.frais else "",
        "frais_precisions": (record.frais_precisions or "")[:300],
        "publics": values(record.publics),
        "modes_accueil": values(record.modes_accueil),
        "modes_mobilisation": values(record.modes_mobilisation),
        "mobilisable_par": values(record.mobilisable_par),
        "lien_mobilisation": str(record.lien_mobilisation) if record.lien_mobilisation else "",
        "source_url": str(record.lien_source) if record.lien_source else "",
        "telephone": record.telephone or "",
        "courriel": record.courriel or "",
        "horaires_accueil": record.horaires_accueil or "",
        "adresse": record.adresse or "",
        "code_postal": record.code_postal or "",
        "commune": record.commune or "",
        "commune_code": record.code_insee or "",
        "latitude": record.latitude,
        "longitude": record.longitude,
        "thematiques": values(record.thematiques),
        **_scope([str(code) for code in record.zone_eligibilite or []], departement),
    }


def _check_first_and_ours(seen: set, kind: str, record, model, departement: Departement) -> None:
    """Refuse a record seen earlier in the file, or one that another département curates."""
    key = (kind, record.source, record.id)
    if key in seen:
        raise ValidationError(f"{kind} {record.id!r} appears twice in the file")
    seen.add(key)
    existing = model.objects.filter(source=record.source, source_id=record.id).first()
    if existing is not None and existing.departement_id != departement.code:
        raise ValidationError(f"{kind} {record.id!r} belongs to another département")


def import_file(*, text: str, departement: Departement, publish: bool = False) -> ImportReport:
    """Import a data·inclusion file into ``departement``'s catalogue.

    New entries are drafts for staff to review, unless ``publish``. Existing ones are
    updated in place and keep their publication state.
    """
    report = ImportReport()
    try:
        structures, service_records = parse_file(text)
    except (ValueError, json.JSONDecodeError) as error:
        report.errors.append((getattr(error, "lineno", 1), f"unreadable file: {error}"))
        return report

    known: dict[tuple[str, str], Structure] = {}
    seen: set[tuple[str, str, str]] = set()
    for line, raw in structures:
        try:
            record = di.Structure.model_validate(raw)
            _check_first_and_ours(seen, "structure", record, Structure, departement)
            with transaction.atomic():
                structure, _outcome = services.structure_upsert(
                    source=record.source,
                    source_id=record.id,
                    **_structure_fields(record, departement),
                )
            known[(record.source, record.id)] = structure
        except (pydantic.ValidationError, ValidationError) as error:
            report.errors.append((line, f"structure: {_reason(error)}"))

    for line, raw in service_records:
        try:
            record = di.Service.model_validate(raw)
            _check_first_and_ours(seen, "service", record, Entry, departement)
            structure = known.get((record.source, record.structure_id)) or (
                Structure.objects.filter(source=record.source, source_id=record.structure_id)
                .filter(departement=departement)
                .first()
            )
            if structure is None:
                raise ValidationError(f"unknown structure {record.structure_id!r}")
            with transaction.atomic():
                _entry, outcome = services.entry_upsert(
                    source=record.source,
                    source_id=record.id,
                    publish=publish,
                    **_entry_fields(record, structure, departement),
                )
            report.count(outcome)
        except (pydantic.ValidationError, ValidationError) as error:
            report.errors.append((line, _reason(error)))
    return report
