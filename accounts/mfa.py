"""Second-factor secrets (TOTP keys, recovery-code seeds) encrypted with the master keyring.

allauth keeps them in ``Authenticator.data`` and passes each one through the MFA
adapter's ``encrypt``/``decrypt`` (``MFA_ADAPTER``). Here they are sealed with the
keyring of ``backend.crypto`` (AES-256-GCM), so a copy of the database alone gives no
one the means to compute a staff member's codes. A sealed value reads
``jalon-keyring:<master key version>:<base64>``; rotating the master key re-wraps them
(``rewrap_all``, registered with the keyring in ``AccountsConfig.ready``).
"""

import base64
import binascii
from collections import Counter

from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from backend.crypto import aead
from backend.crypto.keyring import load_keyring

PREFIX = "jalon-keyring:"
# The associated data: a sealed MFA secret opens as an MFA secret only, never as a
# vault key or a message sealed under the same master key.
CONTEXT = b"jalon:mfa-secret:"

# The fields of ``Authenticator.data`` that allauth passes through ``encrypt``.
_SEALED_FIELDS = {
    Authenticator.Type.TOTP: ("secret",),
    Authenticator.Type.RECOVERY_CODES: ("seed", "migrated_codes"),
}


class SecretNotSealed(ImproperlyConfigured):
    """An MFA secret in the database is not sealed: it was written around the adapter."""


def seal_secret(text: str) -> str:
    """Seal an MFA secret under the current master key."""
    version, wrapped = load_keyring().wrap(text.encode(), context=CONTEXT)
    return f"{PREFIX}{version}:{base64.b64encode(wrapped).decode()}"


def _parse(sealed: str) -> tuple[str, bytes]:
    if not isinstance(sealed, str) or not sealed.startswith(PREFIX):
        raise SecretNotSealed("An MFA secret is stored in the clear; run the migrations.")
    version, _, payload = sealed[len(PREFIX) :].partition(":")
    try:
        return version, base64.b64decode(payload, validate=True)
    except binascii.Error:
        raise aead.IntegrityError("sealed MFA secret is not base64") from None


def open_secret(sealed: str) -> str:
    """Open what :func:`seal_secret` sealed (under whichever master key version)."""
    version, wrapped = _parse(sealed)
    return load_keyring().unwrap(version, wrapped, context=CONTEXT).decode()


def is_sealed(value) -> bool:
    """Whether ``value`` is a sealed MFA secret (rather than one in the clear)."""
    return isinstance(value, str) and value.startswith(PREFIX)


def sealed_version(sealed: str) -> str:
    """The master key version a sealed MFA secret is wrapped under."""
    return _parse(sealed)[0]


class MFAAdapter(DefaultMFAAdapter):
    """allauth's MFA adapter for Jalon: secrets are sealed at rest."""

    def encrypt(self, text: str) -> str:
        return seal_secret(text)

    def decrypt(self, encrypted_text: str) -> str:
        return open_secret(encrypted_text)


def _transform(data: dict, fields: tuple[str, ...], function) -> dict:
    """``data`` with ``function`` applied to each of ``fields`` (lists element-wise)."""
    data = dict(data)
    for field in fields:
        value = data.get(field)
        if isinstance(value, list):
            data[field] = [function(item) for item in value]
        elif value is not None:
            data[field] = function(value)
    return data


def _values(data: dict, fields: tuple[str, ...]):
    for field in fields:
        value = data.get(field)
        if isinstance(value, list):
            yield from value
        elif value is not None:
            yield value


def sealed_authenticators():
    """The authenticators whose data hold sealed secrets, for a rotation or a count."""
    return Authenticator.objects.filter(type__in=list(_SEALED_FIELDS)).order_by("pk")


def count_by_version() -> Counter:
    """How many authenticators hold a secret under each master key version."""
    counts: Counter = Counter()
    for authenticator in sealed_authenticators().iterator():
        fields = _SEALED_FIELDS[authenticator.type]
        versions = {sealed_version(value) for value in _values(authenticator.data, fields)}
        counts.update(versions)
    return counts


def rewrap_all() -> int:
    """Re-seal every MFA secret not under the current master key; return how many
    authenticators changed. Each one is re-sealed in its own short transaction, so a
    rotation can be interrupted and run again."""
    current = load_keyring().current
    changed = 0
    for pk in sealed_authenticators().values_list("pk", flat=True):
        with transaction.atomic():
            authenticator = Authenticator.objects.select_for_update().get(pk=pk)
            fields = _SEALED_FIELDS[authenticator.type]
            values = list(_values(authenticator.data, fields))
            if all(sealed_version(value) == current for value in values):
                continue
            authenticator.data = _transform(
                authenticator.data, fields, lambda value: seal_secret(open_secret(value))
            )
            authenticator.save(update_fields=["data"])
            changed += 1
    return changed


def _rewrite_secrets(authenticator_model, rewrite) -> int:
    # Both directions of the data migration: each secret through ``rewrite``, a row saved
    # only when it changed (so a second run changes nothing).
    changed = 0
    for authenticator in authenticator_model.objects.filter(type__in=list(_SEALED_FIELDS)):
        data = _transform(authenticator.data, _SEALED_FIELDS[authenticator.type], rewrite)
        if data != authenticator.data:
            authenticator.data = data
            authenticator.save(update_fields=["data"])
            changed += 1
    return changed


def seal_all_in_the_clear(authenticator_model) -> int:
    """Seal the secrets still in the clear (the data migration; it passes its model)."""
    return _rewrite_secrets(
        authenticator_model, lambda value: value if is_sealed(value) else seal_secret(value)
    )


def open_all_sealed(authenticator_model) -> int:
    """Put the sealed secrets back in the clear (the data migration, reversed)."""
    return _rewrite_secrets(
        authenticator_model, lambda value: open_secret(value) if is_sealed(value) else value
    )
