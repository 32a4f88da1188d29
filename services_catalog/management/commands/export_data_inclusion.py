import json

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Departement
from services_catalog.data_inclusion import export_departement


class Command(BaseCommand):
    help = "Write a département's published catalogue as data·inclusion v1 JSON."

    def add_arguments(self, parser):
        parser.add_argument("--departement", required=True, help="INSEE code, e.g. 93")
        parser.add_argument("--output", "-o", help="file to write (default: standard output)")

    def handle(self, *args, departement, output=None, **options):
        try:
            target = Departement.objects.get(code=departement.upper())
        except Departement.DoesNotExist as exc:
            raise CommandError(f"unknown département {departement!r}") from exc
        text = json.dumps(export_departement(departement=target), ensure_ascii=False, indent=2)
        if output:
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(text + "\n")
        else:
            self.stdout.write(text)
