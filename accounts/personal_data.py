"""The user's rights over their data: export (GDPR Art. 20) and erasure (Art. 17).

Each capability registers, in its ``AppConfig.ready``, a function that exports its part
of a user's data and, if it keeps data that must go before the account row does (files
in storage, keys to shred), a function that erases it. ``/api/v1/me/export/`` and
``DELETE /api/v1/me/`` call every registered function.
"""

from collections.abc import Callable
from typing import Any

Exporter = Callable[[Any], Any]
Eraser = Callable[[Any], None]

_exporters: dict[str, Exporter] = {}
_erasers: dict[str, Eraser] = {}


def register_exporter(section: str, exporter: Exporter) -> None:
    """Add ``section`` to every personal-data export; ``exporter(user)`` gives its content."""
    _exporters[section] = exporter


def register_eraser(name: str, eraser: Eraser) -> None:
    """Run ``eraser(user)`` when an account is erased, before its row is deleted."""
    _erasers[name] = eraser


def exporters() -> dict[str, Exporter]:
    return dict(_exporters)


def erasers() -> dict[str, Eraser]:
    return dict(_erasers)
