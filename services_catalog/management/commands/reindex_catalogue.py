from django.core.management.base import BaseCommand

from services_catalog import bulk
from services_catalog.models import Entry


class Command(BaseCommand):
    help = (
        "Compute again every entry's search text, theme codes, quality score (and, on "
        "PostgreSQL, its search vector): after an upgrade that changes how entries are "
        "indexed or scored, such as the search in every script or the quality score."
    )

    def handle(self, *args, **options):
        count = bulk.entries_reindex(
            list(Entry.objects.order_by("pk").values_list("pk", flat=True))
        )
        self.stdout.write(f"{count} entries indexed again.")
