from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.demo import DEMO_PASSWORD, load_demo_data


class Command(BaseCommand):
    help = "Load demo accounts of every role in départements 93 and 75 (local use only)."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("Demo accounts have a public password: not in production.")
        users = load_demo_data()
        self.stdout.write(self.style.SUCCESS(f"{len(users)} demo accounts ready."))
        for user in users:
            role = "superuser" if user.is_superuser else user.get_role_display()
            self.stdout.write(f"  {user.email:<34} {role}")
        self.stdout.write(f"Password of every demo account: {DEMO_PASSWORD}")
