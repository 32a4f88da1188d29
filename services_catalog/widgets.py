"""Form fields and widgets of the catalogue's admin pages: what staff edit as words,
stored as the codes, strings and JSON the rest of Jalon reads.

- ``CommunesWidget``: communes chosen by name (an autocomplete, ``static/services_catalog/
  admin-widgets.js``), stored as INSEE codes; without JavaScript, the codes' text field.
- ``OpeningHoursWidget``: a week (days, times, lunch break, public holidays, closed days)
  that writes the OpenStreetMap ``opening_hours`` string into its text field, which stays
  there for experts.
- ``TranslationsField``: a JSON dict of translations, ``{"en": {"title": ...}}``, edited as
  one text field per language and translated field.
"""

import json
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import get_language_info, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from backend import languages

from . import selectors

MEDIA = forms.Media(
    css={"all": ["services_catalog/admin-widgets.css"]},
    js=["services_catalog/admin-widgets.js"],
)


def _texts_json(texts: dict) -> str:
    """The widget's words for its script, translated here: the script has no catalogue."""
    return json.dumps({key: str(value) for key, value in texts.items()})


# --- Communes --------------------------------------------------------------------------


class CommunesWidget(forms.TextInput):
    """INSEE codes (``"93066,93008"``, or one code with ``multiple=False``) chosen by
    name. The text input is kept in the page, hidden by the script once it runs: what is
    posted stays the codes. ``url`` answers ``?q=`` with the communes staff may choose.

    With ``multiple=False``, ``name_field`` and ``postcode_field`` are the ids of the
    inputs the script fills with the chosen commune's name and (if it has only one, or
    the one typed is not its own) postcode."""

    template_name = "services_catalog/widgets/communes.html"

    def __init__(self, *, url: str = "", multiple: bool = True, name_field="", postcode_field=""):
        super().__init__(attrs={"class": "vTextField", "autocomplete": "off"})
        self.url = url
        self.multiple = multiple
        self.name_field = name_field
        self.postcode_field = postcode_field

    @property
    def media(self):
        return MEDIA

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        # Commas part the communes; a name typed without the script keeps its spaces.
        codes = [code.strip() for code in str(value or "").split(",") if code.strip()]
        chosen = [{"code": code, "label": selectors.commune_label(code)} for code in codes]
        context["widget"]["communes"] = {
            "url": self.url,
            "multiple": self.multiple,
            "name_field": self.name_field,
            "postcode_field": self.postcode_field,
            "chosen": json.dumps(chosen),
            "texts": _texts_json(
                {
                    "chosen": _("Chosen communes") if self.multiple else _("Chosen commune"),
                    "none_chosen": _("No commune chosen yet."),
                    "remove": _("Remove %(commune)s"),
                    "added": _("%(commune)s added."),
                    "removed": _("%(commune)s removed."),
                    "no_result": _("No commune found for these letters."),
                    "results": _("%(count)s communes: arrows to go through them, Enter to choose."),
                    "one_result": _("1 commune: Enter to choose it."),
                    "failed": _("The communes could not be loaded: type the INSEE codes instead."),
                }
            ),
        }
        return context


@dataclass
class ChosenCommunes:
    """What ``resolve_communes`` made of a typed list: the codes, and what is wrong."""

    codes: list[str]
    unknown: list[str]
    ambiguous: list[str]


def resolve_communes(text: str, *, departements=None, known=()) -> ChosenCommunes:
    """Each comma-separated item of ``text`` as an INSEE code: a code as it is (if it is a
    current commune, or one of ``known``: kept from before), a name when exactly one
    commune of ``departements`` (codes; None: all) bears it. Without the script, staff
    may type "Bobigny, Saint-Denis" as well as "93008, 93066"."""
    codes, unknown, ambiguous = [], [], []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        code = item.upper()
        if selectors.commune_named(code) is not None or code in known:
            found = [code]
        elif any(char.isdigit() for char in item):
            unknown.append(item)
            continue
        else:
            found = [c.code for c in selectors.communes_called(item, departements=departements)]
        if len(found) == 1:
            if found[0] not in codes:
                codes.append(found[0])
        elif found:
            ambiguous.append(item)
        else:
            unknown.append(item)
    return ChosenCommunes(codes=codes, unknown=unknown, ambiguous=ambiguous)


