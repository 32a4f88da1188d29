"""Reads on the vault. Metadata is decrypted here, for the owner's eyes only."""

import json
import logging
import operator
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import reduce

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.figures import Cell, Table, TableInfo
from accounts.figures.suppression import TOTAL, gives_back, hidden_cells
from backend import crypto

from . import keys, ports
from .document_types import DocumentType
from .file_types import ACCEPTED_TYPES
from .models import AccessEvent, Document, Share, UserKey

logger = logging.getLogger(__name__)


def documents_of(owner) -> QuerySet[Document]:
    return Document.objects.filter(owner=owner).select_related("user_key")


def documents_expiring(queryset: QuerySet[Document], days: int) -> QuerySet[Document]:
    """Documents whose expiry date falls between today and ``days`` days from now (Paris)."""
    today = timezone.localdate()
    return queryset.filter(expiry_date__gte=today, expiry_date__lte=today + timedelta(days=days))


def documents_with_metadata(*, owner, documents: Iterable[Document]) -> list[Document]:
    """``owner``'s ``documents`` with ``title``, ``file_name``, ``tags`` and ``sha256``
    decrypted onto them. One unwrap of the owner's key for the whole list."""
    documents = [document for document in documents if document.owner_id == owner.pk]
    if not documents:
        return documents
    user_key = UserKey.objects.get(user=owner)
    secret = keys.user_secret(user_key)
    for document in documents:
        decrypt_metadata(document, secret)
    return documents


def decrypt_metadata(document: Document, secret: bytes) -> Document:
    """Put the document's title, file name, tags and SHA-256 on it, decrypted.

    A document whose fields fail authentication is marked ``damaged`` (and logged)
    instead of failing the list, the export or the account's export with it.
    """
    try:
        data_key = keys.data_key(secret, document)

        def field(name: str) -> str:
            sealed = getattr(document, f"encrypted_{name}")
            return keys.open_field(data_key, document.id, name, sealed)

        document.title = field("title")
        document.file_name = field("filename")
        document.tags = json.loads(field("tags"))
        document.sha256 = field("sha256")
        document.damaged = False
    except crypto.IntegrityError:
        logger.error("Vault document %s: its details failed authentication", document.id)
        document.title, document.file_name, document.tags, document.sha256 = "", "", [], ""
        document.damaged = True
    return document


def document_of_owner(owner, document_id) -> Document:
    """The owner's document with its metadata, or 404 (never 403: no hint it exists)."""
    document = documents_of(owner).filter(pk=document_id).first()
    if document is None:
        raise Http404
    return decrypt_metadata(document, keys.user_secret(document.user_key))


def archive_name(document: Document, *, with_file_name: bool = True) -> str:
    """A safe file name for the document in an export or a download.

    Without ``with_file_name`` (what others receive through a share), it is made from
    the title only: an original name can say more than its owner chose to share.
    """
    original = document.file_name if with_file_name else ""
    stem = re.sub(r"[^\w.-]+", "_", original or document.title).strip("._")[:80]
    extension = ACCEPTED_TYPES[document.content_type]
    if not stem.lower().endswith(f".{extension}"):
        stem = f"{stem or document.document_type}.{extension}"
    return stem


def manifest_entry(document: Document) -> dict:
    return {
        "id": str(document.id),
        "document_type": document.document_type,
        "title": document.title,
        "file_name": document.file_name,
        "content_type": document.content_type,
        "size": document.size,
        "sha256": document.sha256,
        "issue_date": document.issue_date.isoformat() if document.issue_date else None,
        "expiry_date": document.expiry_date.isoformat() if document.expiry_date else None,
        "tags": document.tags,
        "created_at": document.created_at.isoformat(),
        "damaged": document.damaged,
    }


def access_log(owner) -> QuerySet[AccessEvent]:
    return AccessEvent.objects.filter(owner=owner)


def access_log_rows(owner) -> list[dict]:
    return [
        {
            "at": event.created_at.isoformat(),
            "action": event.action,
            "actor": event.actor,
            "document_id": str(event.document_id),
            "document_type": event.document_type,
            "share_id": str(event.share_id) if event.share_id else None,
        }
        for event in access_log(owner).iterator()
    ]


def shares_of_document(document: Document) -> QuerySet[Share]:
    return document.shares.all()


