from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AutonomyConfig(AppConfig):
    """The path to autonomy: the legal milestones, the projet, the assessment, the check-ins."""

    name = "autonomy"
    verbose_name = _("Path to autonomy")

    # Only what cannot be found by name: ``figures.py`` and ``personal_data.py`` are.
    def ready(self):
        from referents import selectors as referents_selectors

        from . import selectors

        referents_selectors.register_attention_provider(selectors.attention_for_links)
        referents_selectors.register_attention_provider(selectors.help_calls_for_links)
