"""Form helpers shared by the admin pages."""

from django import forms
from django.db import models


def formfield_https_urls(field: models.Field, **kwargs):
    """``ModelForm`` field callback: a URL typed without a scheme gets ``https://``."""
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


def codes_field(choices, **kwargs) -> forms.MultipleChoiceField:
    """A JSON list of codes (``["housing", "studies"]``) edited as checkboxes showing the
    codes' labels: staff tick words, never type codes. Cleans to the list of ticked codes
    in the order of ``choices``."""
    kwargs.setdefault("required", False)
    return forms.MultipleChoiceField(choices=choices, widget=forms.CheckboxSelectMultiple, **kwargs)


def code_labels(codes, choices) -> str:
    """``"Logement, Études"``: the labels of a list of codes, for a read-only field; a code
    no longer in ``choices`` is shown as it is rather than hidden."""
    labels = dict(choices)
    return ", ".join(str(labels.get(code, code)) for code in codes or []) or "-"
