from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MentoringConfig(AppConfig):
    name = "mentoring"
    verbose_name = _("Mentoring")

    # Only what cannot be found by name: ``figures.py`` and ``personal_data.py`` are.
    def ready(self):
        from backend.crypto import keyring
        from vault import ports as vault_ports
        from vault import signals as vault_signals

        from . import conversations, selectors

        keyring.register_rewrapper(
            "conversation keys",
            conversations.conversation_keys_rotate,
            count_by_version=conversations.conversation_keys_by_master_version,
        )
        vault_ports.register_active_mentors(selectors.active_mentor_ids)
        vault_signals.document_expiry_changed.connect(
            _schedule_document_reminders, dispatch_uid="mentoring-document-expiry-reminders"
        )


def _schedule_document_reminders(sender, document, **kwargs) -> None:
    # A paper with an expiry date is announced ahead: on upload, and when its date changes.
    from .agenda.reminders import schedule_document

    schedule_document(document)
