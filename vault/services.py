"""Writes on the vault. Views, commands, tasks and the account's erasure all call these."""

import hashlib
import json
import logging
import secrets
import uuid
from collections.abc import Iterable, Iterator
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.files.storage import storages
from django.db import transaction
from django.db.models import F, Sum
from django.http import Http404
from django.utils import timezone

from backend import crypto
from backend.crypto.keyring import load_keyring
from backend.services import model_update

from . import keys, ports
from .exceptions import (
    DocumentCorrupted,
    FileTooLarge,
    NoActiveMentor,
    NotLinkedReferent,
    QuotaExceeded,
    ShareCodeRequired,
    ShareGone,
    UnsupportedFileType,
)
from .keys import person_secret
from .models import AccessEvent, Document, PendingBlob, Share, UserKey
from .selectors import (
    access_log_rows,
    archive_name,
    documents_for_user,
    documents_with_metadata,
    manifest_entry,
)
from .signals import document_expiry_changed
from .streaming import ZipStream
from .uploads import EncryptedUpload

logger = logging.getLogger(__name__)

Action = AccessEvent.Action
Actor = AccessEvent.Actor


def vault_storage():
    """Where the encrypted blobs live (``STORAGES["vault"]``: files or object storage)."""
    return storages["vault"]


def access_event_record(
    *,
    document: Document,
    action: str,
    actor: str,
    share: Share | None = None,
    actor_name: str = "",
) -> AccessEvent:
    """Append one line to the owner's access log (its document type sealed, as the
    document's, with the owner's key)."""
    event = AccessEvent(
        owner_id=document.owner_id,
        document_id=document.id,
        document_type=document.document_type,
        share_id=share.id if share else None,
        action=action,
        actor=actor,
        actor_name=actor_name,
    )
    event.__dict__["_key"] = document.sealing_key()
    event.save()
    return event


def reading_record(*, owner, actor: str, actor_name: str, scopes: list[str]) -> AccessEvent:
    """Append one reading of ``owner``'s data other than documents to their access log:
    who (``actor``, and by name) saw which ``scopes``. One line per reading."""
    event = AccessEvent(
        owner=owner,
        action=AccessEvent.Action.READ,
        actor=actor,
        actor_name=actor_name,
        scopes=sorted(scopes),
    )
    event.__dict__["_key"] = person_secret(owner)
    event.save()
    return event


def _vault_usage(owner) -> int:
    return Document.objects.filter(owner=owner).aggregate(total=Sum("size"))["total"] or 0


def _check_room(owner, size: int) -> None:
    if size > settings.VAULT_MAX_FILE_SIZE:
        raise FileTooLarge()
    if _vault_usage(owner) + size > settings.VAULT_QUOTA:
        raise QuotaExceeded()


def _blob_name(document_id: uuid.UUID) -> str:
    # No user in the name: the storage alone does not tell whose papers are whose.
    return f"{document_id.hex[:2]}/{document_id.hex}.jvlt"


def _blob_discard(blob_name: str) -> None:
    """Delete a blob, then its journal line; on failure the line stays for the clean-up."""
    try:
        vault_storage().delete(blob_name)
    except Exception:
        logger.warning("Vault blob %s could not be deleted yet", blob_name, exc_info=True)
        return
    PendingBlob.objects.filter(blob_name=blob_name).delete()


def journal_blob_of_deleted_document(sender, instance: Document, **kwargs) -> None:
    """``pre_delete`` receiver: whatever deletes a document (its owner, the account's
    erasure, an admin, a cascade), its blob is journaled, then deleted after the commit.
    """
    blob_name = instance.blob_name
    PendingBlob.objects.get_or_create(blob_name=blob_name)
    transaction.on_commit(lambda: _blob_discard(blob_name), robust=True)


def _seal_metadata(secret_key: bytes, document_id: uuid.UUID, **fields: str) -> dict:
    return {
        f"encrypted_{name}": keys.seal_field(secret_key, document_id, name, value)
        for name, value in fields.items()
    }


