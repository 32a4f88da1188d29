"""URL converters shared by the apps."""

from django.urls import register_converter
from django.urls.converters import get_converters


class DatabaseIdConverter:
    """A positive integer that fits the database's bigint: larger ones are plain 404s."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


class DepartementCodeConverter:
    """``93``, ``2A``, ``974``: only shapes of real codes reach the view."""

    regex = r"[0-9]{2,3}|2[AaBb]"

    def to_python(self, value: str) -> str:
        return value.upper()

    def to_url(self, value: str) -> str:
        return value


class WordConverter:
    """A short code of lowercase words (``housing``, ``job_training``): a number or a long
    string is a plain 404 before the view."""

    regex = "[a-z][a-z_]{0,31}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


CONVERTERS = {
    "id": DatabaseIdConverter,
    "departement": DepartementCodeConverter,
    "word": WordConverter,
}


def register_converters() -> None:
    """Register ``<id:...>``, ``<departement:...>`` and ``<word:...>`` for every app's URLs, once.

    The root URLconf calls it before it includes the apps' URLs; calling it again is
    harmless (Django refuses to register a converter's name twice).
    """
    registered = get_converters()
    for name, converter in CONVERTERS.items():
        if name not in registered:
            register_converter(converter, name)
