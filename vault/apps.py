from django.apps import AppConfig
from django.db.models.signals import pre_delete
from django.utils.translation import gettext_lazy as _


class VaultConfig(AppConfig):
    name = "vault"
    verbose_name = _("Document vault")

    # Only what cannot be found by name: ``figures.py`` and ``personal_data.py`` are.
    def ready(self):
        from backend.crypto import keyring

        from . import checks, selectors, services  # noqa: F401 - checks register

        pre_delete.connect(
            services.journal_blob_of_deleted_document,
            sender="vault.Document",
            dispatch_uid="vault-journal-deleted-blob",
        )
        keyring.register_rewrapper(
            "user keys",
            services.master_key_rotate,
            count_by_version=selectors.user_keys_by_master_version,
        )