def document_create(
    *,
    owner,
    upload: EncryptedUpload,
    document_type: str,
    title: str,
    issue_date=None,
    expiry_date=None,
    tags: Iterable[str] = (),
) -> Document:
    """Store an encrypted upload as a new document of ``owner``.

    Atomic: the blob is journaled as pending before it is written, and the journal line
    goes in the same transaction as the document row. A crash at any point leaves either
    a whole document or a pending blob that ``pending_blobs_clean_up`` deletes.
    """
    if upload.too_large:
        raise FileTooLarge()
    if upload.detected_content_type is None:
        raise UnsupportedFileType()
    _check_room(owner, upload.plaintext_size)
    user_key = UserKey.objects.get(user=owner, id=upload.header.user_key_id)
    secret = keys.user_secret(user_key)
    document_id = upload.document_id
    data_key = upload.data_key
    blob_name = _blob_name(document_id)
    tags = list(tags)
    PendingBlob.objects.create(blob_name=blob_name)
    stored_name = None
    try:
        stored_name = vault_storage().save(blob_name, upload)
        if stored_name != blob_name:
            raise RuntimeError(f"vault storage renamed {blob_name} to {stored_name}")
        with transaction.atomic():
            # Serialises a user's concurrent uploads, so that together they keep the quota.
            UserKey.objects.select_for_update().get(pk=user_key.pk)
            _check_room(owner, upload.plaintext_size)
            document = Document.objects.create(
                id=document_id,
                owner=owner,
                user_key=user_key,
                document_type=document_type,
                issue_date=issue_date,
                expiry_date=expiry_date,
                content_type=upload.detected_content_type,
                size=upload.plaintext_size,
                wrapped_data_key=keys.wrap_data_key(secret, document_id, data_key),
                blob_name=blob_name,
                **_seal_metadata(
                    data_key,
                    document_id,
                    title=title,
                    filename=upload.original_name or "",
                    tags=json.dumps(tags),
                    sha256=upload.sha256,
                ),
            )
            journaled, _ = PendingBlob.objects.filter(blob_name=blob_name).delete()
            if not journaled:
                raise RuntimeError(f"the clean-up took {blob_name} before it was recorded")
            access_event_record(document=document, action=Action.UPLOAD, actor=Actor.OWNER)
            document_expiry_changed.send(sender=Document, document=document)
        # What the owner just gave, so that the answer needs no decryption.
        document.title, document.file_name = title, upload.original_name or ""
        document.tags, document.sha256, document.damaged = tags, upload.sha256, False
    except Exception:
        if stored_name not in (None, blob_name):
            # Never touch what already had this name: only the copy made here goes.
            vault_storage().delete(stored_name)
            PendingBlob.objects.filter(blob_name=blob_name).delete()
        else:
            _blob_discard(blob_name)
        raise
    finally:
        upload.close()  # the temporary file, moved into storage or left to delete
    return document


# What the announcement of an expiry depends on (see ``signals.document_expiry_changed``).
_EXPIRY_FIELDS = {"expiry_date", "document_type"}


def document_update(*, document: Document, data: dict) -> Document:
    """Change a document's type, dates, title or tags (the file itself never changes).

    Only what differs is saved (``model_update``) and logged; a new title or new tags are
    sealed again, so they always count as a change.
    """
    sealed = {}
    if "title" in data or "tags" in data:
        data_key = keys.data_key(keys.user_secret(document.user_key), document)
        if "title" in data:
            sealed |= _seal_metadata(data_key, document.id, title=data.pop("title"))
        if "tags" in data:
            sealed |= _seal_metadata(data_key, document.id, tags=json.dumps(data.pop("tags")))
    changes = {**data, **sealed}
    if not changes:
        return document
    # The serializer validated what changes; the other fields (sealed, the blob's name)
    # are the vault's own and are not checked again.
    untouched = [
        field.name for field in Document._meta.concrete_fields if field.name not in changes
    ]
    with transaction.atomic():
        document, changed = model_update(
            document, fields=list(changes), data=changes, exclude=untouched
        )
        if changed:
            access_event_record(document=document, action=Action.UPDATE, actor=Actor.OWNER)
        if _EXPIRY_FIELDS.intersection(changed):
            document_expiry_changed.send(sender=Document, document=document)
    return document


