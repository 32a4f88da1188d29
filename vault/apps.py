from django.apps import AppConfig
from django.db.models.signals import pre_delete
from django.utils.translation import gettext_lazy as _


class VaultConfig(AppConfig):
    name = "vault"
    verbose_name = _("Document vault")

    def ready(self):
        from accounts import figures as steering_figures
        from accounts import personal_data
        from backend.crypto import keyring

        from . import checks, figures, selectors, services  # noqa: F401 - checks register

        pre_delete.connect(
            services.journal_blob_of_deleted_document,
            sender="vault.Document",
            dispatch_uid="vault-journal-deleted-blob",
        )
        personal_data.register_exporter("vault", selectors.personal_data_export)
        personal_data.register_eraser("vault", services.vault_erase)
        keyring.register_rewrapper("user keys", services.master_key_rotate)

        steering_figures.register_provider("vault", figures.provider, figures.TABLES)
