"""Derived columns of many entries at once: what ``services.entry_reindex`` does for one.

Imports write thousands of entries per transaction; indexing them one by one (two
UPDATEs each) was most of an import's time. These functions give the same values:
``tests/services_catalog/test_national_import.py`` compares them with ``entry_reindex``.
"""

from collections import defaultdict
from collections.abc import Iterable
from contextlib import contextmanager

from django.db import connection

from .models import Entry, EntryStep, Thematique
from .quality import entry_quality_score
from .services import entries_follow_quality_bar, search_text_of
from .text import searchable

# The search vector as services.entry_reindex builds it (SearchVector with weights A, B).
_VECTORS_SQL = """
UPDATE services_catalog_entry AS entry
SET search_vector =
    setweight(to_tsvector('french'::regconfig, COALESCE(given.title, '')), 'A')
    || setweight(to_tsvector('french'::regconfig, COALESCE(given.body, '')), 'B')
FROM unnest(%s::bigint[], %s::text[], %s::text[]) AS given(id, title, body)
WHERE entry.id = given.id
"""


@contextmanager
def parameters_bound_by_the_server():
    """On PostgreSQL, let the server bind the parameters of the statements run inside.

    Django's default (psycopg's client-side binding) quotes every value in Python and
    parses the SQL text around it: for a chunk of 1,000 entries (some 50,000 values per
    INSERT) that was half of a national import's time. Server-side binding is the
    ``server_side_binding`` option Django supports; this turns it on for the import only.
    """
    if connection.vendor != "postgresql":
        yield
        return
    from django.db.backends.postgresql.base import ServerBindingCursor

    connection.ensure_connection()
    raw = connection.connection
    previous, raw.cursor_factory = raw.cursor_factory, ServerBindingCursor
    try:
        yield
    finally:
        raw.cursor_factory = previous


def thematiques_by_code() -> dict[str, Thematique]:
    """Every theme by its code (a few hundred rows, read once per import)."""
    return {theme.code: theme for theme in Thematique.objects.all()}


def entry_index_values(
    entry: Entry,
    *,
    theme_codes: Iterable[str],
    themes: dict[str, Thematique],
    structure_name: str,
    steps: Iterable[str],
) -> None:
    """Set ``entry``'s search text, theme codes and quality score, in memory."""
    codes = sorted(theme_codes)
    entry.theme_codes = codes
    entry.search_text = search_text_of(
        entry,
        structure_name=structure_name,
        themes=[themes[code] for code in codes],
        steps=steps,
    )
    entry.quality_score = entry_quality_score(entry, codes)


def search_vectors_update(entries: list[Entry]) -> None:
    """On PostgreSQL, the search vector of saved ``entries``: one statement for all."""
    if connection.vendor != "postgresql" or not entries:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            _VECTORS_SQL,
            [
                [entry.pk for entry in entries],
                [searchable(entry.title) for entry in entries],
                [entry.search_text for entry in entries],
            ],
        )


def entries_reindex(entry_ids: list[int], batch: int = 1000) -> int:
    """``services.entry_reindex`` for many entries, a few statements per ``batch``."""
    themes = thematiques_by_code()
    count = 0
    for start in range(0, len(entry_ids), batch):
        chunk = list(
            Entry.objects.filter(pk__in=entry_ids[start : start + batch]).select_related(
                "structure"
            )
        )
        ids = [entry.pk for entry in chunk]
        codes: dict[int, list[str]] = defaultdict(list)
        for entry_id, code in Entry.thematiques.through.objects.filter(
            entry_id__in=ids
        ).values_list("entry_id", "thematique_id"):
            codes[entry_id].append(code)
        steps: dict[int, list[str]] = defaultdict(list)
        for entry_id, text in EntryStep.objects.filter(entry_id__in=ids).values_list(
            "entry_id", "text"
        ):
            steps[entry_id].append(text)
        previous_scores = {entry.pk: entry.quality_score for entry in chunk}
        for entry in chunk:
            entry_index_values(
                entry,
                theme_codes=codes[entry.pk],
                themes=themes,
                structure_name=entry.structure.name if entry.structure_id else "",
                steps=steps[entry.pk],
            )
        Entry.objects.bulk_update(chunk, ["search_text", "theme_codes", "quality_score"])
        search_vectors_update(chunk)
        entries_follow_quality_bar([(entry, previous_scores[entry.pk]) for entry in chunk])
        count += len(chunk)
    return count
