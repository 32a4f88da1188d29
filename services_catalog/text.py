"""Text normalisation shared by indexing and searching."""

import re
import unicodedata

# Anything but a letter or a digit, in any script (Latin, Arabic, Ge'ez...).
_NON_WORD = re.compile(r"[\W_]+")
# The same word written with Arabic or Persian letters (Dari and Pashto use the Persian
# ones): one spelling, so that either finds the other. The tatweel only stretches a word.
_ONE_SPELLING = str.maketrans(
    {
        "ي": "ی",
        "ى": "ی",
        "ك": "ک",
        "ـ": None,
        # The zero-width (non-)joiner sits inside Persian words: not a word break.
        "\u200c": None,
        "\u200d": None,
        # The apostrophe some keyboards type as a letter (U+02BC, "l\u02bcaide").
        "\u02bc": " ",
        # Arabic-Indic and Persian digits: "١٨" and "۱۸" are 18.
        **{chr(0x0660 + n): str(n) for n in range(10)},
        **{chr(0x06F0 + n): str(n) for n in range(10)},
    }
)


class _CombiningMarks(dict):
    """For ``str.translate``: drops combining marks (accents, short vowels), keeps the
    rest; each character is looked up once, then found in the dict (an import
    normalises thousands of descriptions)."""

    def __missing__(self, code: int) -> int | None:
        kept = None if unicodedata.combining(chr(code)) else code
        self[code] = kept
        return kept


_WITHOUT_MARKS = _CombiningMarks()


def normalize(text: str) -> str:
    """Lower-case, no accents or short vowels, no punctuation, in every script:
    ``"Pécule à 18 ans!"`` -> ``"pecule a 18 ans"``, ``"السَّكَن"`` -> ``"السکن"``."""
    decomposed = unicodedata.normalize("NFKD", text.replace("œ", "oe").replace("Œ", "oe"))
    without_accents = decomposed.translate(_WITHOUT_MARKS)
    return _NON_WORD.sub(" ", without_accents.lower().translate(_ONE_SPELLING)).strip()


# Arabic writes "the", "with the", "and the", "for the"... as part of the word: "السكن"
# is "the housing", "بالسكن" "with the housing". Searching "السكن" must find "سكن" and
# the other way round, on PostgreSQL too, whose French stemmer leaves Arabic whole and
# matches whole words only. Longest first; ``normalize`` already spelled "ك" as "ک".
_ARABIC_ARTICLES = ("وال", "بال", "کال", "فال", "لل", "ال")
_ARABIC_LETTERS = re.compile(r"[\u0600-\u06FF]")


def without_article(word: str) -> str:
    """An Arabic-script word without its article (``"بالسکن"`` -> ``"سکن"``); other words
    as they are. At least two letters are kept: "ال" alone is not stripped to nothing."""
    if not _ARABIC_LETTERS.match(word):
        return word
    for article in _ARABIC_ARTICLES:
        if word.startswith(article) and len(word) - len(article) >= 2:
            return word[len(article) :]
    return word


def searchable(text: str) -> str:
    """``normalize``, then each Arabic-script word without its article: what is indexed."""
    return " ".join(without_article(word) for word in normalize(text).split())


def search_terms(query: str) -> list[str]:
    """The words of a query worth searching for (two letters or more), spelled as the
    index spells them (``searchable``)."""
    return [word for word in searchable(query).split() if len(word) >= 2]


def crude_stem(word: str) -> str:
    """A minimal French stemmer for the SQLite fallback: drops plural endings.

    PostgreSQL uses its real French stemmer; this only makes "aides" find "aide".
    """
    for suffix in ("aux", "s", "x"):
        if len(word) > 4 and word.endswith(suffix):
            return word[: -len(suffix)] + ("al" if suffix == "aux" else "")
    return word
