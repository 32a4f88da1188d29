"""The catalogue as a spreadsheet: export a list of entries, import it back.

Officers work in spreadsheets. An export has one row per entry, French column headers
and readable cells: labels, not codes, for choice lists (several labels separated by
"; "), communes as INSEE codes, and the entry's number, so that importing the file again
updates the entries rather than duplicating them. Importing an exported file unchanged
changes nothing.

An import reads an ``.xlsx`` workbook (openpyxl) or a CSV file (UTF-8, or Windows-1252
as Excel in France writes it; ";" or "," separated). Each row goes through the admin's
own entry form, built for the signed-in user (``EntryAdmin.get_form``): the form's
checks, ``Entry.clean``, ``Entry.check_zone_departements`` and the user's reach (no
national entry for département staff, no commune outside their départements) are the
ones a row meets, word for word. A bad row is reported with its line and reason and
nothing of it is written; the others import. A number naming an entry outside the
chosen département, or one the user may not change, is refused, never updated.
"""

import csv
import io
import logging
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation

from accounts.models import Departement
from accounts.roles import Role
from accounts.scoping import departements_for_user, scope_queryset
from accounts.vocabulary import VOCABULARIES as PROFILE_VOCABULARIES
from vault.document_types import DocumentType

from . import services, vocabulary
from .models import Entry, Thematique

logger = logging.getLogger(__name__)

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Several values in one cell: "Tous publics; Étudiants" (a cell reads back the same).
SEPARATOR = "; "
# Larger files are refused before they are read: a département has hundreds of entries.
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_ROWS = 5000
# A choice list longer than this is not spelled out in an error message.
MAX_LISTED_CHOICES = 20

# The choices of each list of codes, in the order the admin shows them.
CODE_LIST_CHOICES: dict[str, list[tuple[str, Any]]] = {
    "publics": vocabulary.PUBLIC_CHOICES,
    "modes_accueil": vocabulary.MODE_ACCUEIL_CHOICES,
    "modes_mobilisation": vocabulary.MODE_MOBILISATION_CHOICES,
    "mobilisable_par": vocabulary.PERSONNE_MOBILISATRICE_CHOICES,
    "situations": PROFILE_VOCABULARIES["situations"],
    "documents": DocumentType.choices,
}


@dataclass(frozen=True)
class Column:
    """One column of the sheet: an entry's field (``name``) read and written as ``kind``.

    Kinds: ``id`` (the entry's number), ``text``, ``choice`` (one label), ``codes``
    (labels of a list of codes), ``themes``, ``departements``, ``structure`` (its
    name), ``communes`` (INSEE codes), ``date``, ``number``. A ``readonly`` column is
    exported to be read and ignored on import (the status changes through the workflow).
    """

    name: str
    kind: str = "text"
    readonly: bool = False
    width: int = 18

    @property
    def header(self) -> str:
        if self.kind == "id":
            return _("Number (leave empty for a new entry)")
        return str(capfirst(Entry._meta.get_field(self.name).verbose_name))


COLUMNS: tuple[Column, ...] = (
    Column("id", "id", width=12),
    Column("kind", "choice", width=10),
    Column("status", "choice", readonly=True, width=14),
    Column("departement", "departements", readonly=True),
    Column("title", width=40),
    Column("summary", width=50),
    Column("body", width=60),
    Column("structure", "structure", width=30),
    Column("thematiques", "themes", width=40),
    Column("type", "choice"),
    Column("frais", "choice"),
    Column("frais_precisions"),
    Column("publics", "codes", width=30),
    Column("modes_accueil", "codes"),
    Column("modes_mobilisation", "codes", width=30),
    Column("mobilisable_par", "codes"),
    Column("lien_mobilisation", width=30),
    Column("telephone"),
    Column("courriel", width=25),
    Column("horaires_accueil", width=30),
    Column("adresse", width=30),
    Column("code_postal", width=10),
    Column("commune"),
    Column("commune_code", width=10),
    Column("latitude", "number", width=10),
    Column("longitude", "number", width=10),
    Column("scope", "choice"),
    Column("zone_departements", "departements", width=30),
    Column("zone_communes", "communes", width=30),
    Column("radius_km", "number", width=10),
    Column("min_age", "number", width=10),
    Column("max_age", "number", width=10),
    Column("situations", "codes", width=30),
    Column("deadline_kind", "choice", width=25),
    Column("deadline_age", "number", width=10),
    Column("deadline_years", "number", width=10),
    Column("documents", "codes", width=30),
    Column("source_url", width=30),
    Column("internal_note", width=40),
    Column("valid_from", "date", width=12),
    Column("valid_until", "date", width=12),
)

