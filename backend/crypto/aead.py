"""Small values sealed with AES-256-GCM, bound to a context: keys, titles, messages.

``seal`` gives ``nonce (12 random bytes) | ciphertext and tag``; the ``context`` is the
associated data, so a sealed value opens only where it was sealed (its document, its
field, its conversation), never moved elsewhere.
"""

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16


class IntegrityError(Exception):
    """A blob or a wrapped key failed authentication: tampered, truncated or misplaced."""


def new_key() -> bytes:
    """A fresh random 256-bit key."""
    return AESGCM.generate_key(bit_length=256)


def seal(key: bytes, plaintext: bytes, *, context: bytes) -> bytes:
    """Encrypt a small value (a key, a title) bound to ``context``: nonce | ciphertext."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, context)


def open_sealed(key: bytes, sealed: bytes, *, context: bytes) -> bytes:
    """Decrypt what :func:`seal` produced with the same ``context``."""
    try:
        return AESGCM(key).decrypt(sealed[:NONCE_BYTES], bytes(sealed[NONCE_BYTES:]), context)
    except (InvalidTag, ValueError) as error:
        raise IntegrityError("sealed value failed authentication") from error
