"""Exchange with the national data·inclusion schema (v1): export and import.

Records are validated with the official ``data-inclusion-schema`` package. The import is
idempotent (records are matched by their source and identifier) and forgiving: a bad
record is reported with its line and reason, and the others still import.
"""

import copy
import json
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pydantic
from data_inclusion.schema import v1 as di
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Departement

from . import bulk, selectors
from .duplicates import Place, groups
from .models import Entry, EntryAlias, EntryRemoval, EntryStep, Structure
from .quality import entry_quality_score, is_curated_source
from .vocabulary import (
    JALON_SOURCE,
    departement_of_commune,
    departement_of_postcode,
    split_communes,
)

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

# data·inclusion's name for the INSEE commune code (Jalon's is ``commune_code``): files
# written for data·inclusion (the national import's benchmark) name it through this.
COMMUNE_CODE_FIELD = "code_insee"


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
#
# A whole national file (100,000 records) imports in minutes: records are validated one by
# one, but read and written a chunk at a time (one query loads a chunk's existing rows,
# bulk statements write it, in one transaction per chunk), and the search text, theme
# codes and quality score are computed in memory (``bulk``) instead of by two UPDATEs per
# entry. The rules of the one-by-one import stay: a département's records are its own,
# the same file twice changes nothing (not even ``updated_at``), existing entries keep
# their publication state and the steps staff added, structure changes reach the entries.

DEFAULT_CHUNK_SIZE = 1000

Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass
class ImportReport:
    """What an import did. ``errors``: (line, reason) of each refused record."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0  # skipped: the same service as another source's, kept once
    below_quality: int = 0  # imported, but the app does not show them (CATALOGUE_MIN_QUALITY)
    aliases_created: int = 0
    structures: dict[str, int] = field(
        default_factory=lambda: {"created": 0, "updated": 0, "unchanged": 0}
    )
    errors: list[tuple[int, str]] = field(default_factory=list)

    def count(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)

    @property
    def refused(self) -> int:
        return len(self.errors)

    @property
    def changed(self) -> bool:
        """Whether the import wrote anything."""
        return bool(
            self.created
            or self.updated
            or self.aliases_created
            or self.structures["created"]
            or self.structures["updated"]
        )


@dataclass
class ParsedFile:
    """A file's records, each as ``(line, record)``, and its unreadable lines."""

    structures: list[tuple[int, Any]]
    services: list[tuple[int, Any]]
    errors: list[tuple[int, str]] = field(default_factory=list)


_WHITESPACE = re.compile(r"[ \t\n\r]*")


def _skip(text: str, position: int) -> int:
    return _WHITESPACE.match(text, position).end()


class _Lines:
    """Line numbers of increasing positions in a text, counted in one pass."""

    def __init__(self, text: str):
        self.text, self.position, self.line = text, 0, 1

    def at(self, position: int) -> int:
        self.line += self.text.count("\n", self.position, position)
        self.position = position
        return self.line


def _array_items(text: str, position: int, lines: _Lines, decoder) -> tuple[list, int]:
    """The elements of the (valid) JSON array at ``position``, with their lines."""
    found = []
    position = _skip(text, position + 1)
    if text[position] == "]":
        return found, position + 1
    while True:
        value, end = decoder.raw_decode(text, position)
        found.append((lines.at(position), value))
        position = _skip(text, end)
        if text[position] != ",":
            return found, position + 1
        position = _skip(text, position + 1)


def _object_parts(text: str) -> ParsedFile:
    """The structures and services of a (valid) JSON object, with their lines."""
    decoder, lines = json.JSONDecoder(), _Lines(text)
    parts: dict[str, list] = {"structures": [], "services": []}
    position = _skip(text, 0) + 1
    while (position := _skip(text, position)) < len(text) and text[position] != "}":
        key, position = decoder.raw_decode(text, position)
        position = _skip(text, _skip(text, position) + 1)  # past the colon
        if key in parts and text[position] == "[":
            parts[key], position = _array_items(text, position, lines, decoder)
        else:
            _value, position = decoder.raw_decode(text, position)
        position = _skip(text, position)
        if text[position] == ",":
            position += 1
    return ParsedFile(parts["structures"], parts["services"])


def _json_lines(text: str) -> ParsedFile:
    """One record a line: a service has a ``structure_id``, a structure has none."""
    parsed = ParsedFile([], [])
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            parsed.errors.append((number, f"not JSON: {error.msg}"))
            continue
        if not isinstance(record, dict):
            parsed.errors.append((number, "a record must be a JSON object"))
            continue
        (parsed.services if "structure_id" in record else parsed.structures).append(
            (number, record)
        )
    return parsed


