"""System checks of the vault: production must be able to open its keyring."""

from django.conf import settings
from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured


@register("vault")
def keyring_is_readable(app_configs=None, **kwargs):
    """Fail ``check`` and ``migrate`` (hence a deployment) when the keyring cannot be read.

    Without it, every document in the vault is out of reach; better to stop before
    serving anyone than to fail at the first upload.
    """
    if settings.VAULT_KEYRING_AUTOCREATE:
        return []  # the embedded default generates its own on first use
    from backend.crypto.keyring import load_keyring

    try:
        load_keyring()
    except (ImproperlyConfigured, OSError) as error:
        return [
            Error(
                f"The vault keyring cannot be read: {error}",
                hint="Set VAULT_KEYRING to the keyring's JSON, or VAULT_KEYRING_FILE to its "
                "path (see README.md, 'Keyring and rotation').",
                id="vault.E001",
            )
        ]
    return []
