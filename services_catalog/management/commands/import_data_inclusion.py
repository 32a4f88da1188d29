from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Departement
from services_catalog.data_inclusion import import_file


class Command(BaseCommand):
    help = (
        "Import a data·inclusion v1 JSON file (a list of services, or an object with "
        "'structures' and 'services') into a département. Safe to run twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--departement", required=True, help="INSEE code, e.g. 93")
        parser.add_argument(
            "--publish", action="store_true", help="publish new entries (default: drafts)"
        )

    def handle(self, *args, file: Path, departement: str, publish: bool, **options):
        try:
            target = Departement.objects.get(code=departement.upper())
        except Departement.DoesNotExist as exc:
            raise CommandError(f"unknown département {departement!r}") from exc
        report = import_file(
            text=file.read_text(encoding="utf-8"), departement=target, publish=publish
        )
        self.stdout.write(
            f"{report.created} created, {report.updated} updated, "
            f"{report.unchanged} unchanged, {len(report.errors)} refused"
        )
        for line, reason in report.errors:
            self.stderr.write(f"{file}:{line}: {reason}")
