import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Departement
from services_catalog.data_inclusion import DEFAULT_CHUNK_SIZE, import_file


class Command(BaseCommand):
    help = (
        "Import a data·inclusion v1 file (a list of services, an object with 'structures' "
        "and 'services', or JSON lines) into a département, or, without --departement, a "
        "national file: each record goes to the département of its commune. Safe to run "
        "twice. Progress goes to stderr (--quiet: none), the summary to stdout."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--departement", help="INSEE code, e.g. 93 (default: the whole country)"
        )
        parser.add_argument(
            "--publish", action="store_true", help="publish new entries (default: drafts)"
        )
        parser.add_argument("--quiet", action="store_true", help="no progress display")
        parser.add_argument(
            "--progress-every",
            type=int,
            default=10_000,
            help="records between two progress lines (default 10000)",
        )
        parser.add_argument("--chunk-size", type=int, default=DEFAULT_CHUNK_SIZE)

    def handle(self, *args, file: Path, departement: str | None, publish: bool, **options):
        target = None
        if departement:
            try:
                target = Departement.objects.get(code=departement.upper())
            except Departement.DoesNotExist as exc:
                raise CommandError(f"unknown département {departement!r}") from exc
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read {file}: {exc}") from exc
        if options["chunk_size"] < 1 or options["progress_every"] < 1:
            raise CommandError("--chunk-size and --progress-every must be positive")

        started = time.monotonic()
        printed = {"done": 0}

        def progress(stage: str, done: int, total: int) -> None:
            if done - printed["done"] < options["progress_every"] and done < total:
                return
            printed["done"] = done
            elapsed = max(time.monotonic() - started, 1e-6)
            self.stderr.write(
                f"{done:,}/{total:,} records ({100 * done // max(total, 1)}%, {stage}), "
                f"{done / elapsed:,.0f}/s, {elapsed:.0f} s"
            )

        report = import_file(
            text=text,
            departement=target,
            publish=publish,
            progress=None if options["quiet"] else progress,
            chunk_size=options["chunk_size"],
        )
        for line, reason in report.errors:
            self.stderr.write(f"{file}:{line}: {reason}")
        elapsed = time.monotonic() - started
        structures = report.structures
        self.stdout.write(
            f"Services: {report.created} created, {report.updated} updated, "
            f"{report.unchanged} unchanged, {report.duplicates} skipped as duplicates, "
            f"{report.refused} refused, {report.below_quality} below quality.\n"
            f"Structures: {structures['created']} created, {structures['updated']} updated, "
            f"{structures['unchanged']} unchanged.\n"
            + ("" if report.changed else "Nothing changed.\n")
            + f"{elapsed:.1f} s."
        )
