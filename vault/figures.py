"""The vault's part of the départements' figures: how many use it, and what they keep.

Counts only: never a document, a title or an owner.
"""

from datetime import datetime

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from accounts.figures import END, TableInfo
from accounts.figures.queries import ALL, count_cells, merge, tables

from .document_types import DocumentType
from .models import Document

SECTION = _("Document vault")
OWNER_DEPARTEMENT = "owner__profile__departement"

TABLES = {
    "vault.accounts": TableInfo(
        title=_("Accounts keeping documents in the vault"),
        unit=_("people"),
        section=SECTION,
        combine=END,
        cells={ALL: _("accounts with at least one document")},
    ),
    # No total: one person keeps several types, so the total would be documents, and
    # the total minus the shown types would point at a few people's papers.
    "vault.documents_by_type": TableInfo(
        title=_("Documents kept, by type"),
        unit=_("documents"),
        section=SECTION,
        combine=END,
        cells=dict(DocumentType.choices),
    ),
}


def provider(codes: list[str] | None, start: datetime, end: datetime) -> dict:
    """Vault users and documents by type, as kept at the end of the window."""
    kept = Document.objects.filter(created_at__lt=end)
    return merge(
        tables(
            "vault.accounts",
            count_cells(
                kept,
                departement=OWNER_DEPARTEMENT,
                codes=codes,
                people="owner",
                value=Count("owner", distinct=True),
            ),
        ),
        tables(
            "vault.documents_by_type",
            count_cells(
                kept,
                departement=OWNER_DEPARTEMENT,
                codes=codes,
                people="owner",
                cell="document_type",
            ),
        ),
    )
