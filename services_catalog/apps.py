from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ServicesCatalogConfig(AppConfig):
    # ``figures.py`` and ``personal_data.py`` are found by name.
    name = "services_catalog"
    verbose_name = _("Catalogue of rights and services")

    def ready(self) -> None:
        post_migrate.connect(_ensure_version_triggers, sender=self)


def _ensure_version_triggers(using: str, **kwargs) -> None:
    # A migration that rebuilt a table on SQLite dropped its triggers: put them back.
    from . import version_triggers

    version_triggers.ensure(connections[using])
