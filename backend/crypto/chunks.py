"""The chunked blob format: a large plaintext encrypted in authenticated chunks.

A blob is sealed under one data key (the vault's documents: see ``vault/keys.py`` for
how that key is kept), AES-256-GCM. Format version 1 (all integers big-endian)::

    header  = b"JALONVLT" | version (u8) | chunk size (u32)
              | document id (16 bytes) | user key id (16 bytes)
    chunk i = nonce (12 random bytes) | AES-GCM(data key, chunk i of the plaintext)
              with associated data = header | i (u64) | final flag (u8)

Every chunk but the last holds exactly ``chunk size`` bytes of plaintext; the last one
holds the rest (possibly nothing) and is the only one marked final. Binding each chunk
to the header (hence to its document), to its position and to finality means a chunk
that is flipped, reordered, dropped, moved to another blob, or a blob cut short or moved
to another document, fails authentication instead of giving wrong content.
"""

import hashlib
import os
import struct
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .aead import NONCE_BYTES, TAG_BYTES, IntegrityError

MAGIC = b"JALONVLT"
FORMAT_VERSION = 1
DEFAULT_CHUNK_SIZE = 256 * 1024
# A header may not ask a reader to hold more than this in memory for one chunk.
MAX_CHUNK_SIZE = 16 * 1024 * 1024
_HEADER = struct.Struct(">8sBI16s16s")
_CHUNK_POSITION = struct.Struct(">QB")
HEADER_SIZE = _HEADER.size


@dataclass(frozen=True)
class BlobHeader:
    document_id: uuid.UUID
    user_key_id: uuid.UUID
    chunk_size: int = DEFAULT_CHUNK_SIZE
    version: int = FORMAT_VERSION

    def pack(self) -> bytes:
        return _HEADER.pack(
            MAGIC, self.version, self.chunk_size, self.document_id.bytes, self.user_key_id.bytes
        )

    @classmethod
    def unpack(cls, raw: bytes) -> "BlobHeader":
        if len(raw) != HEADER_SIZE:
            raise IntegrityError("blob shorter than its header")
        magic, version, chunk_size, document_id, user_key_id = _HEADER.unpack(raw)
        if magic != MAGIC or version != FORMAT_VERSION or not 0 < chunk_size <= MAX_CHUNK_SIZE:
            raise IntegrityError("not a vault blob of a known format")
        return cls(uuid.UUID(bytes=document_id), uuid.UUID(bytes=user_key_id), chunk_size, version)


class ChunkEncryptor:
    """Encrypts a plaintext fed in pieces of any size, with bounded memory.

    ``feed`` returns the ciphertext pieces of the chunks completed so far, ``finish``
    the rest; write them in order.
    """

    def __init__(self, data_key: bytes, header: BlobHeader):
        self._aead = AESGCM(data_key)
        self._header = header.pack()
        self._chunk_size = header.chunk_size
        self._pending = bytearray()
        self._index = 0
        self._finished = False
        self.plaintext_size = 0

    def start(self) -> bytes:
        """The header, to write before any chunk."""
        return self._header

    def _seal_chunk(self, plaintext, *, final: bool) -> list[bytes]:
        nonce = os.urandom(NONCE_BYTES)
        associated = self._header + _CHUNK_POSITION.pack(self._index, int(final))
        self._index += 1
        return [nonce, self._aead.encrypt(nonce, plaintext, associated)]

    def feed(self, data: bytes) -> list[bytes]:
        if self._finished:
            raise ValueError("encryptor already finished")
        self.plaintext_size += len(data)
        size = self._chunk_size
        out: list[bytes] = []
        view = memoryview(data)
        pending = self._pending
        # A chunk is sealed only once more data follows it: only ``finish`` knows which
        # chunk is the last. Whole chunks are sealed straight from ``data``, uncopied.
        if pending:
            taken = min(len(view), size - len(pending))
            pending += view[:taken]
            view = view[taken:]
            if not view:
                return out
            out += self._seal_chunk(pending, final=False)
            pending.clear()
        while len(view) > size:
            out += self._seal_chunk(view[:size], final=False)
            view = view[size:]
        pending += view
        return out

    def finish(self) -> list[bytes]:
        self._finished = True
        last = self._seal_chunk(self._pending, final=True)
        self._pending = bytearray()
        return last


def _read_exactly(blob: BinaryIO, size: int) -> bytes:
    parts = []
    remaining = size
    while remaining:
        part = blob.read(remaining)
        if not part:
            break
        parts.append(part)
        remaining -= len(part)
    return b"".join(parts)


def decrypt_stream(
    blob: BinaryIO, data_key: bytes, *, document_id: uuid.UUID, user_key_id: uuid.UUID
) -> Iterator[bytes]:
    """Yield the plaintext of ``blob``, chunk by chunk, each authenticated before it is given.

    Raises :class:`IntegrityError` as soon as anything does not authenticate: a wrong
    document, a changed byte, chunks reordered, dropped or added, a blob cut short.
    """
    header_bytes = _read_exactly(blob, HEADER_SIZE)
    header = BlobHeader.unpack(header_bytes)
    if header.document_id != document_id or header.user_key_id != user_key_id:
        raise IntegrityError("blob belongs to another document")
    aead = AESGCM(data_key)
    record_size = NONCE_BYTES + header.chunk_size + TAG_BYTES
    index = 0
    record = _read_exactly(blob, record_size)
    while True:
        following = _read_exactly(blob, record_size) if len(record) == record_size else b""
        final = not following
        if len(record) < NONCE_BYTES + TAG_BYTES:
            raise IntegrityError("blob cut short")
        associated = header_bytes + _CHUNK_POSITION.pack(index, int(final))
        try:
            yield aead.decrypt(record[:NONCE_BYTES], record[NONCE_BYTES:], associated)
        except InvalidTag as error:
            raise IntegrityError(f"chunk {index} failed authentication") from error
        if final:
            return
        record = following
        index += 1


def verify_and_hash(pieces: Iterable[bytes]) -> tuple[str, int]:
    """Consume decrypted pieces; return their SHA-256 (hex) and total size."""
    digest = hashlib.sha256()
    size = 0
    for piece in pieces:
        digest.update(piece)
        size += len(piece)
    return digest.hexdigest(), size
