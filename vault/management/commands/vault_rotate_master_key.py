"""Re-wrap every user key under the current master key of the vault's keyring."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from backend.crypto.keyring import load_keyring, rewrappers, write_keyring_file


class Command(BaseCommand):
    help = (
        "Re-wrap every user key under the keyring's current master key. Blobs are not "
        "touched: documents stored before and after stay readable. With --new-version, "
        "first add a fresh master key to the keyring file and make it current."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--new-version",
            action="store_true",
            help="Generate a new master key in VAULT_KEYRING_FILE and make it current.",
        )
        parser.add_argument(
            "--print-new-keyring",
            action="store_true",
            help=(
                "Print the keyring with a new master key added, for a keyring kept in the "
                "VAULT_KEYRING variable or a secret manager; changes nothing."
            ),
        )

    def handle(self, *args, new_version=False, print_new_keyring=False, **options):
        keyring = load_keyring()
        if print_new_keyring:
            self.stdout.write(keyring.with_new_version().to_json())
            return
        if new_version:
            if settings.VAULT_KEYRING:
                raise CommandError(
                    "The keyring comes from VAULT_KEYRING: add the new version there "
                    "(see --print-new-keyring), then run this command again without options."
                )
            keyring = keyring.with_new_version()
            write_keyring_file(keyring, Path(settings.VAULT_KEYRING_FILE))
            self.stdout.write(f"Master key version {keyring.current} added and made current.")
        current = load_keyring().current
        for name, rewrap_all in rewrappers().items():
            rotated = rewrap_all()
            self.stdout.write(
                self.style.SUCCESS(f"{rotated} {name} re-wrapped under master key {current}.")
            )
