import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.demo_activity import load_demo_activity


class Command(BaseCommand):
    help = (
        "Load six months of fictitious past activity in 93 (and a little in 75), so that "
        "the steering figures have something to show (local use only; after the other "
        "demo loaders)."
    )

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("Demo activity is fictitious: not in production.")
        started = time.monotonic()
        outcome = load_demo_activity()
        seconds = time.monotonic() - started
        if not outcome:
            self.stdout.write("Demo activity already loaded for this month: nothing to do.")
            return
        for what, count in outcome.items():
            self.stdout.write(f"{count:6d} {what}")
        self.stdout.write(self.style.SUCCESS(f"Demo activity ready in {seconds:.1f} s."))
