from django.core.management.base import BaseCommand

from services_catalog import services


class Command(BaseCommand):
    help = (
        "Compute again every entry's search text (and, on PostgreSQL, its search vector): "
        "after an upgrade that changes how text is indexed, such as the search in every "
        "script."
    )

    def handle(self, *args, **options):
        count = services.entries_reindex()
        self.stdout.write(f"{count} entries indexed again.")
