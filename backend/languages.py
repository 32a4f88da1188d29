"""The languages Jalon answers in: French, English, and those many young people who
arrived as unaccompanied minors read best (Arabic, Pashto, Dari, Tigrinya).

Django's table of languages lacks Pashto, Dari and Tigrinya: they are added here, with
the direction of their script, before anything asks for them (``settings`` calls
``register``).
"""

from django.conf.locale import LANG_INFO
from django.utils.translation import get_language, get_language_info

EXTRA_LANG_INFO = {
    "ps": {"bidi": True, "code": "ps", "name": "Pashto", "name_local": "پښتو"},
    # Dari (Afghan Persian): ISO 639-3 "prs", its own language for the young people who
    # speak it, not "fa" (the Persian of Iran).
    "prs": {"bidi": True, "code": "prs", "name": "Dari", "name_local": "دری"},
    "ti": {"bidi": False, "code": "ti", "name": "Tigrinya", "name_local": "ትግርኛ"},
}
RIGHT_TO_LEFT = ["ar", "ps", "prs"]


def register() -> None:
    """Add the languages Django does not know to its table (idempotent)."""
    for code, info in EXTRA_LANG_INFO.items():
        LANG_INFO.setdefault(code, info)


def current() -> str:
    """The request's language, as a code of ``LANGUAGES`` (``fr`` if none)."""
    return (get_language() or "fr").split("-")[0]


def direction(code: str) -> str:
    """``rtl`` or ``ltr``: how text in ``code`` is written."""
    try:
        return "rtl" if get_language_info(code)["bidi"] else "ltr"
    except KeyError:
        return "ltr"