def share_for_mentor(mentor, share_id) -> Share:
    """A document shared with ``mentor``, while the share is valid and the match active."""
    share = (
        Share.objects.select_related("document", "document__user_key", "document__owner")
        .filter(pk=share_id, kind=Share.Kind.MENTOR, mentor=mentor)
        .first()
    )
    if share is None or not share.is_usable():
        raise Http404
    if ports.active_mentor_id(share.document.owner_id) != mentor.pk:
        raise Http404
    return share


def shares_for_mentor(mentor) -> list[Share]:
    """Valid shares with ``mentor`` from young people they are still paired with.

    Two queries, however many shares: the shares with their documents and owners' keys
    (what showing them needs), then the owners' active mentors, all at once.
    """
    now = timezone.now()
    shares = list(
        Share.objects.select_related("document", "document__user_key")
        .filter(kind=Share.Kind.MENTOR, mentor=mentor, revoked_at__isnull=True)
        .exclude(expires_at__lte=now)
    )
    mentors = ports.active_mentors({share.document.owner_id for share in shares})
    return [share for share in shares if mentors.get(share.document.owner_id) == mentor.pk]


def personal_data_export(user) -> dict:
    """The vault's part of ``/api/v1/me/export/``: what is kept, and where to get the files."""
    documents = documents_with_metadata(owner=user, documents=documents_of(user))
    return {
        "files": "GET /api/v1/vault/export/ gives every document in its original format.",
        "documents": [manifest_entry(document) for document in documents],
        "shares": [
            {
                "document_id": str(share.document_id),
                "kind": share.kind,
                "created_at": share.created_at.isoformat(),
                "expires_at": share.expires_at.isoformat() if share.expires_at else None,
                "revoked_at": share.revoked_at.isoformat() if share.revoked_at else None,
                "use_count": share.use_count,
            }
            for share in Share.objects.filter(document__owner=user)
        ],
        "access_log": access_log_rows(user),
    }


def vault_usage(departement_codes=None, threshold: int | None = None) -> dict:
    """Counts and sizes for the admin panel, never a title, a name or a person.

    ``departement_codes`` limits the figures to young people of those départements
    (None: everywhere). Small counts are hidden as in the steering figures
    (``accounts.figures.suppression``): a hidden figure is None, shown as ``hidden``.

    A type from fewer than ``threshold`` owners is hidden. Documents and bytes add up
    to the totals, so the totals minus the shown types give the hidden types' sum: the
    totals are hidden unless the hidden types together come from ``threshold``
    *distinct* owners. Not rule 3's secondary suppression (``partition``): owners do not
    add up (one person keeps several types, so 3 + 3 may be 3 people), and hiding more
    types would not help, as ``vault.figures`` publishes each type on its own.

    Over several départements, a type (the owners, the totals) is also hidden when
    hidden in only one of them, or in some standing together for fewer than
    ``threshold`` people: their own figures would be subtracted from it, as in ``report``.
    """
    threshold = settings.FIGURES_MIN_PEOPLE if threshold is None else threshold
    # Only the types offered: a type no longer offered would be in the totals and no row.
    documents = Document.objects.order_by().filter(document_type__in=DocumentType.values)
    if departement_codes is not None:
        documents = documents.filter(**{f"{_OWNER_DEPARTEMENT}__in": departement_codes})
    parts = _usage_by_departement(documents)
    scope = _sum_usage(parts.values())

    # What each département shows on its own (page and figures), then what may show here.
    hidden_in = {code: _hidden_types(part, threshold) for code, part in parts.items()}
    forced = frozenset(
        key
        for key in DocumentType.values
        if gives_back(
            [
                part.cells[key].people
                for code, part in parts.items()
                if key in hidden_in[code] and part.cells[key].people
            ],
            threshold,
        )
    )
    hidden = _hidden_types(scope, threshold, forced)
    # Owners behind what the totals minus every shown figure leave: per département, and
    # here (what is hidden here and in the département's own figures).
    residual = _owners_of(documents, {code: hidden_in[code] for code in parts})
    left_over = _owners_of(documents, {code: hidden_in[code] & hidden for code in parts})
    total_hidden_in = {
        code
        for code, part in parts.items()
        if TOTAL in hidden_in[code] or (hidden_in[code] and residual.get(code, 0) < threshold)
    }
    owners_hidden = scope.total.people < threshold or gives_back(
        [part.total.people for part in parts.values() if 0 < part.total.people < threshold],
        threshold,
    )
    totals_hidden = (
        TOTAL in hidden
        or (hidden and sum(left_over.values()) < threshold)
        or gives_back(
            [parts[code].total.people for code in total_hidden_in if parts[code].total.people],
            threshold,
        )
    )
    small, secret = f"< {threshold}", _("secret")  # as in the figures (report.text_of)
    rows = [
        {
            "type": key,
            "label": label,
            "documents": None if key in hidden else scope.cells[key].value,
            "total_size": None if key in hidden else scope.sizes[key],
            "hidden_as": small if scope.cells[key].people < threshold else secret,
        }
        for key, label in DocumentType.choices
    ]
    everyone = scope.total.people
    return {
        "rows": rows,
        "totals": {
            "documents": None if totals_hidden else scope.total.value,
            "total_size": None if totals_hidden else scope.size,
            "owners": None if owners_hidden else everyone,
        },
        "totals_hidden_as": small if everyone < threshold else secret,
        "threshold": threshold,
        "hidden": small,
        "secret": secret,
    }