# Codes whose leading zero a spreadsheet drops when it takes them for numbers.
_FIVE_DIGIT_CODES = frozenset({"code_postal", "commune_code"})


def _choices_of(column: Column) -> list[tuple[str, Any]]:
    if column.kind == "codes":
        return CODE_LIST_CHOICES[column.name]
    return [(code, label) for code, label in Entry._meta.get_field(column.name).choices if code]


def _departement_label(departement: Departement) -> str:
    return f"{departement.name} ({departement.code})"


# --- Export ------------------------------------------------------------------------------


def _cell(column: Column, entry: Entry):
    """What the sheet shows of ``entry`` in ``column``."""
    if column.kind == "id":
        return entry.pk
    value = getattr(entry, column.name)
    if column.kind == "choice":
        return str(dict(_choices_of(column)).get(value, value)) if value else ""
    if column.kind == "codes":
        labels = dict(_choices_of(column))
        return SEPARATOR.join(str(labels.get(code, code)) for code in value or [])
    if column.kind == "themes":
        return SEPARATOR.join(str(theme) for theme in value.all())
    if column.kind == "departements":
        if column.name == "departement":
            return _departement_label(value) if value else ""
        return SEPARATOR.join(_departement_label(d) for d in value.all())
    if column.kind == "structure":
        return value.name if value else ""
    if column.kind == "communes":
        return ", ".join(vocabulary.split_communes(value or ""))
    if value is None:
        return None if column.kind in ("number", "date") else ""
    return value


def export_rows(entries: QuerySet[Entry]) -> Iterator[list]:
    """The header, then one row per entry of ``entries`` (which the caller scoped)."""
    yield [column.header for column in COLUMNS]
    entries = entries.select_related("structure", "departement").prefetch_related(
        "thematiques", "zone_departements"
    )
    for entry in entries:
        yield [_cell(column, entry) for column in COLUMNS]


def export_workbook(entries: QuerySet[Entry]) -> bytes:
    """An ``.xlsx`` workbook of ``entries``: the entries on the first sheet, the values
    each choice column accepts on a second one (and as drop-down lists)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Entries")
    for row in export_rows(entries):
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    readonly = PatternFill("solid", fgColor="DDDDDD")
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = column.width
        if column.readonly or column.kind == "id":
            sheet.cell(row=1, column=index).fill = readonly
        for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
            if isinstance(cell.value, str):
                # Text is text: "=..." typed in a title must not become a formula.
                cell.data_type = "s"
            elif column.kind == "date" and cell.value is not None:
                cell.number_format = "DD/MM/YYYY"
    sheet.freeze_panes = "B2"
    sheet.auto_filter.ref = sheet.dimensions
    _add_value_lists(workbook, sheet)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _add_value_lists(workbook: Workbook, sheet) -> None:
    """A sheet listing each choice column's values; one-value columns get a drop-down."""
    lists = workbook.create_sheet(_("Accepted values"))
    shown = [(i, c) for i, c in enumerate(COLUMNS, start=1) if c.kind in ("choice", "codes")]
    for list_index, (sheet_index, column) in enumerate(shown, start=1):
        labels = [str(label) for _code, label in _choices_of(column)]
        lists.cell(row=1, column=list_index, value=column.header).font = Font(bold=True)
        for row, label in enumerate(labels, start=2):
            lists.cell(row=row, column=list_index, value=label)
        letter = get_column_letter(list_index)
        lists.column_dimensions[letter].width = 30
        if column.kind == "choice" and not column.readonly:
            validation = DataValidation(
                type="list",
                formula1=f"'{lists.title}'!${letter}$2:${letter}${len(labels) + 1}",
                allow_blank=True,
            )
            sheet.add_data_validation(validation)
            target = get_column_letter(sheet_index)
            validation.add(f"{target}2:{target}{max(sheet.max_row, 2) + MAX_ROWS}")


