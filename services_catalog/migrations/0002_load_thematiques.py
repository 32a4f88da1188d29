"""Load data·inclusion's themes from the official package (not copied by hand)."""

from django.db import migrations


def load_thematiques(apps, schema_editor):
    from services_catalog.vocabulary import thematique_rows

    Thematique = apps.get_model("services_catalog", "Thematique")
    for row in thematique_rows():
        Thematique.objects.update_or_create(code=row["code"], defaults=row)


class Migration(migrations.Migration):
    dependencies = [("services_catalog", "0001_initial")]

    operations = [migrations.RunPython(load_thematiques, migrations.RunPython.noop)]