def communes_error(chosen: ChosenCommunes) -> ValidationError | None:
    """The French error for what ``resolve_communes`` could not read, or None."""
    messages = []
    if chosen.unknown:
        messages.append(
            _("No current commune is named or numbered so: %(items)s.")
            % {"items": ", ".join(chosen.unknown)}
        )
    if chosen.ambiguous:
        messages.append(
            _("Several communes bear this name, give its INSEE code: %(items)s.")
            % {"items": ", ".join(chosen.ambiguous)}
        )
    return ValidationError(messages, code="invalid_commune") if messages else None


# --- Opening hours ---------------------------------------------------------------------


DAY_NAMES = [
    _("Monday"),
    _("Tuesday"),
    _("Wednesday"),
    _("Thursday"),
    _("Friday"),
    _("Saturday"),
    _("Sunday"),
]


class OpeningHoursWidget(forms.TextInput):
    """The OpenStreetMap ``opening_hours`` text input, with a week editor built by the
    script before it: editing the week writes the string; typing a string the week can
    show fills the week, any other leaves the week aside (the string is kept)."""

    template_name = "services_catalog/widgets/opening_hours.html"

    def __init__(self, attrs=None):
        super().__init__(attrs={"class": "vTextField jalon-hours-text", **(attrs or {})})

    @property
    def media(self):
        return MEDIA

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["hours_texts"] = _texts_json(
            {
                "week": _("Usual week"),
                "day": _("Day"),
                "open": pgettext_lazy("opening hours", "Open"),
                "opens": _("Opens at"),
                "closes": _("Closes at"),
                "reopens": _("Reopens at (after a break)"),
                "closes_again": _("Closes at (after the break)"),
                "copy_monday": _("Same hours as Monday from Tuesday to Friday"),
                "exceptions": _("Exceptions"),
                "public_holidays": _("Closed on public holidays"),
                "closed_day": _("A day it is closed"),
                "add_closed_day": _("Add this closed day"),
                "closed_days": _("Days it is closed"),
                "remove": _("Remove %(day)s"),
                "cannot_show": _(
                    "The week cannot show these hours: they stay as typed in the field "
                    "below (OpenStreetMap format)."
                ),
                "start_over": _("Replace them with an empty week"),
                "text": _("The same hours, in OpenStreetMap format (for experts)"),
                "days": "|".join(str(day) for day in DAY_NAMES),
            }
        )
        return context


# --- Translations ----------------------------------------------------------------------


@dataclass(frozen=True)
class TranslatedField:
    """One field of a translation: its key in the JSON, label and length."""

    key: str
    label: str
    max_length: int | None = None
    multiline: bool = False