_OWNER_DEPARTEMENT = "owner__profile__departement"

# For ``hidden_cells``: the cells are the document types (documents, from their owners),
# the total all documents. Not a ``partition`` of people: see ``vault_usage``.
_USAGE = TableInfo(
    title=_("Vault usage"),
    unit=_("Documents"),
    section=_("Vault usage"),
    has_total=True,
    cells=dict(DocumentType.choices),
)


@dataclass
class _Usage:
    """One scope's figures before suppression: documents (from owners) and bytes."""

    cells: dict[str, Cell] = field(
        default_factory=lambda: {key: Cell(0, 0) for key in DocumentType.values}
    )
    sizes: dict[str, int] = field(default_factory=lambda: dict.fromkeys(DocumentType.values, 0))
    total: Cell = field(default_factory=lambda: Cell(0, 0))
    size: int = 0

    def table(self) -> Table:
        return Table("vault.usage", self.cells, self.total)


def _usage_by_departement(documents: QuerySet[Document]) -> dict[str | None, _Usage]:
    """Each département's figures (None: owners without one), in two queries.

    An owner belongs to one département, so their owners add up across départements.
    """
    parts: dict[str | None, _Usage] = defaultdict(_Usage)
    for row in documents.values(_OWNER_DEPARTEMENT, "document_type").annotate(
        documents=Count("id"), total_size=Sum("size"), owners=Count("owner", distinct=True)
    ):
        part = parts[row[_OWNER_DEPARTEMENT]]
        key = row["document_type"]
        part.cells[key] = Cell(row["documents"], row["owners"])
        part.sizes[key] = row["total_size"] or 0
    for row in documents.values(_OWNER_DEPARTEMENT).annotate(
        documents=Count("id"), total_size=Sum("size"), owners=Count("owner", distinct=True)
    ):
        part = parts[row[_OWNER_DEPARTEMENT]]
        part.total = Cell(row["documents"], row["owners"])
        part.size = row["total_size"] or 0
    return dict(parts)


def _sum_usage(parts: Iterable[_Usage]) -> _Usage:
    scope = _Usage()
    for part in parts:
        for key, cell in part.cells.items():
            known = scope.cells[key]
            scope.cells[key] = Cell(known.value + cell.value, known.people + cell.people)
            scope.sizes[key] += part.sizes[key]
        total = scope.total
        scope.total = Cell(total.value + part.total.value, total.people + part.total.people)
        scope.size += part.size
    return scope


def _hidden_types(usage: _Usage, threshold: int, forced: frozenset[str] = frozenset()) -> set[str]:
    """The types to hide, with ``TOTAL`` when everything is (fewer owners in all)."""
    return hidden_cells(usage.table(), _USAGE, threshold, forced)


def _owners_of(documents: QuerySet[Document], types_of: dict[str | None, set[str]]) -> dict:
    """Distinct owners of each département's documents of the given types, in one query."""
    wanted = [
        Q(**{_OWNER_DEPARTEMENT: code}, document_type__in=types - {TOTAL})
        for code, types in types_of.items()
        if types - {TOTAL}
    ]
    if not wanted:
        return {}
    rows = (
        documents.filter(reduce(operator.or_, wanted))
        .values(_OWNER_DEPARTEMENT)
        .annotate(owners=Count("owner", distinct=True))
    )
    return {row[_OWNER_DEPARTEMENT]: row["owners"] for row in rows}
