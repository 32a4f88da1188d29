from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


class MentoringConfig(AppConfig):
    name = "mentoring"
    verbose_name = _("Mentoring")

    # Only what cannot be found by name: ``figures.py`` and ``personal_data.py`` are.
    def ready(self):
        from vault import keyring

        from . import conversations

        keyring.register_rewrapper("conversation keys", conversations.conversation_keys_rotate)
        post_save.connect(
            _schedule_document_reminders,
            sender="vault.Document",
            dispatch_uid="mentoring-document-expiry-reminders",
        )


def _schedule_document_reminders(sender, instance, **kwargs) -> None:
    # A paper with an expiry date is announced ahead, whatever saved it (upload, change).
    from .reminders import schedule_document

    schedule_document(instance)
