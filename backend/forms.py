"""Form helpers shared by the admin pages."""

from django.db import models


def formfield_https_urls(field: models.Field, **kwargs):
    """``ModelForm`` field callback: a URL typed without a scheme gets ``https://``."""
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)
