import time

from django.core.management.base import BaseCommand, CommandError

from figures.periods import Period, PeriodError
from figures.services import month_archive


class Command(BaseCommand):
    help = (
        "Compute and keep the figures of a month that is over for every département "
        "(default: last month). A month already kept is left as it is."
    )

    def add_arguments(self, parser):
        parser.add_argument("--month", help="YYYY-MM (default: the last month that is over)")

    def handle(self, *args, month=None, **options):
        try:
            period = Period.from_months(month, month) if month else Period.last_closed_month()
        except PeriodError as error:
            raise CommandError(str(error)) from error
        started = time.perf_counter()
        computed, kept = month_archive(period.first)
        seconds = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"{period}: {computed} départements computed, {kept} already kept "
                f"({seconds:.1f} s)."
            )
        )
