from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FiguresConfig(AppConfig):
    # Nothing to wire in ready(): providers are found by name (``registry``), and the
    # admin pages are plugged in by ``admin.py``, which Django's admin finds by name too.
    name = "figures"
    verbose_name = _("Steering figures")