def parse_file(text: str) -> ParsedFile:
    """The records of a data·inclusion file, with the line where each starts.

    Accepts ``{"structures": [...], "services": [...]}``, a plain list of services, or
    JSON lines (one record a line). Raises ``ValueError`` (``json.JSONDecodeError``
    with its line) when the file as a whole cannot be read.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        if error.msg == "Extra data" and text.lstrip().startswith("{"):
            return _json_lines(text)
        raise
    if isinstance(data, list):
        items, _end = _array_items(text, _skip(text, 0), _Lines(text), json.JSONDecoder())
        return ParsedFile([], items)
    parts = isinstance(data, dict) and {"structures", "services"} & data.keys()
    if isinstance(data, dict) and not parts and "source" in data and "id" in data:
        return _json_lines(text)  # JSON lines of a single record
    if not parts:
        raise ValueError("expected a list of services or an object with structures and services")
    for key in ("structures", "services"):
        if data.get(key) is not None and not isinstance(data[key], list):
            raise ValueError(f"'{key}' must be a list")
    del data  # read again with the lines: not twice in memory
    return _object_parts(text)


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


def _summary(description: str) -> str:
    first = description.strip().split("\n")[0]
    sentence = first.split(". ")[0].strip()
    return (sentence if len(sentence) <= 300 else sentence[:297].rstrip() + "…") or first[:300]


def _values(items) -> list[str]:
    return sorted(item.value for item in items) if items else []


def _chunks(items: list, size: int, *, consume: bool = False):
    """``items`` ``size`` at a time; with ``consume``, each chunk leaves the list as it is
    given (a national file's raw records need not stay in memory once read)."""
    for start in range(0, len(items), size):
        chunk = items[start : start + size]
        if consume:
            items[start : start + size] = [None] * len(chunk)
        yield chunk


# Derived or not imported: left out of the per-record checks (the foreign keys are set
# from rows already loaded; uniqueness is the import's own matching).
_NOT_CHECKED = [
    "departement",
    "structure",
    "proposed_by",
    "search_text",
    "search_vector",
    "theme_codes",
    "quality_score",
]


def _check_entry(entry: Entry, zone_departements: list[str]) -> None:
    """What ``services._full_clean`` checks, without its queries."""
    errors: dict = {}
    for check in (
        lambda: entry.clean_fields(exclude=_NOT_CHECKED),
        entry.clean,
        lambda: Entry.check_zone_departements(entry.scope, zone_departements),
    ):
        try:
            check()
        except ValidationError as error:
            errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


@dataclass
class _Candidate:
    """A valid service of the file, ready to be written."""

    line: int
    source: str
    source_id: str
    fields: dict
    thematiques: list[str]
    zone: list[str]
    entry: Entry  # unsaved, from ``fields``: what a new entry will be
    structure_name: str
    siret: str
    existing_pk: int | None
    duplicate_of: tuple | None = None
    pk: int | None = None


class _Import:
    """One import run: what it has loaded and what it reports."""

    def __init__(self, departement, publish, progress, chunk_size, total):
        self.departement_code = departement.code if departement is not None else None
        self.publish = publish
        self.progress = progress or (lambda stage, done, total: None)
        self.chunk_size = chunk_size
        self.total = total
        self.done = 0
        self.report = ImportReport()
        self.codes = set(Departement.objects.values_list("code", flat=True))
        self.themes = bulk.thematiques_by_code()
        self.min_quality = settings.CATALOGUE_MIN_QUALITY
        self.now = timezone.now()
        self.structures: dict[tuple[str, str], Structure] = {}
        self.seen: set[tuple[str, str, str]] = set()
        self.renamed_structures: list[int] = []

    def refuse(self, line: int, reason: str) -> None:
        self.report.errors.append((line, reason))

    def advance(self, stage: str, count: int) -> None:
        self.done += count
        self.progress(stage, self.done, self.total)

    # --- Checks shared by structures and services

    def check_first_and_importable(self, kind: str, record) -> None:
        """Refuse a record seen earlier in the file, or one of Jalon's own sources."""
        key = (kind, record.source, record.id)
        if key in self.seen:
            raise ValidationError(f"{kind} {record.id!r} appears twice in the file")
        self.seen.add(key)
        if is_curated_source(record.source):
            raise ValidationError(
                f"source {record.source!r} is Jalon's own: edited in the admin, not imported"
            )

    def check_ours(self, kind: str, record, departement_id: str | None) -> None:
        if self.departement_code and departement_id != self.departement_code:
            raise ValidationError(f"{kind} {record.id!r} belongs to another département")

    def departement_of(self, code_insee, code_postal) -> str | None:
        """The département of a place, when the national import has to choose one."""
        if code_insee:
            code = departement_of_commune(str(code_insee))
        elif code_postal:
            code = departement_of_postcode(str(code_postal))
        else:
            return None
        return code if code in self.codes else None

    # --- Structures

    def structure_fields(self, record: di.Structure) -> dict:
        departement = self.departement_code or self.departement_of(
            record.code_insee, record.code_postal
        )
        return {
            "departement_id": departement,
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

    def import_structures(self, items: list) -> None:
        for chunk in _chunks(items, self.chunk_size, consume=True):
            valid = []
            for line, raw in chunk:
                try:
                    record = di.Structure.model_validate(raw)
                    self.check_first_and_importable("structure", record)
                    valid.append((line, record))
                except (pydantic.ValidationError, ValidationError) as error:
                    self.refuse(line, f"structure: {_reason(error)}")
            existing = _existing(Structure, [(record.source, record.id) for _, record in valid])
            created, updated, changed_fields = [], [], set()
            for line, record in valid:
                key = (record.source, record.id)
                current = existing.get(key)
                try:
                    if current is not None:
                        self.check_ours("structure", record, current.departement_id)
                    fields = self.structure_fields(record)
                    if current is None:
                        structure = Structure(source=record.source, source_id=record.id, **fields)
                        structure.clean_fields(exclude=["departement"])
                        created.append(structure)
                        outcome = "created"
                    else:
                        fields.pop("departement_id")  # a structure stays where it is curated
                        changed = [n for n, v in fields.items() if getattr(current, n) != v]
                        structure, outcome = current, "unchanged"
                        if changed:
                            structure = copy.copy(current)
                            for name in changed:
                                setattr(structure, name, fields[name])
                            structure.clean_fields(exclude=["departement"])
                            structure.updated_at = self.now
                            updated.append(structure)
                            changed_fields.update(changed)
                            outcome = "updated"
                            if "name" in changed:
                                self.renamed_structures.append(structure.pk)
                except ValidationError as error:
                    self.refuse(line, f"structure: {_reason(error)}")
                    continue
                self.structures[key] = structure
                self.report.structures[outcome] += 1
            with transaction.atomic():
                Structure.objects.bulk_create(created)
                Structure.history.bulk_history_create(created, default_date=self.now)
                if updated:
                    Structure.objects.bulk_update(updated, [*sorted(changed_fields), "updated_at"])
                    Structure.history.bulk_history_create(
                        updated, update=True, default_date=self.now
                    )
                    # Their entries count as changed too (ETags, offline copies).
                    Entry.objects.filter(structure__in=[s.pk for s in updated]).update(
                        updated_at=self.now
                    )
            self.advance("structures", len(chunk))

    # --- Services

    def scope(self, codes: list[str], departement_id: str | None) -> dict:
        if not codes or "france" in codes or "99100" in codes:
            return {"scope": Entry.Scope.NATIONAL, "zone_communes": "", "zone": []}
        communes = [code for code in codes if len(code) == 5]
        departements = [code for code in codes if len(code) in (2, 3)]
        if communes and not departements:
            return {
                "scope": Entry.Scope.COMMUNES,
                "zone_communes": ",".join(split_communes(",".join(communes))),
                "zone": [],
            }
        known = sorted(code for code in set(departements) if code in self.codes)
        zone = known or ([departement_id] if departement_id else [])
        if not zone:
            return {"scope": Entry.Scope.NATIONAL, "zone_communes": "", "zone": []}
        return {"scope": Entry.Scope.DEPARTEMENTS, "zone_communes": "", "zone": zone}

    def entry_fields(self, record: di.Service, structure: Structure) -> tuple[dict, list]:
        codes = [str(code) for code in record.zone_eligibilite or []]
        departement = (
            self.departement_code
            or self.departement_of(record.code_insee, record.code_postal)
            or structure.departement_id
        )
        where = self.scope(codes, departement)
        zone = where.pop("zone")
        fields = {
            "kind": Entry.Kind.OFFER,
            "departement_id": departement,
            "structure_id": structure.pk,
            "title": record.nom,
            "summary": _summary(record.description),
            "body": record.description,
            "type": record.type.value if record.type else "",
            "frais": record.frais.value if record.frais else "",
            "frais_precisions": (record.frais_precisions or "")[:300],
            "publics": _values(record.publics),
            "modes_accueil": _values(record.modes_accueil),
            "modes_mobilisation": _values(record.modes_mobilisation),
            "mobilisable_par": _values(record.mobilisable_par),
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
            **where,
        }
        return fields, zone

    def candidates(self, items: list) -> list[_Candidate]:
        """The file's valid services, each checked as the one-by-one import checked it."""
        found = []
        for chunk in _chunks(items, self.chunk_size, consume=True):
            valid = []
            for line, raw in chunk:
                try:
                    record = di.Service.model_validate(raw)
                    self.check_first_and_importable("service", record)
                    valid.append((line, record))
                except (pydantic.ValidationError, ValidationError) as error:
                    self.refuse(line, _reason(error))
            keys = [(record.source, record.id) for _, record in valid]
            existing = {
                (source, source_id): (pk, departement_id)
                for pk, source, source_id, departement_id in _by_keys(Entry, keys).values_list(
                    "pk", "source", "source_id", "departement_id"
                )
            }
            aliased = set(_by_keys(EntryAlias, keys).values_list("source", "source_id"))
            self.load_structures([(record.source, record.structure_id) for _, record in valid])
            for line, record in valid:
                key = (record.source, record.id)
                if key in aliased:
                    self.report.duplicates += 1
                    continue
                try:
                    current = existing.get(key)
                    if current is not None:
                        self.check_ours("service", record, current[1])
                    structure = self.structures.get((record.source, record.structure_id))
                    if structure is None:
                        raise ValidationError(f"unknown structure {record.structure_id!r}")
                    found.append(self.candidate(line, record, structure, current))
                except ValidationError as error:
                    self.refuse(line, _reason(error))
            self.advance("checking services", len(chunk))
        return found

    def load_structures(self, keys: list[tuple[str, str]]) -> None:
        """The services' structures that are not in the file, from the database."""
        missing = sorted({key for key in keys if key not in self.structures})
        if not missing:
            return
        structures = _by_keys(Structure, missing)
        if self.departement_code:
            structures = structures.filter(departement_id=self.departement_code)
        for structure in structures:
            self.structures[(structure.source, structure.source_id)] = structure

    def candidate(self, line, record, structure, current) -> _Candidate:
        fields, zone = self.entry_fields(record, structure)
        thematiques = _values(record.thematiques)
        unknown = sorted(set(thematiques) - self.themes.keys())
        if unknown:
            raise ValidationError(
                {"thematiques": _("Unknown themes: %(codes)s.") % {"codes": ", ".join(unknown)}}
            )
        entry = Entry(source=record.source, source_id=record.id, **fields)
        _check_entry(entry, zone)
        entry.quality_score = entry_quality_score(entry, thematiques)
        return _Candidate(
            line=line,
            source=record.source,
            source_id=record.id,
            fields=fields,
            thematiques=thematiques,
            zone=zone,
            entry=entry,
            structure_name=structure.name,
            siret=structure.siret,
            existing_pk=current[0] if current else None,
        )

    def mark_duplicates(self, candidates: list[_Candidate]) -> None:
        """Keep each service once: see ``duplicates`` for what "the same" means.

        Of a group, an entry already in the catalogue is kept first (Jalon's own before
        imported ones), then the record with the best quality score, then the first
        source and identifier in alphabetical order: the same file gives the same choice.
        The others, when new and of another source, become aliases of the kept one.
        """
        places, rank = [], {}
        in_file = set()
        for index, candidate in enumerate(candidates):
            fields, key = candidate.fields, ("new", index)
            places.append(
                Place.of(
                    key,
                    source=candidate.source,
                    name=fields["title"],
                    siret=candidate.siret,
                    address=fields["adresse"],
                    commune=fields["commune_code"] or fields["code_postal"],
                    latitude=fields["latitude"],
                    longitude=fields["longitude"],
                )
            )
            existing = candidate.existing_pk is not None
            rank[key] = (
                not existing,
                True,
                -candidate.entry.quality_score,
                candidate.source,
                candidate.source_id,
            )
            in_file.add(candidate.existing_pk)
        rows = Entry.objects.order_by().values_list(
            "pk",
            "source",
            "source_id",
            "title",
            "adresse",
            "commune_code",
            "code_postal",
            "latitude",
            "longitude",
            "quality_score",
            "structure__siret",
        )
        for (
            pk,
            source,
            source_id,
            title,
            adresse,
            insee,
            postcode,
            lat,
            lon,
            score,
            siret,
        ) in rows.iterator(chunk_size=5000):
            if pk in in_file:
                continue
            key = ("entry", pk)
            places.append(
                Place.of(
                    key,
                    source=source,
                    name=title,
                    siret=siret,
                    address=adresse,
                    commune=insee or postcode,
                    latitude=lat,
                    longitude=lon,
                )
            )
            rank[key] = (False, not is_curated_source(source), -score, source, source_id)
        for group in groups(places):
            kept = min(group, key=lambda place: rank[place.key])
            for place in group:
                kind, index = place.key
                if place is kept or kind != "new" or place.source == kept.source:
                    continue
                candidate = candidates[index]
                if candidate.existing_pk is None:
                    candidate.duplicate_of = kept.key
                    self.report.duplicates += 1

    def import_services(self, items: list) -> None:
        candidates = self.candidates(items)
        self.mark_duplicates(candidates)
        kept = [candidate for candidate in candidates if candidate.duplicate_of is None]
        self.done += len(items) - len(kept)
        for chunk in _chunks(kept, self.chunk_size):
            with transaction.atomic():
                self.write_entries(chunk)
            self.advance("services", len(chunk))
        aliases = []
        for candidate in candidates:
            if candidate.duplicate_of is None:
                continue
            kind, ref = candidate.duplicate_of
            entry_id = ref if kind == "entry" else candidates[ref].pk
            if entry_id is not None:
                aliases.append(
                    EntryAlias(
                        entry_id=entry_id, source=candidate.source, source_id=candidate.source_id
                    )
                )
        EntryAlias.objects.bulk_create(aliases, batch_size=self.chunk_size, ignore_conflicts=True)
        self.report.aliases_created = len(aliases)
        if self.renamed_structures:
            # Their entries' search text names the structure.
            bulk.entries_reindex(
                list(
                    Entry.objects.filter(structure__in=self.renamed_structures).values_list(
                        "pk", flat=True
                    )
                )
            )

    def write_entries(self, chunk: list[_Candidate]) -> None:
        """Create, update or leave as they are a chunk's entries, in a few statements."""
        existing = Entry.objects.in_bulk(
            [candidate.existing_pk for candidate in chunk if candidate.existing_pk]
        )
        ids = list(existing)
        theme_through = Entry.thematiques.through
        zone_through = Entry.zone_departements.through
        themes_of, zones_of, steps_of = defaultdict(list), defaultdict(list), defaultdict(list)
        for entry_id, code in theme_through.objects.filter(entry_id__in=ids).values_list(
            "entry_id", "thematique_id"
        ):
            themes_of[entry_id].append(code)
        for entry_id, code in zone_through.objects.filter(entry_id__in=ids).values_list(
            "entry_id", "departement_id"
        ):
            zones_of[entry_id].append(code)
        for entry_id, text in EntryStep.objects.filter(entry_id__in=ids).values_list(
            "entry_id", "text"
        ):
            steps_of[entry_id].append(text)

        created, updated, changed_fields, removals = [], [], set(), []
        new_themes, new_zones, relinked_themes, relinked_zones = [], [], [], []
        for candidate in chunk:
            if candidate.existing_pk is None:
                entry = candidate.entry
                if self.publish:
                    entry.status = Entry.Status.PUBLISHED
                    entry.published_at = self.now
                    entry.reviewed_at = timezone.localdate()
                bulk.entry_index_values(
                    entry,
                    theme_codes=candidate.thematiques,
                    themes=self.themes,
                    structure_name=candidate.structure_name,
                    steps=(),
                )
                created.append(entry)
                new_themes.append((candidate, entry))
                new_zones.append((candidate, entry))
                self.count(candidate, entry, "created")
                continue
            current = existing[candidate.existing_pk]
            fields = dict(candidate.fields)
            if not self.departement_code:
                fields.pop("departement_id")  # an entry stays where it is curated
            changed = [name for name, value in fields.items() if getattr(current, name) != value]
            themes_changed = sorted(themes_of[current.pk]) != candidate.thematiques
            zone_changed = sorted(zones_of[current.pk]) != candidate.zone
            if not (changed or themes_changed or zone_changed):
                self.count(candidate, current, "unchanged")
                continue
            entry = copy.copy(current)
            for name in changed:
                setattr(entry, name, fields[name])
            try:
                _check_entry(entry, candidate.zone)
            except ValidationError as error:
                self.refuse(candidate.line, _reason(error))
                continue
            bulk.entry_index_values(
                entry,
                theme_codes=candidate.thematiques,
                themes=self.themes,
                structure_name=candidate.structure_name,
                steps=steps_of[entry.pk],
            )
            entry.updated_at = self.now
            if (
                entry.status == Entry.Status.PUBLISHED
                and current.quality_score >= self.min_quality > entry.quality_score
            ):
                # It leaves the app: offline copies must drop it.
                removals.append(EntryRemoval(entry_id=entry.pk, removed_at=self.now))
            updated.append(entry)
            changed_fields.update(changed)
            if themes_changed:
                relinked_themes.append((candidate, entry))
            if zone_changed:
                relinked_zones.append((candidate, entry))
            self.count(candidate, entry, "updated")

        Entry.objects.bulk_create(created)
        for candidate, entry in new_themes:
            candidate.pk = entry.pk
        Entry.history.bulk_history_create(created, default_date=self.now)
        if updated:
            derived = ["updated_at", "search_text", "theme_codes", "quality_score"]
            Entry.objects.bulk_update(updated, [*sorted(changed_fields), *derived])
            Entry.history.bulk_history_create(updated, update=True, default_date=self.now)
        theme_through.objects.filter(
            entry_id__in=[entry.pk for _, entry in relinked_themes]
        ).delete()
        zone_through.objects.filter(entry_id__in=[entry.pk for _, entry in relinked_zones]).delete()
        theme_through.objects.bulk_create(
            theme_through(entry_id=entry.pk, thematique_id=code)
            for candidate, entry in new_themes + relinked_themes
            for code in candidate.thematiques
        )
        zone_through.objects.bulk_create(
            zone_through(entry_id=entry.pk, departement_id=code)
            for candidate, entry in new_zones + relinked_zones
            for code in candidate.zone
        )
        EntryRemoval.objects.bulk_create(removals)
        bulk.search_vectors_update(created + updated)

    def count(self, candidate: _Candidate, entry: Entry, outcome: str) -> None:
        candidate.pk = entry.pk
        self.report.count(outcome)
        if entry.quality_score < self.min_quality:
            self.report.below_quality += 1


def _key_filter(keys: list[tuple[str, str]]) -> Q:
    """Rows of these (source, source_id), one IN list per source (the unique index)."""
    by_source: dict[str, list[str]] = defaultdict(list)
    for source, source_id in keys:
        by_source[source].append(source_id)
    condition = Q(pk__in=[])
    for source, source_ids in by_source.items():
        condition |= Q(source=source, source_id__in=source_ids)
    return condition


def _by_keys(model, keys: list[tuple[str, str]]):
    return model.objects.filter(_key_filter(keys)).exclude(source_id="").order_by()


def _existing(model, keys: list[tuple[str, str]]) -> dict:
    return {(row.source, row.source_id): row for row in _by_keys(model, keys)} if keys else {}


def import_file(
    *,
    text: str,
    departement: Departement | None = None,
    publish: bool = False,
    progress: Progress | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> ImportReport:
    """Import a data·inclusion file into ``departement``'s catalogue, or, without one,
    into the catalogue of the whole country (a national file): each record then goes to
    the département of its commune or postcode (its structure's for a service), and to
    none when it has no place (a national body).

    New entries are drafts for staff to review, unless ``publish``. Existing ones are
    updated in place and keep their publication state. The same service from two
    sources is kept once (``duplicates``). ``progress(stage, done, total)`` is called
    after each chunk of ``chunk_size`` records.
    """
    try:
        parsed = parse_file(text)
    except ValueError as error:  # json.JSONDecodeError included
        report = ImportReport()
        report.errors.append((getattr(error, "lineno", 1), f"unreadable file: {error}"))
        return report
    run = _Import(
        departement,
        publish,
        progress,
        chunk_size,
        total=len(parsed.structures) + len(parsed.services),
    )
    run.report.errors.extend(parsed.errors)
    with bulk.parameters_bound_by_the_server():
        run.import_structures(parsed.structures)
        run.import_services(parsed.services)
    run.report.errors.sort()
    return run.report
