"""Small files of every kind the vault meets, built in code (no binary fixtures).

Only their first and last bytes matter to the vault's type check; the rest is random,
so that a round trip proves the content came back byte for byte.
"""

import os
import struct
import zlib


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def pdf(size: int = 4096, marker: bytes = b"") -> bytes:
    head = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" + marker
    tail = b"\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
    return head + os.urandom(max(0, size - len(head) - len(tail))) + tail


def jpeg(size: int = 4096) -> bytes:
    head = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    return head + os.urandom(max(0, size - len(head) - 2)) + b"\xff\xd9"


def png(size: int = 4096) -> bytes:
    ihdr = _png_chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
    head = b"\x89PNG\r\n\x1a\n" + ihdr
    end = _png_chunk(b"IEND", b"")
    filler = _png_chunk(b"tEXt", os.urandom(max(0, size - len(head) - len(end) - 12)))
    return head + filler + end


def webp(size: int = 4096) -> bytes:
    body = b"WEBPVP8 " + os.urandom(max(0, size - 16))
    return b"RIFF" + struct.pack("<I", len(body)) + body


def heic(size: int = 4096) -> bytes:
    ftyp = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"
    return ftyp + os.urandom(max(0, size - len(ftyp)))


def windows_executable(size: int = 4096) -> bytes:
    return b"MZ\x90\x00\x03\x00\x00\x00" + os.urandom(size - 8)


def fake_pdf() -> bytes:
    """Text that starts like a PDF but is not one (no end-of-file marker)."""
    return b"%PDF-1.4\n<script>alert('not a document')</script>\n" * 20


FORMATS = {
    "application/pdf": ("releve.pdf", pdf),
    "image/jpeg": ("photo.jpg", jpeg),
    "image/png": ("scan.png", png),
    "image/webp": ("scan.webp", webp),
    "image/heic": ("IMG_0042.HEIC", heic),
}
