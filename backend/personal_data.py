"""The user's rights over their data: export (GDPR Art. 20) and erasure (Art. 17).

Each app that keeps personal data has a ``<app>/personal_data.py`` (found by its name,
``backend.hooks``) exposing, at module level:

- ``SECTION``: its key in the export (``"vault"``, ``"demarches"``...);
- ``export(user)``: its part of ``/api/v1/me/export/``, JSON-ready;
- optionally ``MORE_SECTIONS``: ``{section: export}``, the sections of other kinds of
  data the app keeps (the catalogue's error reports beside its procedures), after it;
- optionally ``erase(user)``: what must go before the account row does (files in
  storage, keys to shred). Rows that go with the account by cascade need none.

``/api/v1/me/export/`` and ``DELETE /api/v1/me/`` call them in the order of
``INSTALLED_APPS``. Shared infrastructure: accounts calls these, and every app above it
provides them, so the registry sits below them all.
"""

from collections.abc import Callable
from functools import cache
from typing import Any

from .hooks import discover

MODULE = "personal_data"

Exporter = Callable[[Any], Any]
Eraser = Callable[[Any], None]


@cache
def _modules() -> list:
    return [module for _label, module in discover(MODULE)]


def exporters() -> dict[str, Exporter]:
    """``{section: export}`` of every app, in the order of ``INSTALLED_APPS``."""
    found: dict[str, Exporter] = {}
    for module in _modules():
        found[module.SECTION] = module.export
        found.update(getattr(module, "MORE_SECTIONS", {}))
    return found


def erasers() -> dict[str, Eraser]:
    """``{section: erase}`` of the apps that erase something before the account goes."""
    return {module.SECTION: module.erase for module in _modules() if hasattr(module, "erase")}
