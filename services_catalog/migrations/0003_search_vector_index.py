"""GIN index on the search vector, on PostgreSQL only (SQLite searches ``search_text``)."""

from django.db import migrations


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS entry_search_vector_gin "
            "ON services_catalog_entry USING gin (search_vector)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS entry_search_vector_gin")


class Migration(migrations.Migration):
    dependencies = [("services_catalog", "0002_load_thematiques")]

    operations = [migrations.RunPython(create_index, drop_index)]
