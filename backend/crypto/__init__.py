"""The project's cryptography, shared by the vault and mentoring.

``aead``: small values sealed under a key, bound to a context; ``chunks``: the chunked
blob format of large files; ``keyring``: the master keys that live outside the database
and wrap every other key, with the registry of what one rotation re-wraps. The first two
are re-exported here (``from backend import crypto``; ``crypto.seal``, ``crypto.BlobHeader``).
"""

from .aead import KEY_BYTES, NONCE_BYTES, TAG_BYTES, IntegrityError, new_key, open_sealed, seal
from .chunks import (
    DEFAULT_CHUNK_SIZE,
    FORMAT_VERSION,
    HEADER_SIZE,
    MAGIC,
    MAX_CHUNK_SIZE,
    BlobHeader,
    ChunkEncryptor,
    decrypt_stream,
    verify_and_hash,
)

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "FORMAT_VERSION",
    "HEADER_SIZE",
    "KEY_BYTES",
    "MAGIC",
    "MAX_CHUNK_SIZE",
    "NONCE_BYTES",
    "TAG_BYTES",
    "BlobHeader",
    "ChunkEncryptor",
    "IntegrityError",
    "decrypt_stream",
    "new_key",
    "open_sealed",
    "seal",
    "verify_and_hash",
]
