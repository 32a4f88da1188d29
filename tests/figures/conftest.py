"""Helpers of the per-figure tests: October 2026 in Paris time, young people by département."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from backend.aggregates import Table
from figures.periods import Period

PARIS = ZoneInfo("Europe/Paris")
OCTOBER = Period.month(2026, 10)
START, END = OCTOBER.bounds()


def paris(*args) -> datetime:
    return datetime(*args, tzinfo=PARIS)


def figures(provider, key: str, codes=("93", "75")) -> dict:
    """Table ``key`` of ``provider`` for October 2026, per département:
    ``{code: {cell: (value, people)}}``, with ``"total"`` for a table that has one."""
    found = {}
    for code, tables in provider(list(codes) if codes else None, START, END).items():
        for table in tables:
            if table.key == key:
                found[code] = cells(table)
    return found


def cells(table: Table) -> dict:
    result = {name: (cell.value, cell.people) for name, cell in table.cells.items()}
    if table.total is not None:
        result["total"] = (table.total.value, table.total.people)
    return result


@pytest.fixture
def person(make_user):
    """A young person of département ``code``: ``person("ines", "93", birth_date=...)``."""

    def _make(name, code="93", birth_date=None):
        user = make_user(f"{name}@example.org", first_name=name.title())
        user.profile.departement_id = code
        user.profile.birth_date = birth_date
        user.profile.save()
        return user

    return _make
