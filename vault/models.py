"""The vault's rows: keys, documents, shares and the access log.

Nothing here holds a readable document, title, file name or tag: those are encrypted
(``keys.py``), and the file itself is a blob in the ``vault`` storage. A document's
type and dates are sealed too (``backend.crypto.sealed``), with its owner's key; only a
coarse ``category`` stays in clear, for the départements' figures.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.crypto.sealed import DATE, Sealed, SealedModel

from .document_types import DocumentCategory, DocumentType, category_of


def _owner_secret(user_key: "UserKey") -> bytes:
    """The owner's key in clear, unwrapped once per loaded key row."""
    from . import keys  # keys works on these models

    cached = user_key.__dict__.get("_secret")
    if cached is None:
        cached = user_key.__dict__["_secret"] = keys.user_secret(user_key)
    return cached  # the same cache as keys.person_secret


class UserKey(models.Model):
    """A young person's key, wrapped by a master key; deleting it shreds their vault."""

    id = models.UUIDField(_("identifier"), primary_key=True, default=uuid.uuid4, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="vault_key",
        verbose_name=_("young person"),
    )
    master_key_version = models.CharField(
        max_length=32, verbose_name=_("version of the master key")
    )
    wrapped_key = models.BinaryField(verbose_name=_("key, encrypted by the master key"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    rotated_at = models.DateTimeField(null=True, blank=True, verbose_name=_("re-encrypted at"))

    class Meta:
        verbose_name = _("user key")
        verbose_name_plural = _("user keys")

    def __str__(self) -> str:
        return f"user key {self.pk} (master key {self.master_key_version})"


class Document(SealedModel):
    id = models.UUIDField(_("identifier"), primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="vault_documents",
        verbose_name=_("young person"),
    )
    user_key = models.ForeignKey(
        UserKey, on_delete=models.CASCADE, related_name="+", verbose_name=_("user key")
    )
    # Sealed with the owner's key: "residence permit" or "placement order", and a date,
    # say more about a person than the server needs to query.
    document_type = Sealed(verbose_name=_("document type"))
    issue_date = Sealed(DATE, verbose_name=_("issue date"))
    expiry_date = Sealed(DATE, verbose_name=_("expiry date"))
    document_type_sealed = models.BinaryField(
        default=b"", blank=True, verbose_name=_("encrypted document type")
    )
    issue_date_sealed = models.BinaryField(
        default=b"", blank=True, verbose_name=_("encrypted issue date")
    )
    expiry_date_sealed = models.BinaryField(
        default=b"", blank=True, verbose_name=_("encrypted expiry date")
    )
    # In clear for the figures: coarse enough to tell nothing of a person (see its choices).
    category = models.CharField(
        max_length=16,
        choices=DocumentCategory.choices,
        default="other",
        verbose_name=_("category"),
    )
    content_type = models.CharField(max_length=64, verbose_name=_("file type"))
    size = models.PositiveBigIntegerField(
        verbose_name=_("size"), help_text=_("Bytes of the original file.")
    )
    wrapped_data_key = models.BinaryField(verbose_name=_("encrypted key of the file"))
    encrypted_title = models.BinaryField(verbose_name=_("encrypted title"))
    encrypted_filename = models.BinaryField(verbose_name=_("encrypted file name"))
    encrypted_tags = models.BinaryField(verbose_name=_("encrypted tags"))
    encrypted_sha256 = models.BinaryField(verbose_name=_("encrypted fingerprint of the file"))
    blob_name = models.CharField(
        max_length=255, unique=True, verbose_name=_("name of the stored file")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        # Never the title nor the type: they are sealed, and staff must not read them.
        return f"{self.get_category_display()} ({self.pk})"

    def sealing_key(self) -> bytes:
        return _owner_secret(self.user_key)

    def get_document_type_display(self) -> str:
        return str(DocumentType(self.document_type).label) if self.document_type else ""

    def save(self, *args, update_fields=None, **kwargs):
        # The clear category follows the sealed type.
        if "document_type" in self.__dict__.get("_sealed_dirty", ()):
            self.category = category_of(self.document_type)
            if update_fields is not None and "document_type" in update_fields:
                update_fields = [*update_fields, "category"]
        super().save(*args, update_fields=update_fields, **kwargs)


class PendingBlob(models.Model):
    """A blob that may exist in storage without a document row.

    Written (and committed) before a blob is stored or after its document is deleted,
    removed once the row and the blob agree. What a crash leaves behind is cleaned up by
    ``vault.tasks.clean_up_pending_blobs``.
    """

    blob_name = models.CharField(
        max_length=255, unique=True, verbose_name=_("name of the stored file")
    )
    # Index: the clean-up task's "journaled over 60 minutes ago" (created_at < cutoff).
    created_at = models.DateTimeField(
        default=timezone.now, db_index=True, verbose_name=_("created at")
    )

    class Meta:
        verbose_name = _("file awaiting clean-up")
        verbose_name_plural = _("files awaiting clean-up")

    def __str__(self) -> str:
        return self.blob_name


class Share(models.Model):
    class Kind(models.TextChoices):
        MENTOR = "mentor", _("Shared with my mentor")
        LINK = "link", _("Link for a professional")
        REFERENT = "referent", _("Shared with one of my référents")

    id = models.UUIDField(_("identifier"), primary_key=True, default=uuid.uuid4, editable=False)
    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="shares", verbose_name=_("document")
    )
    kind = models.CharField(max_length=16, choices=Kind.choices, verbose_name=_("kind"))
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="vault_shares_received",
        verbose_name=_("mentor"),
    )
    # A référent the owner linked (``vault.ports``): the share lasts while the link does.
    referent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="vault_referent_shares_received",
        verbose_name=_("référent"),
    )
    # Only a hash of the link's token and of its code: the database alone opens nothing.
    token_hash = models.CharField(
        max_length=64,
        unique=True,
        null=True,
        blank=True,
        verbose_name=_("hash of the link's token"),
    )
    code_hash = models.CharField(
        max_length=128, blank=True, verbose_name=_("hash of the link's code")
    )
    failed_code_attempts = models.PositiveSmallIntegerField(
        default=0, verbose_name=_("failed code attempts")
    )
    expires_at = models.DateTimeField(null=True, blank=True, verbose_name=_("expires at"))
    revoked_at = models.DateTimeField(null=True, blank=True, verbose_name=_("revoked at"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    last_used_at = models.DateTimeField(null=True, blank=True, verbose_name=_("last used at"))
    use_count = models.PositiveIntegerField(default=0, verbose_name=_("number of uses"))

    class Meta:
        verbose_name = _("share")
        verbose_name_plural = _("shares")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(
                        kind="mentor",
                        mentor__isnull=False,
                        referent__isnull=True,
                        token_hash__isnull=True,
                    )
                    | models.Q(
                        kind="link",
                        mentor__isnull=True,
                        referent__isnull=True,
                        token_hash__isnull=False,
                    )
                    | models.Q(
                        kind="referent",
                        mentor__isnull=True,
                        referent__isnull=False,
                        token_hash__isnull=True,
                    )
                ),
                name="vault_share_one_recipient",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.pk})"

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class AccessEvent(SealedModel):
    """One line of the owner's append-only access log (décret 2018-418: traceability).

    One log for "who saw what of me": the operations on documents, and each reading of
    the person's other data by someone else (a référent opening their page reads the
    scopes it shows: ``scopes``, with no document).
    """

    class Action(models.TextChoices):
        UPLOAD = "upload", _("Uploaded")
        UPDATE = "update", _("Details changed")
        VIEW = "view", _("Viewed")
        DOWNLOAD = "download", _("Downloaded")
        SHARE = "share", _("Shared")
        REVOKE = "revoke", _("Share revoked")
        SHARE_ACCESS = "share_access", _("Opened through a share")
        DELETE = "delete", _("Deleted")
        EXPORT = "export", _("Exported")
        READ = "read", _("Read")

    class Actor(models.TextChoices):
        OWNER = "owner", _("You")
        MENTOR = "mentor", _("Your mentor")
        SHARE_LINK = "share_link", _("Someone with the share link")
        REFERENT = "referent", _("One of your référents")
        SYSTEM = "system", _("Jalon")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="vault_access_events",
        verbose_name=_("young person"),
    )
    # Not foreign keys: the log outlives the documents and shares it tells about.
    # Index: one document's history across owners' logs (an incident review by an
    # operator); no request path filters by it.
    document_id = models.UUIDField(
        null=True, blank=True, db_index=True, verbose_name=_("document's identifier")
    )
    document_type = Sealed(verbose_name=_("document type"))  # the owner's key, as the document's
    document_type_sealed = models.BinaryField(
        default=b"", blank=True, verbose_name=_("encrypted document type")
    )
    # What a reading showed besides documents (referents.models.Scope values).
    scopes = models.JSONField(default=list, blank=True, verbose_name=_("data read"))
    # Who, by name, when the actor is a person the owner chose (a référent): kept as it
    # was, sealed with the owner's key, so that the line outlives that person's account.
    actor_name = Sealed(verbose_name=_("who"))
    actor_name_sealed = models.BinaryField(
        default=b"", blank=True, verbose_name=_("encrypted name of the person")
    )
    share_id = models.UUIDField(null=True, blank=True, verbose_name=_("share's identifier"))
    action = models.CharField(max_length=16, choices=Action.choices, verbose_name=_("action"))
    actor = models.CharField(max_length=16, choices=Actor.choices, verbose_name=_("done by"))
    # Index: readings of the log by period (created_at ranges), as an operator reviews one.
    created_at = models.DateTimeField(
        default=timezone.now, db_index=True, verbose_name=_("created at")
    )

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log entries")
        ordering = ["-created_at", "-id"]
        # The owner's access log, newest first (GET /vault/access-log/, the export).
        indexes = [models.Index(fields=["owner", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.document_id} {self.created_at:%Y-%m-%d %H:%M}"

    def sealing_key(self) -> bytes:
        # Given by whoever records the event (the document's key), or found from the
        # owner loaded with ``select_related("owner__vault_key")``, or looked up.
        if "_key" in self.__dict__:
            return self.__dict__["_key"]
        owner = self._state.fields_cache.get("owner")
        user_key = owner._state.fields_cache.get("vault_key") if owner is not None else None
        if user_key is None:
            user_key = UserKey.objects.get(user_id=self.owner_id)
        return _owner_secret(user_key)

    def get_document_type_display(self) -> str:
        return str(DocumentType(self.document_type).label) if self.document_type else ""

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("The vault access log is append-only.")
        super().save(*args, **kwargs)
