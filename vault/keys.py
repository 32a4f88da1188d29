"""From the master keyring down to a document's data key, and sealed metadata fields.

Envelope encryption, three layers of keys, all AES-256-GCM (``backend/crypto/``):

* a **master keyring** outside the database (``backend/crypto/keyring.py``) wraps each
  user's key;
* a **user key** per young person wraps the data keys of their documents;
* a **data key** per document encrypts its file (``backend/crypto/chunks.py``) and its
  metadata (title, file name, tags, SHA-256 of the content).
"""

import uuid

from django.db import IntegrityError, transaction

from backend import crypto
from backend.crypto.keyring import load_keyring

from .models import Document, UserKey

_USER_KEY_CONTEXT = b"jalon/user-key/v1|"
_DATA_KEY_CONTEXT = b"jalon/data-key/v1|"
_FIELD_CONTEXT = b"jalon/field/v1|"


def _user_key_context(user_key_id: uuid.UUID) -> bytes:
    return _USER_KEY_CONTEXT + user_key_id.bytes + b"|"


def user_key_ensure(user) -> UserKey:
    """The user's key, created (and wrapped under the current master key) on first use."""
    existing = UserKey.objects.filter(user=user).first()
    if existing is not None:
        return existing
    key_id = uuid.uuid4()
    version, wrapped = load_keyring().wrap(crypto.new_key(), context=_user_key_context(key_id))
    try:
        with transaction.atomic():
            return UserKey.objects.create(
                id=key_id, user=user, master_key_version=version, wrapped_key=wrapped
            )
    except IntegrityError:  # created by a concurrent request
        return UserKey.objects.get(user=user)


def user_secret(user_key: UserKey) -> bytes:
    """The user's key in clear, for the time of one operation."""
    return load_keyring().unwrap(
        user_key.master_key_version,
        bytes(user_key.wrapped_key),
        context=_user_key_context(user_key.id),
    )


def person_secret(user) -> bytes:
    """A person's own key in clear (made on first use), unwrapped once per loaded row.

    What seals a person's metadata beyond their documents too (their appointments), so
    that shredding the key and rotating the master keyring cover it.
    """
    try:
        user_key = user.vault_key  # loaded with select_related("...vault_key"), or queried
    except UserKey.DoesNotExist:
        user_key = user_key_ensure(user)
        user.vault_key = user_key
    cached = user_key.__dict__.get("_secret")
    if cached is None:
        cached = user_key.__dict__["_secret"] = user_secret(user_key)
    return cached


def rewrap_user_key(user_key: UserKey) -> bool:
    """Wrap ``user_key`` under the keyring's current master key; False if it already was."""
    keyring = load_keyring()
    if user_key.master_key_version == keyring.current:
        return False
    secret = user_secret(user_key)
    user_key.master_key_version, user_key.wrapped_key = keyring.wrap(
        secret, context=_user_key_context(user_key.id)
    )
    return True


def wrap_data_key(secret: bytes, document_id: uuid.UUID, data_key: bytes) -> bytes:
    return crypto.seal(secret, data_key, context=_DATA_KEY_CONTEXT + document_id.bytes)


def data_key(secret: bytes, document: Document) -> bytes:
    """The document's data key, unwrapped with its owner's key ``secret``."""
    return crypto.open_sealed(
        secret, bytes(document.wrapped_data_key), context=_DATA_KEY_CONTEXT + document.id.bytes
    )


def seal_field(key: bytes, document_id: uuid.UUID, name: str, value: str) -> bytes:
    """Encrypt one metadata field of a document; bound to the document and the field."""
    context = _FIELD_CONTEXT + name.encode() + b"|" + document_id.bytes
    return crypto.seal(key, value.encode(), context=context)


def open_field(key: bytes, document_id: uuid.UUID, name: str, sealed: bytes) -> str:
    context = _FIELD_CONTEXT + name.encode() + b"|" + document_id.bytes
    return crypto.open_sealed(key, bytes(sealed), context=context).decode()
