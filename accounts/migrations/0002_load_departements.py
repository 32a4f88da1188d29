"""Load the 101 départements (reference data) from accounts/data/departements.csv."""

import csv
from pathlib import Path

from django.db import migrations

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "departements.csv"


def load_departements(apps, schema_editor):
    Departement = apps.get_model("accounts", "Departement")
    with DATA_FILE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        Departement.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "region_code": row["region_code"],
                "region_name": row["region_name"],
            },
        )


def unload_departements(apps, schema_editor):
    apps.get_model("accounts", "Departement").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(load_departements, unload_departements)]