def export_filename() -> str:
    """``fiches-catalogue-2026-12-07.xlsx``: what the downloaded file is called."""
    return f"{_('catalogue-entries')}-{timezone.localdate().isoformat()}.xlsx"


# --- Reading a file ---------------------------------------------------------------------


class UnreadableFile(ValueError):
    """The file is no spreadsheet the import can read; the message says why, in French."""


def read_rows(content: bytes) -> list[tuple[int, list]]:
    """The rows of an ``.xlsx`` workbook (its first sheet) or of a CSV file, each with
    its line number as the spreadsheet shows it (the header is line 1).

    Raises ``UnreadableFile`` when it is neither, or too large.
    """
    if len(content) > MAX_FILE_BYTES:
        raise UnreadableFile(_("The file is too large (10 MB at most)."))
    if content.startswith(b"PK\x03\x04"):
        rows = _xlsx_rows(content)
    elif content.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnreadableFile(
            _("This is an old Excel file (.xls): save it as .xlsx or as CSV, then import it.")
        )
    else:
        rows = _csv_rows(content)
    numbered = []
    for line, row in enumerate(rows, start=1):
        if line > MAX_ROWS + 1:
            raise UnreadableFile(
                _("The file has more than %(count)d rows: split it.") % {"count": MAX_ROWS}
            )
        numbered.append((line, list(row)))
    if not numbered:
        raise UnreadableFile(_("The file is empty."))
    return numbered


# What openpyxl raises on a damaged workbook (a zip that is not one, broken XML...).
_BROKEN_XLSX = (
    InvalidFileException,
    zipfile.BadZipFile,
    KeyError,
    IndexError,
    ValueError,
    TypeError,
    SyntaxError,  # xml.etree.ElementTree.ParseError
    OSError,
)


def _xlsx_rows(content: bytes) -> Iterator[tuple]:
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except _BROKEN_XLSX as error:
        raise UnreadableFile(_("This is no .xlsx file that can be read.")) from error
    try:
        sheet = workbook.worksheets[0]
        # Some programs write a wrong size for the sheet: read what is there instead.
        sheet.reset_dimensions()
        yield from sheet.iter_rows(values_only=True)
    except _BROKEN_XLSX as error:
        raise UnreadableFile(_("This is no .xlsx file that can be read.")) from error
    finally:
        workbook.close()