class TranslationsWidget(forms.Widget):
    """One input per language and translated field, named ``<name>_<language>_<key>``.
    ``layout="tabs"``: a section per language, shown as tabs by the script (headings
    without it); ``"details"``: all languages in one collapsed ``<details>`` (an inline's
    row)."""

    template_name = "services_catalog/widgets/translations.html"

    def __init__(self, *, languages_: tuple[str, ...], fields, layout="tabs", attrs=None):
        super().__init__(attrs)
        self.languages = languages_
        self.fields = tuple(fields)
        self.layout = layout

    @property
    def media(self):
        return MEDIA

    def _subname(self, name, language, key) -> str:
        return f"{name}_{language}_{key}"

    def value_from_datadict(self, data, files, name):
        return {
            language: {
                field.key: data.get(self._subname(name, language, field.key), "")
                for field in self.fields
            }
            for language in self.languages
        }

    def value_omitted_from_data(self, data, files, name):
        return not any(
            self._subname(name, language, field.key) in data
            for language in self.languages
            for field in self.fields
        )

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        value = value if isinstance(value, dict) else {}
        base_id = (attrs or {}).get("id") or f"id_{name}"
        panels, filled = [], 0
        for language in self.languages:
            translation = value.get(language)
            translation = translation if isinstance(translation, dict) else {}
            inputs = [
                {
                    "name": self._subname(name, language, field.key),
                    "id": f"{base_id}_{language}_{field.key}",
                    "label": field.label,
                    "value": translation.get(field.key) or "",
                    "max_length": field.max_length,
                    "multiline": field.multiline,
                }
                for field in self.fields
            ]
            filled += any(item["value"] for item in inputs)
            panels.append(
                {
                    "code": language,
                    "id": f"{base_id}_{language}",
                    "name": get_language_info(language)["name_translated"],
                    "dir": languages.direction(language),
                    "inputs": inputs,
                }
            )
        context["widget"]["translations"] = {
            "id": base_id,
            "layout": self.layout,
            "panels": panels,
            "filled": filled,
            "count": len(self.languages),
        }
        return context

    def id_for_label(self, id_):
        # The field's label names the whole group; each input has a label of its own.
        return None


def _plain(value) -> dict:
    """``value`` as a dict (a JSON string from an old form, or a dict), never raising."""
    if isinstance(value, str):
        try:
            value = json.loads(value or "{}")
        except ValueError:
            return {}
    return value if isinstance(value, dict) else {}


class TranslationsField(forms.Field):
    """The JSON dict of translations, ``{"en": {"title": "...", ...}, ...}``, of the
    languages and fields given: empty texts are left out, and so is a language with none.
    Keys it does not edit are the form's to keep (``merge_translations``)."""

    default_error_messages = {
        "too_long": _("%(language)s, %(field)s: %(max)d characters at most (%(length)d typed)."),
    }

    def __init__(self, *, languages_, fields, layout="tabs", **kwargs):
        self.languages = tuple(languages_)
        self.translated_fields = tuple(fields)
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "widget",
            TranslationsWidget(
                languages_=self.languages, fields=self.translated_fields, layout=layout
            ),
        )
        super().__init__(**kwargs)

    def to_python(self, value) -> dict:
        value = _plain(value)
        cleaned = {}
        for language in self.languages:
            translation = _plain(value.get(language))
            texts = {
                field.key: str(translation.get(field.key) or "").strip()
                for field in self.translated_fields
            }
            texts = {key: text for key, text in texts.items() if text}
            if texts:
                cleaned[language] = texts
        return cleaned

    def validate(self, value) -> None:
        super().validate(value)
        errors = []
        for language, texts in value.items():
            for field in self.translated_fields:
                text = texts.get(field.key, "")
                if field.max_length and len(text) > field.max_length:
                    errors.append(
                        ValidationError(
                            self.error_messages["too_long"],
                            code="too_long",
                            params={
                                "language": get_language_info(language)["name_translated"],
                                "field": field.label,
                                "max": field.max_length,
                                "length": len(text),
                            },
                        )
                    )
        if errors:
            raise ValidationError(errors)

    def has_changed(self, initial, data) -> bool:
        return self.to_python(initial) != self.to_python(data)


def merge_translations(previous, edited: dict, *, languages_, keys) -> dict:
    """``previous`` (the stored dict) with the edited ``keys`` of ``languages_`` replaced
    by ``edited``'s: what the form does not show (another key, another language) stays."""
    merged = {
        language: dict(t) if isinstance(t, dict) else t for language, t in _plain(previous).items()
    }
    for language in languages_:
        translation = merged.get(language)
        translation = dict(translation) if isinstance(translation, dict) else {}
        for key in keys:
            text = edited.get(language, {}).get(key)
            if text:
                translation[key] = text
            else:
                translation.pop(key, None)
        if translation:
            merged[language] = translation
        else:
            merged.pop(language, None)
    return merged
