"""Re-wrap every wrapped key under the current master key of the vault's keyring."""

import argparse
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from backend.crypto.keyring import (
    load_keyring,
    rewrappers,
    update_keyring_file,
    version_order,
    versions_in_use,
    write_new_keyring_file,
)


class Command(BaseCommand):
    help = (
        "Re-wrap every user key and conversation key under the keyring's current master "
        "key, then show how many keys each version still wraps. Blobs and messages are not "
        "touched. With --new-version, first add a fresh master key and make it current."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--new-version",
            action="store_true",
            help=(
                "Add a fresh master key and make it current: in VAULT_KEYRING_FILE, or, for "
                "a keyring in VAULT_KEYRING, in the new file given by --output (nothing "
                "else changes then; deploy it and run this command again)."
            ),
        )
        parser.add_argument(
            "--output",
            metavar="PATH",
            help=(
                "With --new-version and a keyring in VAULT_KEYRING: write the new keyring "
                "to this file (created mode 600, never overwritten), not to the screen."
            ),
        )
        parser.add_argument(
            "--status",
            action="store_true",
            help="Only show how many keys each master key version wraps; change nothing.",
        )
        # Kept only to explain its removal to scripts that still pass it.
        parser.add_argument("--print-new-keyring", action="store_true", help=argparse.SUPPRESS)

    def handle(self, *args, new_version=False, output=None, status=False, **options):
        if options["print_new_keyring"]:
            raise CommandError(
                "--print-new-keyring is gone: it printed every master key. Use "
                "--new-version --output PATH, which writes the keyring to a file of mode 600."
            )
        if status:
            self._show_versions()
            return
        if output and not new_version:
            raise CommandError("--output goes with --new-version.")
        if new_version:
            if settings.VAULT_KEYRING:
                keyring = load_keyring().with_new_version()
                if not output:
                    raise CommandError(
                        "The keyring comes from VAULT_KEYRING: give --output PATH, a new "
                        "file where the keyring with the new version is written."
                    )
                try:
                    write_new_keyring_file(keyring, Path(output))
                except FileExistsError as error:
                    raise CommandError(str(error)) from None
                self.stdout.write(
                    f"Master key version {keyring.current} written, current, with the "
                    f"others to {output} (mode 600). Deploy its content as VAULT_KEYRING to "
                    "every process, delete the file, then run this command again without "
                    "options to re-wrap."
                )
                return
            if output:
                raise CommandError(
                    "The keyring is the file VAULT_KEYRING_FILE: --new-version changes it "
                    "in place, so --output is not needed."
                )
            load_keyring()  # the embedded default generates it if missing
            keyring = update_keyring_file(
                Path(settings.VAULT_KEYRING_FILE), lambda keyring: keyring.with_new_version()
            )
            self.stdout.write(f"Master key version {keyring.current} added and made current.")
        current = load_keyring().current
        for name, rewrap_all in rewrappers().items():
            rotated = rewrap_all()
            self.stdout.write(
                self.style.SUCCESS(f"{rotated} {name} re-wrapped under master key {current}.")
            )
        self._show_versions()

    def _show_versions(self) -> None:
        keyring = load_keyring()
        try:
            in_use = versions_in_use()
        except ImproperlyConfigured as error:
            self.stdout.write(self.style.WARNING(f"{error} No version can be retired."))
            return
        for version in sorted(keyring.keys.keys() | in_use.keys(), key=version_order):
            rows = in_use.get(version, {})
            counts = ", ".join(f"{count} {name}" for name, count in sorted(rows.items()))
            if version not in keyring.keys:
                line = self.style.ERROR(
                    f"Master key {version}: NOT IN THE KEYRING, yet wraps {counts}."
                )
            elif version == keyring.current:
                made = keyring.created.get(version)
                since = f", made on {made.isoformat()}" if made else ""
                line = f"Master key {version} (current{since}): wraps {counts or 'nothing yet'}."
            elif rows:
                line = f"Master key {version}: still wraps {counts}; re-wrap before retiring."
            else:
                line = self.style.WARNING(
                    f"Master key {version}: wraps nothing; retire it with "
                    f"vault_retire_master_key {version}."
                )
            self.stdout.write(line)
