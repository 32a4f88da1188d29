from django.core.management.base import BaseCommand, CommandError

from accounts.models import Departement
from mentoring import services

REASONS = {
    "no_compatible_mentor": "no approved mentor fits (domains, languages, reach, wishes)",
    "compatible_mentors_full": "every mentor who fits is full",
    "outcompeted": "the mentors who fit went to requests that gained more",
}


class Command(BaseCommand):
    help = (
        "Match a département's waiting list with its approved mentors at once, maximising "
        "the total score under capacities, the longest waiting and those turning 18 first."
    )

    def add_arguments(self, parser):
        parser.add_argument("departement", help="département code, e.g. 93")
        parser.add_argument(
            "--dry-run", action="store_true", help="report what would be done, change nothing"
        )

    def handle(self, *args, departement, dry_run=False, **options):
        if not Departement.objects.filter(code=departement).exists():
            raise CommandError(f"Unknown département {departement!r}.")
        report = services.bulk_match(departement_id=departement, dry_run=dry_run)
        made = len(report.planned) if dry_run else len(report.matched)
        verb = "would match" if dry_run else "matched"
        self.stdout.write(
            f"{departement}: {verb} {made} pair(s), total score {report.total_score:.1f}"
        )
        for request_id, mentor_id in sorted(report.planned.items()):
            if request_id not in report.refused:
                self.stdout.write(f"  request {request_id} -> mentor {mentor_id}")
        for request_id, code in sorted(report.refused.items()):
            self.stdout.write(f"  request {request_id}: not made ({code})")
        for request_id, reason in sorted(report.unmatched.items()):
            self.stdout.write(
                f"  request {request_id} still waiting: {REASONS.get(reason, reason)}"
            )
