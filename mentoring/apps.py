from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MentoringConfig(AppConfig):
    name = "mentoring"
    verbose_name = _("Mentoring")

    def ready(self):
        from accounts import figures as steering_figures
        from accounts import personal_data
        from backend.crypto import keyring
        from vault import ports as vault_ports
        from vault import signals as vault_signals

        from . import conversations, figures, selectors, services

        personal_data.register_exporter("mentoring", selectors.personal_data_export)
        keyring.register_rewrapper("conversation keys", conversations.conversation_keys_rotate)
        vault_ports.register_active_mentors(selectors.active_mentor_ids)
        vault_signals.document_expiry_changed.connect(
            _schedule_document_reminders, dispatch_uid="mentoring-document-expiry-reminders"
        )
        personal_data.register_eraser("mentoring", services.mentoring_erase)
        steering_figures.register_provider("mentoring", figures.provider, figures.TABLES)


def _schedule_document_reminders(sender, document, **kwargs) -> None:
    # A paper with an expiry date is announced ahead: on upload, and when its date changes.
    from .reminders import schedule_document

    schedule_document(document)
