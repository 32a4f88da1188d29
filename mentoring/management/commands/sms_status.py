from django.conf import settings
from django.core.management.base import BaseCommand

from mentoring.agenda import sms


class Command(BaseCommand):
    help = (
        "Show the SMS channel as configured: backend, caps, the delivery receipts' address "
        "to give the provider, and this month's SMS of each département against its cap."
    )

    def handle(self, *args, **options):
        backend = settings.SMS_BACKEND
        where = (
            f" ({settings.SMS_API_URL}, sender {settings.SMS_SENDER})" if backend == "brevo" else ""
        )
        self.stdout.write(f"SMS backend: {backend}{where}")
        self.stdout.write(
            f"Caps: {settings.SMS_MAX_PER_PERSON_PER_DAY} per person and day, "
            f"{settings.SMS_MAX_PER_DEPARTEMENT_PER_MONTH} per département and month"
        )
        url = sms.receipts_url()
        self.stdout.write(
            f"Delivery receipts: {url}"
            if url
            else "Delivery receipts: off (set SMS_WEBHOOK_SECRET)"
        )
        counts = sms.month_counts()
        self.stdout.write("This month:" + ("" if counts else " no SMS yet"))
        for departement, count in counts:
            self.stdout.write(
                f"  {departement}: {count} / {settings.SMS_MAX_PER_DEPARTEMENT_PER_MONTH}"
            )
