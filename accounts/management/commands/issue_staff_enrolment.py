"""``manage.py issue_staff_enrolment EMAIL``: print a staff account's TOTP enrolment code."""

from django.core.management.base import BaseCommand, CommandError

from accounts import services
from accounts.exceptions import EnrolmentRefused
from accounts.models import User


class Command(BaseCommand):
    help = (
        "Issue a single-use code with which the staff account EMAIL sets up two-factor "
        "authentication (TOTP), and print it. Hand it over yourself, out of band."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email, **options):
        try:
            user = User.objects.get(email__iexact=email.strip())
        except User.DoesNotExist:
            raise CommandError(f"No account has the e-mail address {email!r}.") from None
        try:
            code = services.staff_enrolment_issue(user=user)
        except EnrolmentRefused as error:
            raise CommandError(str(error)) from None
        self.stdout.write(code)