def document_delete(*, document: Document) -> None:
    """Delete a document and its blob (the blob goes once the deletion is committed)."""
    with transaction.atomic():
        access_event_record(document=document, action=Action.DELETE, actor=Actor.OWNER)
        document.delete()  # journal_blob_of_deleted_document takes care of the blob


def _plaintext(document: Document, data_key: bytes) -> Iterator[bytes]:
    with vault_storage().open(document.blob_name, "rb") as blob:
        yield from crypto.decrypt_stream(
            blob, data_key, document_id=document.id, user_key_id=document.user_key_id
        )


def _verified_reader(document: Document) -> tuple[bytes, Iterator[bytes]]:
    """Check the whole document first, then give a reader of its content.

    The first pass authenticates every chunk and compares the SHA-256 recorded at upload
    time, so a damaged document is refused before a single byte of it is sent.
    """
    try:
        data_key = keys.data_key(keys.user_secret(document.user_key), document)
        expected = keys.open_field(
            data_key, document.id, "sha256", bytes(document.encrypted_sha256)
        )
        digest, size = crypto.verify_and_hash(_plaintext(document, data_key))
        if digest != expected or size != document.size:
            raise crypto.IntegrityError("content does not match its recorded SHA-256")
    except (crypto.IntegrityError, FileNotFoundError) as error:
        logger.error("Vault document %s failed its integrity check: %s", document.id, error)
        raise DocumentCorrupted() from error
    return data_key, _guarded(document, _plaintext(document, data_key))


def _guarded(document: Document, pieces: Iterator[bytes]) -> Iterator[bytes]:
    # Between the check and the sending, a blob changed: the answer is cut, never wrong.
    try:
        yield from pieces
    except crypto.IntegrityError:
        logger.error("Vault document %s changed while it was being sent", document.id)
        raise


def document_content(
    *,
    document: Document,
    action: str,
    actor: str,
    share: Share | None = None,
    actor_name: str = "",
) -> Iterator[bytes]:
    """The verified plaintext of ``document``, logged as ``action`` by ``actor``."""
    _data_key, reader = _verified_reader(document)
    access_event_record(
        document=document, action=action, actor=actor, share=share, actor_name=actor_name
    )
    return reader


# --- Shares ------------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def share_link_create(
    *, document: Document, hours: int | None = None, with_code: bool = False
) -> tuple[Share, str, str]:
    """A link to one document for a professional; returns (share, token, code).

    The token and the code are shown once: only their hashes are kept.
    """
    hours = hours or settings.VAULT_SHARE_DEFAULT_HOURS
    token = secrets.token_urlsafe(32)
    code = f"{secrets.randbelow(10**6):06d}" if with_code else ""
    with transaction.atomic():
        share = Share.objects.create(
            document=document,
            kind=Share.Kind.LINK,
            token_hash=_token_hash(token),
            code_hash=make_password(code) if code else "",
            expires_at=timezone.now() + timedelta(hours=hours),
        )
        access_event_record(document=document, action=Action.SHARE, actor=Actor.OWNER, share=share)
    return share, token, code


def share_with_mentor(*, document: Document, hours: int | None = None) -> Share:
    """Share ``document`` with its owner's active mentor (until revoked or the match ends)."""
    mentor_id = ports.active_mentor_id(document.owner_id)
    if mentor_id is None:
        raise NoActiveMentor()
    with transaction.atomic():
        share = Share.objects.create(
            document=document,
            kind=Share.Kind.MENTOR,
            mentor_id=mentor_id,
            expires_at=timezone.now() + timedelta(hours=hours) if hours else None,
        )
        access_event_record(document=document, action=Action.SHARE, actor=Actor.OWNER, share=share)
    return share


