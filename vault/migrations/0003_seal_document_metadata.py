"""Seal the documents' type and dates, and the access log's document type.

They were in clear: "residence permit" or "placement order" and a date say more about a
person than the server needs to query. Each value is sealed with its owner's key (the
vault's user key), bound to its table, row and field; the documents keep a coarse clear
``category`` for the figures. The clear columns are dropped only once every row is
sealed; going back opens them into the clear columns again.
"""

from django.db import migrations, models

from backend.crypto import sealed
from vault.document_types import category_of
from vault.keys import user_secret

DOCUMENT_FIELDS = [("document_type", sealed.TEXT), ("issue_date", sealed.DATE), ("expiry_date", sealed.DATE)]


def _secrets(UserKey):
    found = {}

    def secret(user_key_id):
        if user_key_id not in found:
            found[user_key_id] = user_secret(UserKey.objects.get(pk=user_key_id))
        return found[user_key_id]

    return secret


def seal_forward(apps, schema_editor):
    Document = apps.get_model("vault", "Document")
    AccessEvent = apps.get_model("vault", "AccessEvent")
    UserKey = apps.get_model("vault", "UserKey")
    secret = _secrets(UserKey)
    for document in Document.objects.all().iterator():
        key = secret(document.user_key_id)
        for name, codec in DOCUMENT_FIELDS:
            setattr(
                document,
                f"{name}_sealed",
                sealed.seal_value(
                    key,
                    getattr(document, name),
                    table="vault_document",
                    row_id=document.pk,
                    field=name,
                    codec=codec,
                ),
            )
        document.category = category_of(document.document_type)
        document.save(
            update_fields=[f"{name}_sealed" for name, _codec in DOCUMENT_FIELDS] + ["category"]
        )
    key_of_owner = dict(UserKey.objects.values_list("user_id", "id"))
    for event in AccessEvent.objects.all().iterator():
        user_key_id = key_of_owner.get(event.owner_id)
        if user_key_id is None:  # no key, no document: nothing the log can tell
            raw = b""
        else:
            raw = sealed.seal_value(
                secret(user_key_id),
                event.document_type,
                table="vault_accessevent",
                row_id=event.pk,
                field="document_type",
            )
        AccessEvent.objects.filter(pk=event.pk).update(document_type_sealed=raw)


def seal_backward(apps, schema_editor):
    Document = apps.get_model("vault", "Document")
    AccessEvent = apps.get_model("vault", "AccessEvent")
    UserKey = apps.get_model("vault", "UserKey")
    secret = _secrets(UserKey)
    for document in Document.objects.all().iterator():
        key = secret(document.user_key_id)
        for name, codec in DOCUMENT_FIELDS:
            value = sealed.open_value(
                key,
                getattr(document, f"{name}_sealed"),
                table="vault_document",
                row_id=document.pk,
                field=name,
                codec=codec,
            )
            setattr(document, name, value if name != "document_type" else value or "other")
        document.save(update_fields=[name for name, _codec in DOCUMENT_FIELDS])
    key_of_owner = dict(UserKey.objects.values_list("user_id", "id"))
    for event in AccessEvent.objects.all().iterator():
        user_key_id = key_of_owner.get(event.owner_id)
        value = ""
        if user_key_id is not None:
            value = sealed.open_value(
                secret(user_key_id),
                event.document_type_sealed,
                table="vault_accessevent",
                row_id=event.pk,
                field="document_type",
            )
        AccessEvent.objects.filter(pk=event.pk).update(document_type=value or "other")


class Migration(migrations.Migration):
    dependencies = [
        ("vault", "0002_document_user_key_cascade"),
    ]

    operations = [
        migrations.AddField(
            model_name="document",
            name="category",
            field=models.CharField(
                choices=[
                    ("identity", "Identity and civil status papers"),
                    ("health", "Health papers"),
                    ("money", "Money, work and tax papers"),
                    ("education", "School and diplomas"),
                    ("care", "Child protection papers"),
                    ("housing", "Housing papers"),
                    ("other", "Other papers"),
                ],
                default="other",
                max_length=16,
                verbose_name="category",
            ),
        ),
        migrations.AddField(
            model_name="document",
            name="document_type_sealed",
            field=models.BinaryField(blank=True, default=b""),
        ),
        migrations.AddField(
            model_name="document",
            name="issue_date_sealed",
            field=models.BinaryField(blank=True, default=b""),
        ),
        migrations.AddField(
            model_name="document",
            name="expiry_date_sealed",
            field=models.BinaryField(blank=True, default=b""),
        ),
        migrations.AddField(
            model_name="accessevent",
            name="document_type_sealed",
            field=models.BinaryField(blank=True, default=b""),
        ),
        migrations.RunPython(seal_forward, seal_backward, elidable=False),
        migrations.RemoveIndex(model_name="document", name="vault_docum_owner_i_25b811_idx"),
        migrations.RemoveIndex(model_name="document", name="vault_docum_owner_i_f25b8c_idx"),
        # A default first, so that going back re-adds the clear columns on existing rows.
        migrations.AlterField(
            model_name="document",
            name="document_type",
            field=models.CharField(default="other", max_length=32, verbose_name="document type"),
        ),
        migrations.AlterField(
            model_name="accessevent",
            name="document_type",
            field=models.CharField(default="other", max_length=32),
        ),
        migrations.RemoveField(model_name="document", name="document_type"),
        migrations.RemoveField(model_name="document", name="issue_date"),
        migrations.RemoveField(model_name="document", name="expiry_date"),
        migrations.RemoveField(model_name="accessevent", name="document_type"),
    ]
