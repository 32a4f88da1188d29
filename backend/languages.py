"""The languages Jalon answers in: French, English, and those many young people who
arrived as unaccompanied minors read best (Arabic, Pashto, Dari, Tigrinya).

Django's table of languages lacks Pashto, Dari and Tigrinya: they are added here, with
the direction of their script, before anything asks for them (``settings`` calls
``register``).
"""

import re

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


# Phones name Dari "fa-AF" (CLDR, as Android and iOS do); Jalon calls it "prs". Persian
# of Iran ("fa") reads Dari far better than French: it gets Dari too.
_DARI = re.compile(r"(?<![\w-])fa(?:[-_][A-Za-z]{2,4})?(?![\w-])")


class DariAcceptLanguageMiddleware:
    """Before ``LocaleMiddleware``: ``Accept-Language: fa-AF`` (or ``fa``) asks for Dari."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        asked = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
        if "fa" in asked:
            request.META["HTTP_ACCEPT_LANGUAGE"] = _DARI.sub("prs", asked)
        return self.get_response(request)
