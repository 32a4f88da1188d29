"""A zip archive written as a stream of bytes, for answers that never sit whole in memory."""

import io
import zipfile
from collections.abc import Iterable, Iterator
from datetime import datetime

from django.utils import timezone


class _Sink(io.RawIOBase):
    """A write-only, non-seekable file that hands back what was written to it."""

    def __init__(self):
        self._pieces: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self._pieces.append(bytes(data))
        return len(data)

    def drain(self) -> bytes:
        out = b"".join(self._pieces)
        self._pieces.clear()
        return out


class ZipStream:
    """Build a zip entry by entry; each method yields the bytes ready to send.

    Documents are already compressed (PDF, JPEG...), so entries are stored as they are.
    On a non-seekable sink, :mod:`zipfile` writes sizes in data descriptors after each
    entry, which every unzip tool reads.
    """

    def __init__(self):
        self._sink = _Sink()
        self._zip = zipfile.ZipFile(self._sink, mode="w", compression=zipfile.ZIP_STORED)

    def _info(self, path: str, modified: datetime | None) -> zipfile.ZipInfo:
        moment = timezone.localtime(modified) if modified else timezone.localtime()
        info = zipfile.ZipInfo(path, date_time=moment.timetuple()[:6])
        info.compress_type = zipfile.ZIP_STORED
        return info

    def add_file(
        self, path: str, pieces: Iterable[bytes], *, modified: datetime | None = None
    ) -> Iterator[bytes]:
        with self._zip.open(self._info(path, modified), mode="w", force_zip64=True) as entry:
            for piece in pieces:
                entry.write(piece)
                if ready := self._sink.drain():
                    yield ready
        yield self._sink.drain()

    def add_bytes(self, path: str, data: bytes) -> Iterator[bytes]:
        yield from self.add_file(path, [data])

    def close(self) -> Iterator[bytes]:
        self._zip.close()
        yield self._sink.drain()
