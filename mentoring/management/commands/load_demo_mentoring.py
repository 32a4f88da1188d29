from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from mentoring.demo import load_demo_mentoring


class Command(BaseCommand):
    help = "Give the demo mentors their applications (one approved in 93; local use only)."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("Demo mentors are for local use only.")
        made = load_demo_mentoring()
        self.stdout.write(self.style.SUCCESS(f"{made} demo mentor application(s) ready."))
