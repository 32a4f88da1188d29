import csv
import gzip
import io
import json
import tarfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Departement
from services_catalog.communes import COLUMNS, DATA_FILE


def _communes_json(source: Path) -> list[dict]:
    """``communes.json`` of the package: the npm tarball itself or the extracted file."""
    if source.suffix in (".tgz", ".gz"):
        with tarfile.open(source) as archive:
            member = archive.extractfile("package/data/communes.json")
            if member is None:
                raise CommandError("package/data/communes.json is missing from the tarball.")
            return json.load(member)
    return json.loads(source.read_text(encoding="utf-8"))


class Command(BaseCommand):
    help = (
        "Write services_catalog/data/communes.csv.gz from Etalab's "
        "@etalab/decoupage-administratif (`npm pack @etalab/decoupage-administratif`, then "
        "give the .tgz or its data/communes.json): the current communes of the "
        "départements, with their name, postcodes and population."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", type=Path)
        parser.add_argument("--output", type=Path, default=DATA_FILE)

    def handle(self, *args, source: Path, output: Path, **options):
        departements = set(Departement.objects.values_list("code", flat=True))
        rows = sorted(
            (
                item
                for item in _communes_json(source)
                if item.get("type") == "commune-actuelle"
                and item.get("departement") in departements
            ),
            key=lambda item: item["code"],
        )
        if not rows:
            raise CommandError("No current commune in the source: is it the right file?")
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(COLUMNS)
        for item in rows:
            writer.writerow(
                [
                    item["code"],
                    item["nom"],
                    item["departement"],
                    " ".join(item.get("codesPostaux") or []),
                    item.get("population") or 0,
                ]
            )
        # mtime=0: the same source gives the same bytes (a rebuild shows no false change).
        output.write_bytes(gzip.compress(text.getvalue().encode("utf-8"), 9, mtime=0))
        self.stdout.write(f"{len(rows)} communes written to {output}.")
