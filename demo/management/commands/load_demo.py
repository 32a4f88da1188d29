import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.accounts import DEMO_PASSWORD
from demo.services import load_demo


class Command(BaseCommand):
    help = (
        "Load the demo data, or update it in place: accounts of every role in 93 and 75, "
        "the catalogue, papers in the vault, mentors, and six months of past activity "
        "for the figures (local use only)."
    )

    def handle(self, *args, **options):
        # Not installed in production; should it be anyway, the public password stays out.
        if settings.PRODUCTION:
            raise CommandError("Demo accounts have a public password: not in production.")
        started = time.monotonic()
        loaded = load_demo()
        self.stdout.write(self.style.SUCCESS(f"{len(loaded.accounts)} demo accounts ready."))
        for user in loaded.accounts:
            role = "superuser" if user.is_superuser else user.get_role_display()
            self.stdout.write(f"  {user.email:<34} {role}")
        self.stdout.write(f"Password of every demo account: {DEMO_PASSWORD}")
        for what, count in sorted(loaded.catalogue.items()):
            self.stdout.write(f"{count:6d} catalogue {what}")
        self.stdout.write(f"{loaded.documents:6d} demo document(s) added to the vault")
        self.stdout.write(f"{loaded.mentor_applications:6d} demo mentor application(s) ready")
        self.stdout.write(
            f"{loaded.referents:6d} demo référents linked to jeune.93 (second factor: README)"
        )
        self.stdout.write(f"{loaded.milestone_entries:6d} procedures of the legal milestones")
        if not loaded.activity:
            self.stdout.write("Demo activity already loaded for this month: nothing to do.")
        for what, count in loaded.activity.items():
            self.stdout.write(f"{count:6d} {what}")
        seconds = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"Demo data ready in {seconds:.1f} s."))
