# MonthlyFigures moves from accounts to figures without losing a row: the model is
# created here in the state only, on the table accounts made, then that table is
# renamed to figures'. accounts' 0006 then drops the model from its own state only.

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


def move_content_type(apps, schema_editor, old="accounts", new="figures"):
    """The model's content type (and so its permissions, and who was granted them)
    follows the model, if one was made already."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    moved = ContentType.objects.using(db).filter(app_label=old, model="monthlyfigures")
    if not ContentType.objects.using(db).filter(app_label=new, model="monthlyfigures").exists():
        moved.update(app_label=new)


def move_content_type_back(apps, schema_editor):
    move_content_type(apps, schema_editor, old="figures", new="accounts")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accounts', '0005_activity_and_monthly_figures'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='MonthlyFigures',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('month', models.DateField(help_text='First day of the month (Europe/Paris).')),
                        ('computed_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('tables', models.JSONField(default=dict)),
                        ('departement', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.departement')),
                    ],
                    options={
                        'verbose_name': 'monthly figures',
                        'verbose_name_plural': 'monthly figures',
                        'db_table': 'accounts_monthlyfigures',
                        'constraints': [models.UniqueConstraint(fields=('departement', 'month'), name='accounts_figures_once_a_month')],
                    },
                ),
            ],
            database_operations=[],
        ),
        # None: the default name, figures_monthlyfigures.
        migrations.AlterModelTable(name='monthlyfigures', table=None),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
