"""Which files the vault accepts, judged by their content, never by name or declared type."""

import filetype

# What the phones produce and what administrations send: scans, photos and PDFs.
ACCEPTED_TYPES = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "image/heic": "heic",
}
HEAD_BYTES = 8192  # enough for every signature filetype knows
TAIL_BYTES = 1024


def detect_content_type(head: bytes, tail: bytes) -> str | None:
    """The MIME type of a file from its first and last bytes, or None if not accepted.

    A PDF must also end like one (``%%EOF`` near the end): a text file that merely
    starts with ``%PDF-`` is not a PDF.
    """
    kind = filetype.guess(head)
    if kind is None or kind.mime not in ACCEPTED_TYPES:
        return None
    if kind.mime == "application/pdf" and b"%%EOF" not in tail:
        return None
    return kind.mime
