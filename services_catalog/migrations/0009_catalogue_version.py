# The catalogue's version row and the triggers that move it (see models.CatalogueVersion).

from django.conf import settings
from django.db import migrations, models

# What the app's lists show or filter on. A new table the lists read goes here too.
WATCHED_TABLES = (
    "services_catalog_entry",
    "services_catalog_structure",
    "services_catalog_thematique",
    "services_catalog_entry_thematiques",
    "services_catalog_entry_zone_departements",
    "services_catalog_entryremoval",
)


# The number moves to "now" in microseconds (or one more, if the clock is behind): it never
# comes back to a value that an answer was cached under, even after a flush or a restore.
POSTGRESQL_BUMP = (
    "INSERT INTO services_catalog_catalogueversion (id, number) "
    "VALUES (1, (extract(epoch FROM clock_timestamp()) * 1000000)::bigint) "
    "ON CONFLICT (id) DO UPDATE SET number = GREATEST("
    "services_catalog_catalogueversion.number + 1, EXCLUDED.number)"
)
SQLITE_BUMP = (
    "INSERT INTO services_catalog_catalogueversion (id, number) "
    "VALUES (1, CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)) "
    "ON CONFLICT (id) DO UPDATE SET number = MAX("
    "services_catalog_catalogueversion.number + 1, excluded.number)"
)


def watch_tables(schema_editor, tables) -> None:
    """Triggers on ``tables`` that move the catalogue's version (later migrations call it
    for the tables they add to what the lists show)."""
    if schema_editor.connection.vendor == "postgresql":
        for table in tables:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION catalogue_version_bump()"
            )
    elif schema_editor.connection.vendor == "sqlite":
        # SQLite has row triggers only; one single-row update per row written is cheap.
        for table in tables:
            for event in ("INSERT", "UPDATE", "DELETE"):
                schema_editor.execute(
                    f"CREATE TRIGGER {table}_version_{event.lower()} AFTER {event} ON {table} "
                    f"BEGIN {SQLITE_BUMP}; END"
                )
    else:  # pragma: no cover - the project runs on SQLite and PostgreSQL only
        raise NotImplementedError(schema_editor.connection.vendor)


def unwatch_tables(schema_editor, tables) -> None:
    """Drop the triggers of ``watch_tables``."""
    for table in tables:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_version ON {table}")
        elif schema_editor.connection.vendor == "sqlite":
            for event in ("insert", "update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_version_{event}")


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # One bump per statement: a bulk import of 2,000 rows moves the version once.
        schema_editor.execute(
            "CREATE OR REPLACE FUNCTION catalogue_version_bump() RETURNS trigger "
            f"LANGUAGE plpgsql AS $$ BEGIN {POSTGRESQL_BUMP}; RETURN NULL; END $$"
        )
        schema_editor.execute(POSTGRESQL_BUMP)
    else:
        schema_editor.execute(SQLITE_BUMP)
    watch_tables(schema_editor, WATCHED_TABLES)


def drop_triggers(apps, schema_editor):
    unwatch_tables(schema_editor, WATCHED_TABLES)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS catalogue_version_bump()")


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
