from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from vault.demo import load_demo_vault


class Command(BaseCommand):
    help = "Put a few demo documents in the demo young people's vaults (local use only)."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("Demo documents are for local use only.")
        added = load_demo_vault()
        self.stdout.write(self.style.SUCCESS(f"{added} demo document(s) added to the vault."))
