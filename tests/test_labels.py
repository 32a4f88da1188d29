"""Everything the admin shows of a model has a French label: the staff of a département
read French, and a field without one shows its English code name ("closed at")."""

from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import trans_real


def _project_models():
    base = Path(settings.BASE_DIR)
    for config in apps.get_app_configs():
        if "site-packages" in config.path or not Path(config.path).is_relative_to(base):
            continue
        for model in config.get_models():
            # simple_history's copies: their labels are the library's, built from ours.
            if not model.__name__.startswith("Historical"):
                yield model


def _labels(model):
    yield "(model)", model._meta.verbose_name
    yield "(plural)", model._meta.verbose_name_plural
    for field in model._meta.get_fields():
        if field.auto_created and not field.concrete:
            continue  # a relation seen from the other side: labelled there
        if field.auto_created and field.primary_key:
            continue  # Django's "ID"
        yield field.name, field.verbose_name


def test_every_model_and_field_has_a_french_label():
    """Each label is marked for translation and the French catalogue translates it (a
    label may be French already, such as "département": it is still in the catalogue)."""
    french = trans_real.translation("fr")._catalog
    missing = []
    for model in _project_models():
        for name, label in _labels(model):
            with translation.override("en"):
                msgid = str(label)
            if not isinstance(label, Promise) or not french.get(msgid):
                missing.append(f"{model._meta.label}.{name}: {msgid!r}")
    assert not missing, "labels with no French translation:\n" + "\n".join(missing)
