"""Index Arabic-script words without their article (``text.without_article``).

Only the entries whose search text has Arabic letters change. Their search text is
normalised already: ``searchable`` over it strips the articles and nothing else.
"""

from django.db import migrations

from services_catalog.text import searchable


def reindex_arabic(apps, schema_editor):
    Entry = apps.get_model("services_catalog", "Entry")
    rows = Entry.objects.filter(search_text__regex=r"[\u0600-\u06FF]").only(
        "pk", "title", "search_text"
    )
    postgresql = schema_editor.connection.vendor == "postgresql"
    for entry in rows.iterator():
        search_text = searchable(entry.search_text)
        Entry.objects.filter(pk=entry.pk).update(search_text=search_text)
        if postgresql:
            schema_editor.execute(
                "UPDATE services_catalog_entry SET search_vector = "
                "setweight(to_tsvector('french', %s), 'A') || "
                "setweight(to_tsvector('french', %s), 'B') WHERE id = %s",
                [searchable(entry.title), search_text, entry.pk],
            )


class Migration(migrations.Migration):
    dependencies = [("services_catalog", "0009_catalogue_version")]

    operations = [migrations.RunPython(reindex_arabic, migrations.RunPython.noop)]
