"""Reads on the vault. Metadata is decrypted here, for the owner's eyes only."""

import json
import logging
import re
from collections.abc import Iterable
from datetime import timedelta

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from backend import crypto
from backend.crypto.keyring import count_by_version

from . import keys, ports
from .file_types import ACCEPTED_TYPES
from .models import AccessEvent, Document, Share, UserKey

logger = logging.getLogger(__name__)


def documents_of(owner) -> QuerySet[Document]:
    return Document.objects.filter(owner=owner).select_related("user_key")


def _filtered(queryset: QuerySet[Document], keep) -> QuerySet[Document]:
    # Types and dates are sealed: the database cannot compare them, the owner's few
    # documents are opened here and the queryset narrowed to those that match.
    wanted = [document.pk for document in queryset if _opens(document) and keep(document)]
    return queryset.filter(pk__in=wanted)


def _opens(document: Document) -> bool:
    try:
        document.document_type, document.expiry_date  # noqa: B018 - opened here, cached
    except crypto.IntegrityError:
        return False
    return True


def documents_of_type(queryset: QuerySet[Document], document_type: str) -> QuerySet[Document]:
    """Those of ``queryset`` (one owner's documents) of type ``document_type``."""
    return _filtered(queryset, lambda document: document.document_type == document_type)


def documents_expiring(queryset: QuerySet[Document], days: int) -> QuerySet[Document]:
    """Documents whose expiry date falls between today and ``days`` days from now (Paris)."""
    today = timezone.localdate()
    last = today + timedelta(days=days)
    return _filtered(
        queryset,
        lambda document: document.expiry_date is not None and today <= document.expiry_date <= last,
    )


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
        document.document_type, document.issue_date, document.expiry_date  # noqa: B018 - opened
        document.damaged = False
    except crypto.IntegrityError:
        logger.error("Vault document %s: its details failed authentication", document.id)
        document.title, document.file_name, document.tags, document.sha256 = "", "", [], ""
        # Not through the attributes: nothing here is to be written back.
        document.__dict__["_sealed_plain"] = {
            "document_type": "",
            "issue_date": None,
            "expiry_date": None,
        }
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
    # With the owner's key row: each line's sealed document type opens without a query.
    return AccessEvent.objects.filter(owner=owner).select_related("owner__vault_key")


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


def user_keys_by_master_version() -> dict[str, int]:
    """How many user keys each master key version wraps (what retiring a version asks)."""
    return count_by_version(UserKey.objects.all())
