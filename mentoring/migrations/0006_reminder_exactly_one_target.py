from django.conf import settings
from django.db import migrations, models
from django.db.models import Q

# A reminder about nothing, or about two things at once, has never been written by the
# code (``agenda.reminders._replace`` gives each one target). Should such a row exist anyway, the
# migration stops and says so rather than guess which target was meant or drop the row.
ONE_TARGET = (
    Q(meeting__isnull=False, appointment__isnull=True, document__isnull=True)
    | Q(meeting__isnull=True, appointment__isnull=False, document__isnull=True)
    | Q(meeting__isnull=True, appointment__isnull=True, document__isnull=False)
)


def refuse_reminders_without_one_target(apps, schema_editor):
    Reminder = apps.get_model("mentoring", "Reminder")
    wrong = list(Reminder.objects.exclude(ONE_TARGET).values_list("pk", flat=True)[:20])
    if wrong:
        raise RuntimeError(
            "Reminders without exactly one target (meeting, appointment or document), "
            f"ids {wrong}: fix or delete them, then migrate again."
        )


class Migration(migrations.Migration):
    dependencies = [
        ("mentoring", "0005_match_paused_by"),
        ("vault", "0002_document_user_key_cascade"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(refuse_reminders_without_one_target, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="reminder",
            constraint=models.CheckConstraint(condition=ONE_TARGET, name="reminder_exactly_one_target"),
        ),
    ]