def _csv_rows(content: bytes) -> Iterator[list[str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        # What Excel in France writes for "CSV (séparateur : point-virgule)".
        text = content.decode("cp1252", errors="replace")
    if "\x00" in text:
        raise UnreadableFile(_("This is neither an .xlsx file nor a CSV file."))
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    try:
        yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    except csv.Error as error:  # a cell past the csv module's limit, a stray quote
        raise UnreadableFile(_("This CSV file cannot be read.")) from error


# --- Import ------------------------------------------------------------------------------


@dataclass
class SheetReport:
    """What an import did. ``errors``: (line, reason) of each refused row;
    ``ignored_columns``: headers the import does not know, left aside."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)


class _CellError(ValueError):
    pass


def _normalised(text) -> str:
    return " ".join(str(text).split()).casefold()


def _text(value, name: str = "") -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and name in _FIVE_DIGIT_CODES:
        return str(value).zfill(5)  # 01000 typed in a number cell comes back as 1000
    if isinstance(value, datetime | date):
        return value.strftime("%d/%m/%Y")
    return str(value).strip()


def _parts(value) -> list[str]:
    return [part.strip() for part in _text(value).split(";") if part.strip()]


class _Vocabulary:
    """How the import reads each kind of cell back into what the form expects."""

    def __init__(self, form_class):
        self.labels: dict[str, dict[str, str]] = {}
        for column in COLUMNS:
            if column.kind in ("choice", "codes"):
                words = {}
                for code, label in _choices_of(column):
                    words[_normalised(code)] = code
                    words[_normalised(label)] = code
                self.labels[column.name] = words
        self.themes: dict[str, str] = {}
        for theme in Thematique.objects.all():
            for word in (theme.code, theme.label, str(theme)):
                self.themes[_normalised(word)] = theme.code
        self.departements: dict[str, str] = {}
        for departement in Departement.objects.all():
            for word in (departement.code, departement.name, _departement_label(departement)):
                self.departements[_normalised(word)] = departement.code
        # The structures the user may choose in the form, by name (the form's choices are
        # scoped to the user's départements).
        self.structures: dict[str, list] = {}
        structure_field = form_class.base_fields.get("structure")
        if structure_field is not None:
            for structure in structure_field.queryset:
                self.structures.setdefault(_normalised(structure.name), []).append(structure.pk)

    def _unknown(self, column: Column, unknown: list[str]) -> _CellError:
        message = ngettext(
            "unknown value: %(values)s", "unknown values: %(values)s", len(unknown)
        ) % {"values": SEPARATOR.join(unknown)}
        if column.kind in ("choice", "codes") and len(_choices_of(column)) <= MAX_LISTED_CHOICES:
            accepted = ", ".join(str(label) for _code, label in _choices_of(column))
            message += " " + _("(accepted: %(values)s)") % {"values": accepted}
        return _CellError(message)

    def read(self, column: Column, value):
        """The value of ``column``'s form field for the cell ``value``; raises
        ``_CellError`` for a value the form could not take."""
        kind = column.kind
        if kind == "choice":
            text = _text(value)
            if not text:
                return ""
            code = self.labels[column.name].get(_normalised(text))
            if code is None:
                raise self._unknown(column, [text])
            return code
        if kind in ("codes", "themes", "departements"):
            words = {
                "codes": self.labels.get(column.name),
                "themes": self.themes,
                "departements": self.departements,
            }[kind]
            parts = _parts(value)
            unknown = [part for part in parts if _normalised(part) not in words]
            if unknown:
                raise self._unknown(column, unknown)
            return list(dict.fromkeys(words[_normalised(part)] for part in parts))
        if kind == "structure":
            text = _text(value)
            if not text:
                return None
            found = self.structures.get(_normalised(text), [])
            if not found:
                raise _CellError(
                    _("no structure of your départements is named “%(name)s”") % {"name": text}
                )
            if len(found) > 1:
                raise _CellError(
                    _("several structures are named “%(name)s”: choose it in the form")
                    % {"name": text}
                )
            return found[0]
        if kind == "communes":
            return ",".join(re.split(r"[\s,;]+", _text(value).upper())).strip(",")
        if kind == "date":
            return _date(value)
        if kind == "number":
            if isinstance(value, int | float):
                return value
            return _text(value).replace(",", ".").replace(" ", "")  # "48,91": French Excel
        return _text(value, column.name)


def _date(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    if not text:
        return None
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%d/%m/%y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise _CellError(_("“%(value)s” is not a date (DD/MM/YYYY)") % {"value": text})


def _sentence(text: str) -> str:
    return text if text.endswith((".", "?", "!")) else f"{text}."


def _column_reason(header: str, reasons: Iterable[str]) -> str:
    """``Publics : valeur inconnue : Ados. ...``: what is wrong in one column."""
    text = " ".join(_sentence(str(reason)) for reason in reasons)
    return _("%(column)s: %(reason)s") % {"column": header, "reason": text} if header else text


def _same_text(one: str, other: str) -> bool:
    return one.replace("\r\n", "\n") == other.replace("\r\n", "\n")


def _columns_of(header: list) -> tuple[dict[int, Column], list[str]]:
    """Which column of ``COLUMNS`` each cell of the header row names (by its French
    header or its field name), and the headers nobody knows."""
    # Field names too ("title"), unless a French header says the same ("Type").
    known = {_normalised(column.name): column for column in COLUMNS}
    known.update({_normalised(column.header): column for column in COLUMNS})
    found: dict[int, Column] = {}
    ignored = []
    for index, title in enumerate(header):
        text = _text(title)
        column = known.get(_normalised(text)) if text else None
        if column is None or column in found.values():
            if text:
                ignored.append(text)
            continue
        found[index] = column
    return found, ignored


def import_file(*, content: bytes, departement: Departement, user, form_class) -> SheetReport:
    """Import the spreadsheet ``content`` into ``departement``'s catalogue for ``user``.

    ``form_class`` is the admin's entry form for ``user`` (``EntryAdmin.get_form``):
    each row is validated by it, exactly as if typed in the admin. A row with a number
    updates that entry, which must be one of ``departement`` that ``user`` may change;
    a row without creates a draft of ``departement`` proposed by ``user``. Columns the
    file lacks keep the entry's values; read-only columns are ignored. Importing an
    export again changes nothing.

    Raises ``PermissionDenied`` for a partner organisation (their proposals are typed in
    the form, as for the data·inclusion import) or a département out of ``user``'s reach,
    ``UnreadableFile`` for a file that cannot be read.
    """
    if user.role == Role.PARTNER and not user.is_superuser:
        raise PermissionDenied
    if not departements_for_user(user).filter(pk=departement.pk).exists():
        raise PermissionDenied
    rows = read_rows(content)
    (_line, header), *rows = rows
    columns, ignored = _columns_of(header)
    if not any(column.kind != "id" for column in columns.values()):
        raise UnreadableFile(
            _("No column of the first row is one of the catalogue's: is it an export?")
        )
    report = SheetReport(ignored_columns=ignored)
    run = _Import(departement, user, form_class, columns)
    for line, cells in rows:
        if all(_text(cell) == "" for cell in cells):
            continue
        try:
            outcome = run.row(line, cells)
        except _RowRefused as refusal:
            report.errors.append((line, str(refusal)))
        else:
            setattr(report, outcome, getattr(report, outcome) + 1)
    return report


class _RowRefused(Exception):
    pass


class _Import:
    """One import: what every row needs (the scoped entries, the vocabularies)."""

    def __init__(self, departement: Departement, user, form_class, columns: dict[int, Column]):
        self.departement = departement
        self.user = user
        self.form_class = form_class
        self.columns = columns
        self.vocabulary = _Vocabulary(form_class)
        # The entries a row may update: the département's, as the user's admin sees them.
        self.entries = scope_queryset(
            Entry.objects.filter(departement=departement), user, "departement"
        )
        self.reach = set(departements_for_user(user).values_list("code", flat=True))
        self.seen: dict[int, int] = {}

    def _header(self, name: str, form) -> str:
        for column in COLUMNS:
            if column.name == name:
                return column.header
        if name in form.fields:
            return str(capfirst(form.fields[name].label or name))
        return ""

    def _entry(self, line: int, value) -> Entry | None:
        text = _text(value)
        if not text:
            return None
        if not (text.isascii() and text.isdigit()):  # "²" is a digit to Python, not a number
            raise _RowRefused(_("“%(value)s” is not an entry number.") % {"value": text})
        number = int(text)
        if number in self.seen:
            raise _RowRefused(
                _("Entry %(number)d is already on line %(line)d.")
                % {"number": number, "line": self.seen[number]}
            )
        entry = self.entries.filter(pk=number).first()
        if entry is None:
            # The same words whether it exists elsewhere or not: nothing leaks.
            raise _RowRefused(
                _("Entry %(number)d is not one of the entries of %(departement)s you curate.")
                % {"number": number, "departement": self.departement.name}
            )
        self.seen[number] = line
        return entry

    def row(self, line: int, cells: list) -> str:
        """Validate and write one row: ``"created"``, ``"updated"`` or ``"unchanged"``;
        raises ``_RowRefused`` (nothing written) with the reason."""
        values, errors = {}, []
        entry = None
        for index, column in self.columns.items():
            value = cells[index] if index < len(cells) else None
            if column.kind == "id":
                entry = self._entry(line, value)
            elif not column.readonly:
                try:
                    values[column.name] = self.vocabulary.read(column, value)
                except _CellError as error:
                    errors.append(_column_reason(column.header, [str(error)]))
        if errors:
            raise _RowRefused(" ".join(errors))
        creating = entry is None
        if creating:
            entry = Entry(departement=self.departement)
        # The zone's départements out of the user's reach are kept, as the admin does.
        hidden = (
            []
            if creating
            else [d for d in entry.zone_departements.all() if d.code not in self.reach]
        )
        if "zone_departements" in values:
            values["zone_departements"] = [
                code for code in values["zone_departements"] if code not in {d.code for d in hidden}
            ]
        form = self._form(entry, values)
        try:
            with transaction.atomic():
                if not form.is_valid():
                    raise _RowRefused(self._reasons(form))
                if not creating and not self._changed(form, entry, values, hidden):
                    return "unchanged"
                self._save(form, creating, hidden)
        except ValidationError as error:
            raise _RowRefused(" ".join(_sentence(str(m)) for m in error.messages)) from error
        except PermissionDenied as error:
            raise _RowRefused(
                _sentence(str(error) or _("You may not change this entry."))
            ) from error
        except DatabaseError as error:
            # The database's words are no help to an officer, and may say too much.
            logger.exception("spreadsheet import: row %d not saved", line)
            raise _RowRefused(_("This row could not be saved.")) from error
        return "created" if creating else "updated"

    def _form(self, entry: Entry, values: dict):
        """The admin form bound to the entry's current values, then the row's."""
        unbound = self.form_class(instance=entry)
        data = {name: unbound[name].value() for name in unbound.fields}
        for name, form_field in unbound.fields.items():
            if form_field.show_hidden_initial:
                # What the page's hidden input would say (fields with a callable default):
                # the form compares the row with it to tell what changed.
                data[unbound.add_initial_prefix(name)] = data[name]
        for name, value in values.items():
            if name not in unbound.fields:
                continue
            current = data[name]
            if isinstance(value, str) and isinstance(current, str) and _same_text(value, current):
                # A spreadsheet writes line breaks as "\n" where a browser sent "\r\n".
                value = current
            data[name] = unbound.fields[name].prepare_value(value)
        if "departement" in unbound.fields:
            data["departement"] = self.departement.pk
        form = self.form_class(data=data, instance=entry)
        # The sheet carries no translations, and their widget reads one input per language,
        # not the stored JSON: left out of the form, they stay exactly as stored.
        form.fields.pop("translations", None)
        return form

    def _changed(self, form, entry: Entry, values: dict, hidden: list) -> bool:
        changed = [name for name in form.changed_data if name != "zone_departements"]
        if "zone_departements" in values:
            shown = {d.code for d in entry.zone_departements.all()} - {d.code for d in hidden}
            if set(values["zone_departements"]) != shown:
                changed.append("zone_departements")
        return bool(changed)

    def _save(self, form, creating: bool, hidden: Iterable) -> None:
        # What the admin's save does, in the same order (EntryAdmin.save_model and
        # save_related): the row, its many-to-many, the kept zone, the index.
        entry = form.save(commit=False)
        if creating:
            entry.proposed_by = self.user
        entry._change_reason = _("Spreadsheet import")  # shown in the entry's history
        entry.save()
        form.save_m2m()
        if hidden:
            entry.zone_departements.add(*hidden)
        services.entry_reindex(entry=entry, new=creating)

    def _reasons(self, form) -> str:
        return " ".join(
            _column_reason(self._header(name, form) if name != "__all__" else "", messages)
            for name, messages in form.errors.items()
        )
