from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from services_catalog.demo import load_demo_catalogue


class Command(BaseCommand):
    help = "Load the demo catalogue: national rights for care leavers, local offers in 93 and 75."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("The demo catalogue is for local use, not for production.")
        outcome = load_demo_catalogue()
        for what, count in sorted(outcome.items()):
            self.stdout.write(f"{count:4d} {what}")
