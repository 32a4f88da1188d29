"""Seal the MFA secrets already in the database with the master keyring (reversible)."""

from django.db import migrations


def seal(apps, schema_editor):
    from accounts.mfa import seal_all_in_the_clear

    seal_all_in_the_clear(apps.get_model("mfa", "Authenticator"))


def unseal(apps, schema_editor):
    from accounts.mfa import open_all_sealed

    open_all_sealed(apps.get_model("mfa", "Authenticator"))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_staff_enrolment"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [migrations.RunPython(seal, unseal)]
