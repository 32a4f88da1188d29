"""The providers of the figures, found by convention: each app's ``<app>/figures.py``.

A provider module exposes, at module level:

- ``TABLES``: ``{table key: TableInfo}``, the tables it computes, in the order shown;
- ``provider(codes, start, end)``: computes them (see ``backend.aggregates``);
- optionally ``forget(start, end)``: drops what served only to count a month
  [start, end) (the catalogue's pseudonyms), once that month is kept for every
  département.

They are read once, in the order of ``INSTALLED_APPS`` (the order the tables are
shown in), as Django's admin finds each app's ``admin.py``: no app registers anything.
"""

from dataclasses import dataclass, field
from functools import cache

from backend.aggregates import Forget, Provider, TableInfo
from backend.hooks import discover

MODULE = "figures"


@dataclass
class Registry:
    providers: dict[str, Provider] = field(default_factory=dict)
    tables: dict[str, TableInfo] = field(default_factory=dict)
    provided: dict[str, frozenset[str]] = field(default_factory=dict)  # provider -> tables
    forgetters: dict[str, Forget] = field(default_factory=dict)


@cache
def _registry() -> Registry:
    registry = Registry()
    for label, module in discover(MODULE):
        registry.providers[label] = module.provider
        registry.tables.update(module.TABLES)
        registry.provided[label] = frozenset(module.TABLES)
        if forget := getattr(module, "forget", None):
            registry.forgetters[label] = forget
    return registry


def providers(keys: set[str] | None = None) -> dict[str, Provider]:
    """Every provider (by app label), or only those giving one of the tables ``keys``."""
    registry = _registry()
    return {
        name: provider
        for name, provider in registry.providers.items()
        if keys is None or keys & registry.provided[name]
    }


def forgetters() -> list[Forget]:
    """What each provider forgets once a month is kept everywhere."""
    return list(_registry().forgetters.values())


def table_info(key: str) -> TableInfo:
    """How table ``key`` is combined, hidden and shown."""
    return _registry().tables[key]


def table_keys() -> list[str]:
    """Every table, in the order of the apps, then of each app's ``TABLES``."""
    return list(_registry().tables)
