# MonthlyFigures now belongs to the figures app, which took its table over (renamed,
# rows kept) in figures' 0001: only accounts' state forgets it here.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0005_activity_and_monthly_figures'),
        ('figures', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='MonthlyFigures')],
            database_operations=[],
        ),
    ]
