"""Readable history pages in the admin (django-simple-history).

django-simple-history's page lists each change as raw values: ``None → 2026-12-02
04:54:35.056903+00:00``, ``pending → approved``, ``Deleted utilisateur (pk=5)``.
``ReadableHistoryAdmin`` (a ``SimpleHistoryAdmin``) shows them as staff see them on the
object's page: the field's label, a choice's label (a code list's labels too, when the
admin's form or the model knows its choices), dates and times in French in Paris time,
Oui/Non, "-" for nothing, a related object by its name, a deleted account as such, long
text shortened. An app switches to it by importing it in place of ``SimpleHistoryAdmin``.

Backend imports no app: the choices come from the model, the app's own admin form, the
apps' vocabularies (``backend.vocabulary``), or ``history_choices`` on the admin.
"""

import dataclasses
import datetime
import json
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone
from django.utils.html import conditional_escape
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import DeletedObject, ModelChange
from simple_history.template_utils import HistoricalRecordContextHelper

from .vocabulary import vocabulary_sources

EMPTY = "-"
# Longer values are cut (a description, a transcript): the version's own page has them whole.
MAX_CHARACTERS = 120
# How much of the text before a change is kept, to see where it is.
CONTEXT_CHARACTERS = 30

DELETED_ACCOUNT = _("deleted account")

ACTIONS = {
    "+": _("Creation"),
    "~": _("Modification"),
    "-": _("Deletion"),
}


def _labels(choices: Iterable | None) -> dict:
    """``{code: label}`` of flat or grouped choices, without the empty choice."""
    labels = {}
    for value, label in choices or ():
        if isinstance(label, (list, tuple)):
            labels.update(_labels(label))
        elif value not in ("", None):  # a form's "---------": nothing is "-" here
            labels[value] = label
    return labels


def _label(labels: Mapping, value: Any) -> Any:
    try:
        return labels.get(value, value)
    except TypeError:  # an unhashable value (a list in a scalar field) has no label
        return value


