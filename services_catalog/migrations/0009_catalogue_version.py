# The catalogue's version row and the triggers that move it (see models.CatalogueVersion).

from django.conf import settings
from django.db import migrations, models

from services_catalog import version_triggers


def create_triggers(apps, schema_editor):
    version_triggers.ensure(schema_editor.connection)
    bump = (
        version_triggers.POSTGRESQL_BUMP
        if schema_editor.connection.vendor == "postgresql"
        else version_triggers.SQLITE_BUMP
    )
    schema_editor.execute(bump)


def drop_triggers(apps, schema_editor):
    version_triggers.drop(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0011_notify_check_in"),
        ("services_catalog", "0008_entry_translation_states"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="CatalogueVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.BigIntegerField(default=0)),
            ],
            options={
                "verbose_name": "catalogue version",
                "verbose_name_plural": "catalogue versions",
            },
        ),
        migrations.AddIndex(
            model_name="entry",
            index=models.Index(
                condition=models.Q(("status", "published")),
                fields=["title", "id"],
                name="entry_published_title_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="entry",
            index=models.Index(fields=["updated_at", "id"], name="entry_updated_id_idx"),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
