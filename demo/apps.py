from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Demo data: installed in development and tests only (``backend/settings.py``)."""

    name = "demo"
    verbose_name = _("Demo data")