def _scalar(value: Any, field: models.Field | None, labels: Mapping) -> str:
    if isinstance(value, DeletedObject):
        if value.pk is None:  # django-simple-history's way of saying "no object"
            return EMPTY
        if value.model is get_user_model():
            return str(DELETED_ACCOUNT)
        return gettext("%(model)s (deleted)") % {"model": value.model._meta.verbose_name}
    value = _label(labels, value)
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return formats.date_format(value, "DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "DATE_FORMAT")
    if isinstance(value, datetime.time):
        return formats.time_format(value, "TIME_FORMAT")
    if isinstance(value, (int, float)) or (
        isinstance(field, models.DecimalField) and value is not None
    ):
        return formats.number_format(value, getattr(field, "decimal_places", None))
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def history_value(
    value: Any,
    field: models.Field | None = None,
    choices: Iterable | None = None,
    *,
    limit: int | None = MAX_CHARACTERS,
) -> str:
    """``value`` of ``field`` as staff read it on the object's page (plain text, cut
    to ``MAX_CHARACTERS``): a choice's label, a code list's labels, a French date in
    Paris time, Oui/Non, a related object's name, "-" for nothing.

    ``choices`` are those of the field (for a JSON list of codes, of its items; for a
    JSON mapping, of its values); without them the model field's own are used.
    ``limit=None`` keeps the whole text."""
    labels = _labels(choices if choices is not None else getattr(field, "flatchoices", None))
    if isinstance(field, models.BooleanField) and value is None:
        text = EMPTY
    elif isinstance(value, (list, tuple)):
        text = ", ".join(_scalar(item, None, labels) for item in value) or EMPTY
    elif isinstance(value, dict):
        text = (
            "; ".join(
                gettext("%(key)s: %(value)s")
                % {
                    "key": _key_name(key, field),
                    "value": history_value(item, field, choices, limit=None),
                }
                for key, item in value.items()
            )
            or EMPTY
        )
    else:
        text = _scalar(value, field, labels)
    return Truncator(text).chars(limit) if limit else text


def _key_name(key: Any, field: models.Field | None) -> str:
    """A mapping's key in words: a language code (translations) by the language's
    name, a field's name (a translation's ``title``) by its label; another as it is."""
    languages = dict(settings.LANGUAGES)
    if key in languages:
        return str(languages[key])
    if field is not None:
        try:
            return str(field.model._meta.get_field(key).verbose_name)
        except (FieldDoesNotExist, TypeError):
            pass
    return str(key)


def _shortened_pair(old: str, new: str) -> tuple[str, str]:
    """Two long texts cut to ``MAX_CHARACTERS`` from a little before where they start to
    differ: a word changed at the end of a description shows that word."""
    if max(len(old), len(new)) <= MAX_CHARACTERS:
        return old, new
    same = next(
        (i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b),
        min(len(old), len(new)),
    )
    if same > CONTEXT_CHARACTERS:
        start = old.rfind(" ", 0, same - CONTEXT_CHARACTERS) + 1
        old, new = f"…{old[start:]}", f"…{new[start:]}"
    return Truncator(old).chars(MAX_CHARACTERS), Truncator(new).chars(MAX_CHARACTERS)


def _only_changed_keys(old: Any, new: Any) -> tuple[Any, Any]:
    """Of two mappings, the keys whose value changed: a change to the English
    translation shows the English one, not every language."""
    if not isinstance(old, dict) or not isinstance(new, dict):
        return old, new
    keys = [key for key in {**old, **new} if old.get(key) != new.get(key)]
    return {k: old[k] for k in keys if k in old}, {k: new[k] for k in keys if k in new}


def _vocabulary_for(field: models.Field) -> Iterable | None:
    """The words of a JSON code list from the apps' vocabularies (``backend.vocabulary``),
    found by name: the field's own (``publics``), with its app's prefix
    (``mentoring_domains``), or the only one it begins (``availability_slots``)."""
    words = vocabulary_sources()
    name = field.name
    for candidate in (name, f"{field.model._meta.app_label}_{name}"):
        if candidate in words:
            return words[candidate]
    starting = [key for key in words if key.startswith(f"{name}_")]
    return words[starting[0]] if len(starting) == 1 else None


class ReadableHistoryContextHelper(HistoricalRecordContextHelper):
    """django-simple-history's formatting of one change, with ``history_value``."""

    def __init__(self, model, historical_record, *, choices: Mapping[str, Iterable], **kwargs):
        super().__init__(model, historical_record, **kwargs)
        self.choices = choices

    def format_delta_change(self, change: ModelChange) -> ModelChange:
        field = self.model._meta.get_field(change.field)
        old = self.prepare_delta_change_value(change, change.old)
        new = self.prepare_delta_change_value(change, change.new)
        old, new = _only_changed_keys(old, new)
        choices = self.choices.get(change.field)
        old, new = _shortened_pair(
            history_value(old, field, choices, limit=None),
            history_value(new, field, choices, limit=None),
        )
        return dataclasses.replace(
            change,
            field=capfirst(field.verbose_name),
            old=conditional_escape(old),
            new=conditional_escape(new),
        )


class ReadableHistoryAdmin(SimpleHistoryAdmin):
    """``SimpleHistoryAdmin`` whose history page reads as the object's page does
    (``history_value``), in four columns: when (a link to that version), what, who
    (a deleted account as such) and the changes."""

    object_history_list_template = "simple_history/readable_history_list.html"
    # {field name: choices} for a field whose codes the admin's form does not offer
    # (a read-only code list); the model's and the form's choices are found alone.
    history_choices: Mapping[str, Iterable] = {}

    def history_view_title(self, request, obj):
        return gettext("History: %s") % obj

    def history_choices_for(self, request) -> dict[str, list]:
        """The choices known for each of the model's fields: the admin form's (its
        declared fields: code lists as checkboxes, per-key fields of a mapping named
        ``<field without its final s>_<key>``), the admin's form field for the model
        field, then ``history_choices``."""
        form_fields = dict(getattr(self.form, "base_fields", {}))
        found: dict[str, list] = {}
        for field in self.model._meta.concrete_fields:
            if field.is_relation:
                continue
            form_field = form_fields.get(field.name)
            if form_field is None and isinstance(field, models.JSONField):
                form_field = self.formfield_for_dbfield(field, request=request)
            choices = list(getattr(form_field, "choices", None) or ())
            if not choices and isinstance(field, models.JSONField):
                prefix = field.name.removesuffix("s") + "_"
                for name, per_key in form_fields.items():
                    if name.startswith(prefix):
                        choices += list(getattr(per_key, "choices", None) or ())
            if not choices and isinstance(field, models.JSONField):
                choices = list(_vocabulary_for(field) or ())
            if choices:
                found[field.name] = choices
        found.update({name: list(choices) for name, choices in self.history_choices.items()})
        return found

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        request.jalon_history_choices = self.history_choices_for(request)
        super().set_history_delta_changes(request, historical_records, foreign_keys_are_objs)
        user_model = get_user_model()
        may_open_accounts = request.user.has_perm(
            f"{user_model._meta.app_label}.view_{user_model._meta.model_name}"
        )
        for record in historical_records:
            record.jalon_action = ACTIONS.get(record.history_type, record.history_type)
            record.jalon_author, record.jalon_author_url = self._author(record, may_open_accounts)

    def get_historical_record_context_helper(self, request, historical_record):
        choices = getattr(request, "jalon_history_choices", None)
        if choices is None:
            choices = request.jalon_history_choices = self.history_choices_for(request)
        return ReadableHistoryContextHelper(self.model, historical_record, choices=choices)

    def _author(self, record, may_open_accounts: bool) -> tuple[str, str | None]:
        """Who made the change, and the address of their account when one may open it.
        No one (an import, a task, or an account erased since: its id is blanked) is "-"."""
        if record.history_user_id is None:
            return EMPTY, None
        try:
            user = record.history_user
        except ObjectDoesNotExist:  # the id of an account deleted without its erasure
            user = None
        if user is None:
            return str(DELETED_ACCOUNT), None
        if not may_open_accounts:
            return str(user), None
        opts = user._meta
        try:
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[user.pk])
        except NoReverseMatch:
            url = None
        return str(user), url
