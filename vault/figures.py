"""The vault's part of the départements' figures: how many use it, and what they keep.

Counts and sizes only: never a document, a title or an owner; by the documents' clear
``category`` (identity papers, health papers...), never by their type, which is sealed.
Found by the figures app by its name; its tables also draw the vault's usage page in the
admin (``USAGE``).
"""

from datetime import datetime

from django.db.models import Count, Sum
from django.utils.translation import gettext_lazy as _

from backend.aggregates import ALL, END, TableInfo, count_cells, merge, tables

from .document_types import DocumentCategory
from .models import Document

SECTION = _("Document vault")
OWNER_DEPARTEMENT = "owner__profile__departement"
ACCOUNTS = "vault.accounts"
DOCUMENTS_BY_TYPE = "vault.documents_by_type"
SIZE_BY_TYPE = "vault.size_by_type"
USAGE = [ACCOUNTS, DOCUMENTS_BY_TYPE, SIZE_BY_TYPE]  # the usage page's tables

TABLES = {
    ACCOUNTS: TableInfo(
        title=_("Accounts keeping documents in the vault"),
        unit=_("people"),
        section=SECTION,
        combine=END,
        cells={ALL: _("accounts with at least one document")},
    ),
    # No total: one person keeps several types, so the total would be documents, and
    # the total minus the shown types would point at a few people's papers.
    DOCUMENTS_BY_TYPE: TableInfo(
        title=_("Documents kept, by kind"),
        unit=_("documents"),
        section=SECTION,
        combine=END,
        cells=dict(DocumentCategory.choices),
    ),
    # No total either, for the same reason: the bytes of a type come from its owners.
    SIZE_BY_TYPE: TableInfo(
        title=_("Size of the documents kept, by kind"),
        unit=_("bytes"),
        section=SECTION,
        combine=END,
        cells=dict(DocumentCategory.choices),
    ),
}


def provider(codes: list[str] | None, start: datetime, end: datetime) -> dict:
    """Vault users, documents and bytes by kind, as kept at the end of the window."""
    kept = Document.objects.filter(created_at__lt=end)
    by_type = {"departement": OWNER_DEPARTEMENT, "codes": codes, "people": "owner"}
    return merge(
        tables(
            ACCOUNTS,
            count_cells(
                kept,
                departement=OWNER_DEPARTEMENT,
                codes=codes,
                people="owner",
                value=Count("owner", distinct=True),
            ),
        ),
        tables(DOCUMENTS_BY_TYPE, count_cells(kept, cell="category", **by_type)),
        tables(SIZE_BY_TYPE, count_cells(kept, cell="category", value=Sum("size"), **by_type)),
    )
