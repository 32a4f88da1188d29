from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MentoringConfig(AppConfig):
    name = "mentoring"
    verbose_name = _("Mentoring")

    def ready(self):
        from accounts import personal_data
        from vault import keyring

        from . import conversations, selectors, services

        personal_data.register_exporter("mentoring", selectors.personal_data_export)
        keyring.register_rewrapper("conversation keys", conversations.conversation_keys_rotate)
        personal_data.register_eraser("mentoring", services.mentoring_erase)
