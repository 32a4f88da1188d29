"""Text normalisation shared by indexing and searching."""

import re
import unicodedata

_NON_WORD = re.compile(r"[^a-z0-9]+")


def normalize(text: str) -> str:
    """Lower-case, no accents, no punctuation: ``"Pécule à 18 ans!"`` -> ``"pecule a 18 ans"``."""
    decomposed = unicodedata.normalize("NFKD", text.replace("œ", "oe").replace("Œ", "oe"))
    without_accents = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _NON_WORD.sub(" ", without_accents.lower()).strip()


def search_terms(query: str) -> list[str]:
    """The words of a query worth searching for (two letters or more)."""
    return [word for word in normalize(query).split() if len(word) >= 2]


def crude_stem(word: str) -> str:
    """A minimal French stemmer for the SQLite fallback: drops plural endings.

    PostgreSQL uses its real French stemmer; this only makes "aides" find "aide".
    """
    for suffix in ("aux", "s", "x"):
        if len(word) > 4 and word.endswith(suffix):
            return word[: -len(suffix)] + ("al" if suffix == "aux" else "")
    return word
