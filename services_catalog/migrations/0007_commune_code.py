"""One name for the INSEE commune code: ``code_insee`` becomes ``commune_code``.

A rename of the column, so no row loses its value and the migration goes back as well.
data·inclusion still calls it ``code_insee``: only its adapter uses that name.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("services_catalog", "0006_searchevent_visitor_entryconsultation"),
    ]

    operations = [
        migrations.RenameField(model_name=model, old_name="code_insee", new_name="commune_code")
        for model in ("structure", "historicalstructure", "entry", "historicalentry", "searchevent")
    ]
