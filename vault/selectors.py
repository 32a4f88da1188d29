"""Reads on the vault. Metadata is decrypted here, for the owner's eyes only."""

import json
import logging
import re
from collections.abc import Iterable
from datetime import timedelta

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from backend import crypto
from backend.crypto.keyring import count_by_version

from . import keys, ports
from .file_types import ACCEPTED_TYPES
from .models import AccessEvent, Document, Share, UserKey

logger = logging.getLogger(__name__)


# --- Access: one helper per protected resource, used by every view ---------------------
# ``<resources>_for_user(*, user)``: what ``user`` may see (the lists);
# ``<resource>_get_for_user(*, user, <resource>_id)``: one of them, or Http404 (never 403:
# no hint that it exists). Only a document's owner sees it, its shares and its log; a
# mentor sees what is shared with them, while the share is valid and the match active.


def documents_for_user(*, user) -> QuerySet[Document]:
    """``user``'s own documents (metadata still sealed: see ``documents_with_metadata``)."""
    return Document.objects.filter(owner=user).select_related("user_key")


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


def document_get_for_user(*, user, document_id) -> Document:
    """``user``'s own document with its metadata decrypted, or Http404."""
    document = documents_for_user(user=user).filter(pk=document_id).first()
    if document is None:
        raise Http404
    return decrypt_metadata(document, keys.user_secret(document.user_key))


def document_share_get_for_user(*, user, document_id, share_id) -> Share:
    """A share (valid or not) of ``user``'s own document, or Http404."""
    document = document_get_for_user(user=user, document_id=document_id)
    share = shares_of_document(document).filter(pk=share_id).first()
    if share is None:
        raise Http404
    return share


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


def access_events_for_user(*, user) -> QuerySet[AccessEvent]:
    """The access log of ``user``'s documents: only its owner reads it."""
    # With the owner's key row: each line's sealed document type opens without a query.
    return AccessEvent.objects.filter(owner=user).select_related("owner__vault_key")


def access_log_rows(owner) -> list[dict]:
    return [
        {
            "at": event.created_at.isoformat(),
            "action": event.action,
            "actor": event.actor,
            "document_id": str(event.document_id) if event.document_id else None,
            "scopes": event.scopes,
            "who": event.actor_name,
            "document_type": event.document_type,
            "share_id": str(event.share_id) if event.share_id else None,
        }
        for event in access_events_for_user(user=owner).iterator()
    ]


def shares_of_document(document: Document) -> QuerySet[Share]:
    return document.shares.all()


def share_get_for_user(*, user, share_id) -> Share:
    """A document shared with ``user`` as mentor (while the match is active) or as
    référent (while the link is), and while the share is valid, or Http404."""
    share = (
        Share.objects.select_related("document", "document__user_key", "document__owner")
        .filter(Q(kind=Share.Kind.MENTOR, mentor=user) | Q(kind=Share.Kind.REFERENT, referent=user))
        .filter(pk=share_id)
        .first()
    )
    if share is None or not share.is_usable():
        raise Http404
    if (
        share.kind == Share.Kind.MENTOR
        and ports.active_mentor_id(share.document.owner_id) != user.pk
    ):
        raise Http404
    if share.kind == Share.Kind.REFERENT:
        link_began = ports.linked_referents(share.document.owner_id).get(user.pk)
        # A share from an earlier link (ended, then a new one accepted) is not consented
        # to again by the new link: the young person shares anew.
        if link_began is None or share.created_at < link_began:
            raise Http404
    return share


def referent_shares_from(*, referent, young_person_id: int) -> list[Share]:
    """Valid shares of ``young_person_id``'s documents with ``referent``, if the young
    person's link with them is active (else none), newest first."""
    link_began = ports.linked_referents(young_person_id).get(referent.pk)
    if link_began is None:
        return []
    now = timezone.now()
    shares = list(
        Share.objects.select_related("document", "document__owner")
        .filter(
            kind=Share.Kind.REFERENT,
            referent=referent,
            document__owner_id=young_person_id,
            revoked_at__isnull=True,
            created_at__gte=link_began,
        )
        .exclude(expires_at__lte=now)
    )
    if shares:  # their titles and types, with one unwrap of the owner's key
        documents_with_metadata(
            owner=shares[0].document.owner, documents=[share.document for share in shares]
        )
    return shares


def shared_document_view(share: Share) -> Document:
    """The document of ``share`` with its details decrypted, ready to show or to send."""
    document = share.document
    decrypt_metadata(document, keys.user_secret(document.user_key))
    document.share = share
    return document


def shares_for_user(*, user) -> list[Share]:
    """Valid shares with ``user`` as mentor, from young people they are still paired with.

    A list, not a queryset: whether the match is still active is asked of mentoring
    through ``ports``, which the vault cannot join in SQL. Two queries, however many
    shares: the shares with their documents and owners' keys (what showing them needs),
    then the owners' active mentors, all at once.
    """
    now = timezone.now()
    shares = list(
        Share.objects.select_related("document", "document__user_key")
        .filter(kind=Share.Kind.MENTOR, mentor=user, revoked_at__isnull=True)
        .exclude(expires_at__lte=now)
    )
    mentors = ports.active_mentors({share.document.owner_id for share in shares})
    return [share for share in shares if mentors.get(share.document.owner_id) == user.pk]


def personal_data_export(user) -> dict:
    """The vault's part of ``/api/v1/me/export/``: what is kept, and where to get the files."""
    documents = documents_with_metadata(owner=user, documents=documents_for_user(user=user))
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
