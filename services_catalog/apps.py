from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicesCatalogConfig(AppConfig):
    name = "services_catalog"
    verbose_name = _("Catalogue of rights and services")

    def ready(self) -> None:
        from accounts import figures as steering_figures
        from accounts import personal_data

        from . import figures
        from .personal_data import export_demarches

        personal_data.register_exporter("demarches", export_demarches)
        steering_figures.register_provider(
            "catalogue", figures.provider, figures.TABLES, forget=figures.forget_visitors
        )
