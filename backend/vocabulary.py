"""The words behind the codes, from every app: ``GET /api/v1/vocabulary/``.

Found by convention (``backend.hooks``): an app's ``vocabulary.py`` may expose
``VOCABULARIES``, ``{name: choices}`` (a list of ``(code, label)`` pairs, labels lazily
translated), or a function returning it (for a module its models import), so the app
never shows a code. Labels come in the request's language, with
French where a word is not translated yet; data·inclusion's own labels are French.
"""

from functools import cache

from .hooks import discover

MODULE = "vocabulary"


@cache
def _sources() -> dict:
    found = {}
    for _label, module in discover(MODULE):
        words = getattr(module, "VOCABULARIES", {})
        found.update(words() if callable(words) else words)
    return found


def vocabulary_sources() -> dict:
    """Every vocabulary as ``{name: choices}``, labels still lazy (the admin's history
    shows a code list's labels with them)."""
    return _sources()


def vocabularies() -> dict[str, list[dict[str, str]]]:
    """Every vocabulary as ``{name: [{"code", "label"}, ...]}``, in the active language."""
    return {
        name: [{"code": str(code), "label": str(label)} for code, label in choices]
        for name, choices in sorted(_sources().items())
    }
