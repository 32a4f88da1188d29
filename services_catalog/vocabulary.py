"""The catalogue's controlled vocabularies and their validators.

data·inclusion's enumerations come from the official ``data-inclusion-schema`` package;
the situations are the profile's flags; the documents are the vault's types.
"""

import re

from data_inclusion.schema import v1 as di
from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _
from opening_hours import OpeningHours, ParserError

from accounts.models import SITUATION_FLAGS
from accounts.vocabulary import VOCABULARIES as ACCOUNT_VOCABULARIES
from vault.document_types import DocumentType

# The languages an entry is translated into (French is the entry's own), and how far.
TRANSLATED_LANGUAGES = ("en", "ar", "ps", "prs", "ti")
TRANSLATION_STATES = [
    ("to_translate", _("to translate")),
    ("machine", _("machine-translated")),
    ("reviewed", _("reviewed")),
]


def validate_translation_states(value) -> None:
    """``{"ar": "reviewed", ...}``: languages of the app, known states."""
    states = {code for code, _label in TRANSLATION_STATES}
    if not isinstance(value, dict) or any(
        language not in TRANSLATED_LANGUAGES or state not in states
        for language, state in value.items()
    ):
        raise ValidationError(
            _("Give each language (%(languages)s) one of: %(states)s.")
            % {"languages": ", ".join(TRANSLATED_LANGUAGES), "states": ", ".join(sorted(states))},
            code="invalid_translation_states",
        )


def validate_closure_translations(value) -> None:
    """``{"en": {"message": "..."}, ...}``: languages of the app, a message each."""
    if not isinstance(value, dict) or any(
        language not in TRANSLATED_LANGUAGES
        or not isinstance(translation, dict)
        or set(translation) - {"message"}
        or not isinstance(translation.get("message", ""), str)
        or len(translation.get("message", "")) > 300
        for language, translation in value.items()
    ):
        raise ValidationError(
            _('Give each language (%(languages)s) as {"message": "..."}, 300 characters at most.')
            % {"languages": ", ".join(TRANSLATED_LANGUAGES)},
            code="invalid_translations",
        )


# data·inclusion "source" of the records Jalon produces itself.
JALON_SOURCE = "jalon"


def _choices(enum) -> list[tuple[str, str]]:
    return [(member.value, member.label) for member in enum]


TYPE_CHOICES = _choices(di.TypeService)
FRAIS_CHOICES = _choices(di.Frais)
PUBLIC_CHOICES = _choices(di.Public)
MODE_ACCUEIL_CHOICES = _choices(di.ModeAccueil)
MODE_MOBILISATION_CHOICES = _choices(di.ModeMobilisation)
PERSONNE_MOBILISATRICE_CHOICES = _choices(di.PersonneMobilisatrice)
CATEGORIE_CHOICES = _choices(di.Categorie)
# The profile's situations and the vault's document types, with their (translated) labels.
SITUATION_CHOICES = list(ACCOUNT_VOCABULARIES["situations"])
DOCUMENT_CHOICES = list(DocumentType.choices)


def thematique_rows() -> list[dict[str, str]]:
    """Every data·inclusion theme with its category, from the package."""
    categories = {member.value: member.label for member in di.Categorie}
    rows = []
    for member in di.Thematique:
        categorie = member.value.split("--", 1)[0]
        rows.append(
            {
                "code": member.value,
                "label": member.label,
                "categorie": categorie,
                "categorie_label": categories[categorie],
            }
        )
    return rows


# The lists of codes a JSON list field may hold, by name.
CODE_LISTS: dict[str, frozenset[str]] = {
    "publics": frozenset(v for v, _l in PUBLIC_CHOICES),
    "modes_accueil": frozenset(v for v, _l in MODE_ACCUEIL_CHOICES),
    "modes_mobilisation": frozenset(v for v, _l in MODE_MOBILISATION_CHOICES),
    "mobilisable_par": frozenset(v for v, _l in PERSONNE_MOBILISATRICE_CHOICES),
    "situations": frozenset(SITUATION_FLAGS),
    "documents": frozenset(DocumentType.values),
}


@deconstructible
class CodeListValidator:
    """A JSON list whose items all belong to the code list ``CODE_LISTS[name]``."""

    def __init__(self, name: str):
        self.name = name

    def __call__(self, value) -> None:
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise ValidationError(_("Expected a list of codes."), code="invalid")
        unknown = [item for item in value if item not in CODE_LISTS[self.name]]
        if unknown:
            raise ValidationError(
                _("Unknown codes: %(codes)s."),
                code="invalid_choice",
                params={"codes": ", ".join(unknown)},
            )

    def __eq__(self, other) -> bool:
        return isinstance(other, CodeListValidator) and other.name == self.name

    def __hash__(self) -> int:
        return hash(self.name)


validate_publics = CodeListValidator("publics")
validate_modes_accueil = CodeListValidator("modes_accueil")
validate_modes_mobilisation = CodeListValidator("modes_mobilisation")
validate_mobilisable_par = CodeListValidator("mobilisable_par")
validate_situations = CodeListValidator("situations")
validate_documents = CodeListValidator("documents")

COMMUNE_CODE = re.compile(r"^([0-9]{5}|2[AB][0-9]{3})$")


def split_communes(value: str) -> list[str]:
    """``"93066, 93008"`` -> ``["93066", "93008"]``."""
    return [code.strip().upper() for code in value.split(",") if code.strip()]


def validate_commune_list(value: str) -> None:
    bad = [code for code in split_communes(value) if not COMMUNE_CODE.match(code)]
    if bad:
        raise ValidationError(
            _("Not INSEE commune codes: %(codes)s."),
            code="invalid_commune",
            params={"codes": ", ".join(bad)},
        )


def validate_opening_hours(value: str) -> None:
    """Opening hours must follow OpenStreetMap's ``opening_hours`` syntax."""
    if not value:
        return
    try:
        OpeningHours(value)
    except (ParserError, ValueError) as exc:
        raise ValidationError(
            _("Opening hours must follow the OpenStreetMap format, e.g. “Mo-Fr 09:00-17:00”."),
            code="invalid_opening_hours",
        ) from exc


def departement_of_commune(commune_code: str) -> str:
    """The département code of an INSEE commune code (``"97411"`` -> ``"974"``)."""
    code = commune_code.upper()
    return code[:3] if code.startswith("97") else code[:2]


def departement_of_postcode(postcode: str) -> str | None:
    """The usual département of a postcode; Corsica's ``20xxx`` needs its commune code."""
    if not re.fullmatch(r"[0-9]{5}", postcode):
        return None
    if postcode.startswith("97"):
        return postcode[:3]
    if postcode.startswith("20"):
        return "2A" if int(postcode) < 20200 else "2B"
    return postcode[:2]


def VOCABULARIES() -> dict:
    """For ``GET /api/v1/vocabulary/`` (``backend.vocabulary``); a function: the models
    import this module."""
    from .models import Entry

    return {
        "entry_kinds": Entry.Kind.choices,
        "categories": CATEGORIE_CHOICES,
        "themes": [(row["code"], row["label"]) for row in thematique_rows()],
        "types": TYPE_CHOICES,
        "frais": FRAIS_CHOICES,
        "publics": PUBLIC_CHOICES,
        "modes_accueil": MODE_ACCUEIL_CHOICES,
        "modes_mobilisation": MODE_MOBILISATION_CHOICES,
        "personnes_mobilisatrices": PERSONNE_MOBILISATRICE_CHOICES,
    }