def share_with_referent(*, document: Document, referent_id: int, hours: int | None = None) -> Share:
    """Share ``document`` with one référent its owner linked (until revoked, or until the
    link ends: a référent sees a share only while ``ports`` says they are linked)."""
    if referent_id not in ports.linked_referents(document.owner_id):
        raise NotLinkedReferent()
    with transaction.atomic():
        share = Share.objects.create(
            document=document,
            kind=Share.Kind.REFERENT,
            referent_id=referent_id,
            expires_at=timezone.now() + timedelta(hours=hours) if hours else None,
        )
        access_event_record(document=document, action=Action.SHARE, actor=Actor.OWNER, share=share)
    return share


def share_details_viewed(*, share: Share, actor: str, actor_name: str = "") -> None:
    """Someone opened a shared document's details (title, type, dates): logged, counted."""
    access_event_record(
        document=share.document,
        action=Action.SHARE_ACCESS,
        actor=actor,
        share=share,
        actor_name=actor_name,
    )
    share_used(share)


def share_revoke(*, share: Share, actor: str = Actor.OWNER) -> Share:
    """Withdraw a share at once; revoking twice changes nothing."""
    with transaction.atomic():
        updated = Share.objects.filter(pk=share.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if updated:
            access_event_record(
                document=share.document, action=Action.REVOKE, actor=actor, share=share
            )
    share.refresh_from_db()
    return share


def shares_revoke_for_mentor(*, young_person, mentor) -> int:
    """Revoke every share of ``young_person`` with ``mentor`` (when their match ends)."""
    shares = Share.objects.filter(
        document__owner=young_person, mentor=mentor, revoked_at__isnull=True
    ).select_related("document")
    count = 0
    for share in shares:
        share_revoke(share=share, actor=Actor.SYSTEM)
        count += 1
    return count


def shares_revoke_for_referent(*, young_person_ids, referent) -> int:
    """Revoke every share of these young people with ``referent`` (when links end)."""
    shares = Share.objects.filter(
        document__owner_id__in=list(young_person_ids),
        kind=Share.Kind.REFERENT,
        referent=referent,
        revoked_at__isnull=True,
    ).select_related("document")
    count = 0
    for share in shares:
        share_revoke(share=share, actor=Actor.SYSTEM)
        count += 1
    return count


def share_link_open(*, token: str, code: str | None) -> Share:
    """The share behind ``token``, if it is still valid and ``code`` is right.

    Wrong codes are counted: after ``VAULT_SHARE_CODE_ATTEMPTS`` the link is revoked.
    """
    share = (
        Share.objects.select_related("document", "document__user_key")
        .filter(kind=Share.Kind.LINK, token_hash=_token_hash(token))
        .first()
    )
    if share is None:
        raise Http404
    if not share.is_usable():
        raise ShareGone()
    if share.code_hash:
        _check_share_code(share, code)
    return share


def _check_share_code(share: Share, code: str | None) -> None:
    if not code:
        # Not an attempt: a link preview, or the professional opening the link first.
        raise ShareCodeRequired()
    with transaction.atomic():
        # Under the row's lock, so that guesses sent at once are counted one by one.
        locked = Share.objects.select_for_update().get(pk=share.pk)
        if not locked.is_usable():
            outcome = "gone"
        elif check_password(code, locked.code_hash):
            outcome = "right"
        else:
            locked.failed_code_attempts += 1
            locked.save(update_fields=["failed_code_attempts"])
            outcome = "wrong"
            if locked.failed_code_attempts >= settings.VAULT_SHARE_CODE_ATTEMPTS:
                share_revoke(share=locked, actor=Actor.SYSTEM)
                outcome = "gone"
    if outcome == "gone":
        raise ShareGone()
    if outcome == "wrong":
        raise ShareCodeRequired()


def share_used(share: Share) -> None:
    """Count one use of ``share`` (shown to the owner with the share)."""
    Share.objects.filter(pk=share.pk).update(
        use_count=F("use_count") + 1, last_used_at=timezone.now()
    )


# --- The owner's rights ------------------------------------------------------------------


def vault_export(*, owner, manifest_extra: dict | None = None) -> Iterator[bytes]:
    """A zip of every document in its original format, plus ``manifest.json``, streamed.

    Each document is checked before it is written; one that fails is listed in the
    manifest as such instead of being sent damaged.
    """
    documents = documents_with_metadata(owner=owner, documents=documents_for_user(user=owner))
    zip_stream = ZipStream()
    entries = []
    for index, document in enumerate(documents, start=1):
        entry = manifest_entry(document)
        try:
            _data_key, reader = _verified_reader(document)
        except DocumentCorrupted:
            entries.append({**entry, "path": None, "integrity": "failed"})
            continue
        path = f"documents/{index:03d}-{archive_name(document)}"
        yield from zip_stream.add_file(path, reader, modified=document.created_at)
        access_event_record(document=document, action=Action.EXPORT, actor=Actor.OWNER)
        entries.append({**entry, "path": path, "integrity": "verified"})
    manifest = {
        "generated_at": timezone.now().isoformat(),
        **(manifest_extra or {}),
        "documents": entries,
        "access_log": access_log_rows(owner),
    }
    yield from zip_stream.add_bytes(
        "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2).encode()
    )
    yield from zip_stream.close()


def vault_erase(user) -> None:
    """Crypto-shred ``user``'s vault: destroy their key, then their blobs.

    Once the key row is gone, no copy of a blob (a backup, a replica) can be decrypted
    with the database as it is. A database backup made before still holds the wrapped
    key, until the master key version that wrapped it is retired (rotation re-wraps
    every live key, then ``vault_retire_master_key``; see the README).
    Locking the key first makes an upload in flight either finish before (and be
    erased with the rest) or fail after (its key is gone).
    """
    with transaction.atomic():
        UserKey.objects.select_for_update().filter(user=user).first()
        Document.objects.filter(owner=user).delete()  # blobs journaled, deleted on commit
        UserKey.objects.filter(user=user).delete()


def pending_blobs_clean_up(*, older_than: timedelta | None = None) -> int:
    """Delete the blobs a crash left without a document; returns how many went."""
    if older_than is None:
        older_than = timedelta(minutes=settings.VAULT_PENDING_BLOB_GRACE_MINUTES)
    cutoff = timezone.now() - older_than
    removed = 0
    for pending_id in PendingBlob.objects.filter(created_at__lt=cutoff).values_list(
        "id", flat=True
    ):
        with transaction.atomic():
            # An upload still finishing holds this line's lock: leave it to the upload.
            pending = PendingBlob.objects.select_for_update(skip_locked=True).filter(pk=pending_id)
            blob_name = pending.values_list("blob_name", flat=True).first()
            if blob_name is None:
                continue
            has_document = Document.objects.filter(blob_name=blob_name).exists()
            # Taking the line away first: an upload that commits later finds it gone
            # and fails, instead of keeping a document whose blob is deleted here.
            pending.delete()
        if not has_document:
            try:
                vault_storage().delete(blob_name)
            except Exception:
                PendingBlob.objects.get_or_create(blob_name=blob_name)  # next time
                raise
            removed += 1
    return removed


def master_key_rotate() -> int:
    """Re-wrap every user key under the keyring's current master key; returns how many.

    Only the keys still under an older version are visited, so a second run is quick
    and returns 0.
    """
    rotated = 0
    stale = UserKey.objects.exclude(master_key_version=load_keyring().current)
    for key_id in stale.values_list("id", flat=True).iterator():
        with transaction.atomic():
            user_key = UserKey.objects.select_for_update().get(pk=key_id)
            if keys.rewrap_user_key(user_key):
                user_key.rotated_at = timezone.now()
                user_key.save(update_fields=["master_key_version", "wrapped_key", "rotated_at"])
                rotated += 1
    return rotated
