"""Take a master key version out of the vault's keyring once nothing depends on it."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from backend.crypto.keyring import (
    RetirementRefused,
    keyring_without,
    update_keyring_file,
    write_new_keyring_file,
)


class Command(BaseCommand):
    help = (
        "Remove a master key version from the keyring. Refused while it is current or "
        "while any user key or conversation key is still wrapped under it. Once it is gone "
        "(with every copy of the old keyring), database backups whose keys it wrapped, "
        "erased people's included, open no more."
    )

    def add_arguments(self, parser):
        parser.add_argument("version", help="The master key version to retire, e.g. 1.")
        parser.add_argument(
            "--output",
            metavar="PATH",
            help=(
                "For a keyring in VAULT_KEYRING: write the keyring without that version to "
                "this new file (mode 600, never overwritten) instead of changing anything."
            ),
        )

    def handle(self, *args, version, output=None, **options):
        if settings.VAULT_KEYRING:
            self._retire_from_environment(version, output)
            return
        if output:
            raise CommandError(
                "The keyring is the file VAULT_KEYRING_FILE: it is changed in place, so "
                "--output is not needed."
            )
        path = Path(settings.VAULT_KEYRING_FILE)
        try:
            update_keyring_file(path, lambda keyring: keyring_without(version, keyring))
        except RetirementRefused as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Master key version {version} retired from {path}. Destroy the copies of "
                "the old keyring too (its backups included): until then, version "
                f"{version} still opens the backups it wrapped."
            )
        )

    def _retire_from_environment(self, version: str, output: str | None) -> None:
        try:
            keyring = keyring_without(version)
        except RetirementRefused as error:
            raise CommandError(str(error)) from None
        if not output:
            raise CommandError(
                "The keyring comes from VAULT_KEYRING: give --output PATH, a new file "
                f"where the keyring without version {version} is written."
            )
        try:
            write_new_keyring_file(keyring, Path(output))
        except FileExistsError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"The keyring without master key {version} is in {output} (mode 600). Deploy "
            "its content as VAULT_KEYRING to every process, then delete that file and "
            f"destroy every copy of the old keyring: until then, version {version} still "
            "opens the backups it wrapped."
        )
