from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferentsConfig(AppConfig):
    """Référents: the professionals a young person links, scope by scope, and ``/pro/``."""

    name = "referents"
    verbose_name = _("Référents")

    # Only what cannot be found by name: ``figures.py`` and ``personal_data.py`` are.
    def ready(self):
        from vault import ports as vault_ports

        from . import selectors

        vault_ports.register_linked_referents(selectors.linked_referent_ids)
