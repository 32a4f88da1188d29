from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicesCatalogConfig(AppConfig):
    # Nothing to wire in ready(): ``figures.py`` and ``personal_data.py`` are found by name.
    name = "services_catalog"
    verbose_name = _("Catalogue of rights and services")
