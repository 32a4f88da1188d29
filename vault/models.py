"""The vault's rows: keys, documents, shares and the access log.

Nothing here holds a readable document, title, file name or tag: those are encrypted
(``crypto.py``), and the file itself is a blob in the ``vault`` storage.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .document_types import DocumentType


class UserKey(models.Model):
    """A young person's key, wrapped by a master key; deleting it shreds their vault."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="vault_key"
    )
    master_key_version = models.CharField(max_length=32)
    wrapped_key = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)
    rotated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("user key")
        verbose_name_plural = _("user keys")

    def __str__(self) -> str:
        return f"user key {self.pk} (master key {self.master_key_version})"


class Document(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="vault_documents"
    )
    user_key = models.ForeignKey(UserKey, on_delete=models.CASCADE, related_name="+")
    document_type = models.CharField(
        _("document type"), max_length=32, choices=DocumentType.choices
    )
    issue_date = models.DateField(_("issue date"), null=True, blank=True)
    expiry_date = models.DateField(_("expiry date"), null=True, blank=True)
    content_type = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField(help_text="Bytes of the original file.")
    wrapped_data_key = models.BinaryField()
    encrypted_title = models.BinaryField()
    encrypted_filename = models.BinaryField()
    encrypted_tags = models.BinaryField()
    encrypted_sha256 = models.BinaryField()
    blob_name = models.CharField(max_length=255, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["owner", "document_type"]),
            models.Index(fields=["owner", "expiry_date"]),
        ]

    def __str__(self) -> str:
        # Never the title: it is encrypted, and staff must not read it.
        return f"{self.get_document_type_display()} ({self.pk})"


class PendingBlob(models.Model):
    """A blob that may exist in storage without a document row.

    Written (and committed) before a blob is stored or after its document is deleted,
    removed once the row and the blob agree. What a crash leaves behind is cleaned up by
    ``vault.tasks.clean_up_pending_blobs``.
    """

    blob_name = models.CharField(max_length=255, unique=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return self.blob_name


class Share(models.Model):
    class Kind(models.TextChoices):
        MENTOR = "mentor", _("Shared with my mentor")
        LINK = "link", _("Link for a professional")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="shares")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="vault_shares_received",
    )
    # Only a hash of the link's token and of its code: the database alone opens nothing.
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    code_hash = models.CharField(max_length=128, blank=True)
    failed_code_attempts = models.PositiveSmallIntegerField(default=0)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    use_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("share")
        verbose_name_plural = _("shares")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind="mentor", mentor__isnull=False, token_hash__isnull=True)
                    | models.Q(kind="link", mentor__isnull=True, token_hash__isnull=False)
                ),
                name="vault_share_mentor_xor_link",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.pk})"

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class AccessEvent(models.Model):
    """One line of the owner's append-only access log (décret 2018-418: traceability)."""

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

    class Actor(models.TextChoices):
        OWNER = "owner", _("You")
        MENTOR = "mentor", _("Your mentor")
        SHARE_LINK = "share_link", _("Someone with the share link")
        SYSTEM = "system", _("Jalon")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="vault_access_events"
    )
    # Not foreign keys: the log outlives the documents and shares it tells about.
    document_id = models.UUIDField(db_index=True)
    document_type = models.CharField(max_length=32, choices=DocumentType.choices)
    share_id = models.UUIDField(null=True, blank=True)
    action = models.CharField(max_length=16, choices=Action.choices)
    actor = models.CharField(max_length=16, choices=Actor.choices)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.document_id} {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("The vault access log is append-only.")
        super().save(*args, **kwargs)
