"""Thin serializers of the vault API; validation of dates and tags lives here."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from backend.api.serializers import StrictFieldsMixin

from .document_types import DocumentType
from .models import AccessEvent, Share

MAX_TAGS = 10


class _DocumentFieldsMixin(serializers.Serializer):
    document_type = serializers.ChoiceField(choices=DocumentType.choices)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    issue_date = serializers.DateField(required=False, allow_null=True)
    expiry_date = serializers.DateField(required=False, allow_null=True)
    tags = serializers.ListField(
        child=serializers.CharField(max_length=40),
        max_length=MAX_TAGS,
        required=False,
    )

    def validate_tags(self, tags):
        # In a multipart form, tags arrive as one field per tag; keep them distinct.
        return list(dict.fromkeys(tag.strip() for tag in tags if tag.strip()))

    def validate(self, attrs):
        issue = attrs.get("issue_date", getattr(self.instance, "issue_date", None))
        expiry = attrs.get("expiry_date", getattr(self.instance, "expiry_date", None))
        if issue and expiry and expiry < issue:
            raise serializers.ValidationError(
                {"expiry_date": [_("The expiry date cannot be before the issue date.")]},
                code="date_order",
            )
        return attrs


class DocumentUploadSerializer(StrictFieldsMixin, _DocumentFieldsMixin):
    """A ``multipart/form-data`` upload: the file and what the young person says of it."""

    file = serializers.FileField(allow_empty_file=False, use_url=False)


class DocumentUpdateSerializer(StrictFieldsMixin, _DocumentFieldsMixin):
    title = serializers.CharField(max_length=200)


class DocumentSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    document_type = serializers.ChoiceField(choices=DocumentType.choices)
    document_type_label = serializers.CharField(source="get_document_type_display")
    title = serializers.CharField()
    file_name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField(help_text="Bytes of the original file.")
    sha256 = serializers.CharField(help_text="SHA-256 of the original file, in hexadecimal.")
    issue_date = serializers.DateField(allow_null=True)
    expiry_date = serializers.DateField(allow_null=True)
    tags = serializers.ListField(child=serializers.CharField())
    damaged = serializers.BooleanField(
        help_text="The stored details failed their integrity check; the file is not sent."
    )
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class ShareCreateSerializer(StrictFieldsMixin, serializers.Serializer):
    kind = serializers.ChoiceField(choices=Share.Kind.choices)
    expires_in_hours = serializers.IntegerField(
        min_value=1,
        max_value=settings.VAULT_SHARE_MAX_HOURS,
        required=False,
        help_text="A link lasts 72 hours unless told otherwise, and 7 days at most.",
    )
    with_code = serializers.BooleanField(
        default=False, help_text="Links only: protect the link with a six-digit code."
    )

    referent = serializers.IntegerField(
        required=False,
        help_text="For a share with a référent: their id, as GET /api/v1/me/referents/ gives it.",
    )

    def validate(self, attrs):
        if attrs["kind"] == Share.Kind.REFERENT and not attrs.get("referent"):
            raise serializers.ValidationError(
                {"referent": [_("Say which of your référents to share with.")]}
            )
        if attrs["kind"] != Share.Kind.REFERENT and attrs.get("referent"):
            raise serializers.ValidationError(
                {"referent": [_("Only a share with a référent names one.")]}
            )
        if attrs["kind"] != Share.Kind.LINK and attrs.get("with_code"):
            raise serializers.ValidationError(
                {"with_code": [_("A code only protects links for professionals.")]}
            )
        return attrs


class ShareSerializer(serializers.ModelSerializer):
    has_code = serializers.SerializerMethodField()
    is_active = serializers.SerializerMethodField()

    class Meta:
        model = Share
        fields = [
            "id",
            "kind",
            "mentor",
            "referent",
            "has_code",
            "is_active",
            "expires_at",
            "revoked_at",
            "created_at",
            "last_used_at",
            "use_count",
        ]

    def get_has_code(self, share: Share) -> bool:
        return bool(share.code_hash)

    def get_is_active(self, share: Share) -> bool:
        return share.is_usable()


class NewShareSerializer(ShareSerializer):
    """A share just created: a link's token and code are shown this once, never again."""

    url = serializers.SerializerMethodField()
    token = serializers.SerializerMethodField()
    code = serializers.SerializerMethodField()

    class Meta(ShareSerializer.Meta):
        fields = [*ShareSerializer.Meta.fields, "url", "token", "code"]

    def get_url(self, share: Share) -> str | None:
        token = self.context.get("token")
        if not token:
            return None
        # The token goes after "#": browsers never send the fragment, so it reaches no
        # server's log. The page there hands it to the API in a header.
        page = self.context["request"].build_absolute_uri(reverse("vault-shared-page"))
        return f"{page}#{token}"

    def get_token(self, share: Share) -> str | None:
        return self.context.get("token") or None

    def get_code(self, share: Share) -> str | None:
        return self.context.get("code") or None


class SharedDocumentSerializer(serializers.Serializer):
    """What the person a document is shared with sees of it."""

    share_id = serializers.UUIDField(source="share.id")
    expires_at = serializers.DateTimeField(source="share.expires_at", allow_null=True)
    document_type = serializers.ChoiceField(choices=DocumentType.choices)
    document_type_label = serializers.CharField(source="get_document_type_display")
    title = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    issue_date = serializers.DateField(allow_null=True)
    expiry_date = serializers.DateField(allow_null=True)


class AccessEventSerializer(serializers.ModelSerializer):
    # Sealed on the row, opened on the instance: declared as the column it was.
    document_type = serializers.ChoiceField(choices=DocumentType.choices, allow_blank=True)
    action_label = serializers.CharField(source="get_action_display")
    actor_label = serializers.CharField(source="get_actor_display")
    who = serializers.CharField(
        source="actor_name", help_text="Who, by name, when it was one of your référents."
    )
    scopes = serializers.ListField(
        child=serializers.CharField(),
        help_text="What a référent's reading showed: scopes (profile, demarches, "
        "appointments, projet) and documents (the titles of documents shared with them); "
        "empty for an operation on a document.",
    )

    class Meta:
        model = AccessEvent
        fields = [
            "created_at",
            "action",
            "action_label",
            "actor",
            "actor_label",
            "document_id",
            "document_type",
            "share_id",
            "who",
            "scopes",
        ]
