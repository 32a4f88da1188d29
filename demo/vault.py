"""Demo documents for the demo young people (local use only): real, openable files.

Loading again adds only the demo documents whose type a demo young person does not keep
yet: what they keep (demo papers, or papers a developer uploaded) is never touched.
"""

import io
import struct
import zlib
from datetime import date, timedelta

from django.conf import settings
from django.utils import timezone

from accounts.models import User
from vault import keys, selectors, services
from vault.uploads import encrypt_file

DEMO_YOUNG_PEOPLE = ("jeune.93@demo.jalon.fr", "jeune.75@demo.jalon.fr")


def demo_pdf(title: str) -> bytes:
    """A one-page PDF that any viewer opens, saying it is a demo document."""
    text = f"BT /F1 18 Tf 60 760 Td ({title}) Tj 0 -30 Td (Document de demonstration Jalon) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text.encode("latin-1")),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def demo_png(width: int = 120, height: int = 80) -> bytes:
    """A small blue-grey PNG, standing for the photo of a card."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes([70, 110, 160]) * width
    pixels = zlib.compress(row * height)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def _demo_documents(today: date) -> list[dict]:
    return [
        {
            "document_type": "residence_permit",
            "title": "Titre de séjour",
            "name": "titre-de-sejour.pdf",
            "content": demo_pdf("Titre de sejour"),
            "issue_date": today - timedelta(days=300),
            "expiry_date": today + timedelta(days=65),  # renewal to prepare now
            "tags": ["préfecture"],
        },
        {
            "document_type": "health_insurance_card",
            "title": "Carte Vitale",
            "name": "carte-vitale.png",
            "content": demo_png(),
            "tags": [],
        },
        {
            "document_type": "jeune_majeur_contract",
            "title": "Contrat jeune majeur",
            "name": "contrat-jeune-majeur.pdf",
            "content": demo_pdf("Contrat jeune majeur"),
            "issue_date": today - timedelta(days=120),
            "expiry_date": today + timedelta(days=245),
            "tags": ["ASE"],
        },
    ]


def load_demo_vault() -> int:
    """Give the demo young people the demo documents they lack; returns how many were added.

    A document is the demo's when its owner and type are (the titles are encrypted); one
    of that type already there, demo or not, is kept as it is.
    """
    added = 0
    today = timezone.localdate()
    for user in User.objects.filter(email__in=DEMO_YOUNG_PEOPLE):
        # The types are sealed: opened here, one owner's few documents at a time.
        kept = {document.document_type for document in selectors.documents_for_user(user=user)}
        missing = [spec for spec in _demo_documents(today) if spec["document_type"] not in kept]
        if not missing:
            continue
        user_key = keys.user_key_ensure(user)
        for spec in missing:
            upload = encrypt_file(
                io.BytesIO(spec.pop("content")),
                file_name=spec.pop("name"),
                user_key_id=user_key.id,
                max_size=settings.VAULT_MAX_FILE_SIZE,
                chunk_size=settings.VAULT_CHUNK_SIZE,
            )
            services.document_create(owner=user, upload=upload, **spec)
            added += 1
    return added
