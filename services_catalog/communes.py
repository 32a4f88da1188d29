"""The French communes (reference data): their INSEE code, name, département and postcodes.

``data/communes.csv.gz`` is derived from Etalab's ``@etalab/decoupage-administratif``
(INSEE's Code officiel géographique) by ``manage.py build_communes_reference``: the
current communes of the 101 départements, nothing else (no delegated, associated or
former communes, no municipal arrondissements). It is read once per process, into memory
(about 35,000 small rows): the admin's autocomplete and the figures' labels need no query.
"""

import csv
import gzip
import io
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .text import normalize

DATA_FILE = Path(__file__).resolve().parent / "data" / "communes.csv.gz"
COLUMNS = ("code", "name", "departement", "postcodes", "population")

# Abbreviations people type for the words of many commune names: "st denis", "ste anne".
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}


@dataclass(frozen=True, slots=True)
class Commune:
    code: str
    name: str
    departement: str
    postcodes: tuple[str, ...]
    population: int
    # ``name`` as searched: lower case, no accent, words separated by one space.
    key: str

    @property
    def label(self) -> str:
        """``"Saint-Denis (93066)"``: how staff see a chosen commune."""
        return f"{self.name} ({self.code})"


def search_key(text: str) -> str:
    """``"St-Denis"`` -> ``"saint denis"``: case, accents, hyphens, apostrophes and the
    usual abbreviations put aside, as both the names and the queries are compared."""
    words = normalize(text).split()
    return " ".join(_ABBREVIATIONS.get(word, word) for word in words)


def read_rows(data: bytes) -> list[Commune]:
    """The communes of a ``communes.csv.gz`` file's bytes."""
    text = gzip.decompress(data).decode("utf-8")
    return [
        Commune(
            code=row["code"],
            name=row["name"],
            departement=row["departement"],
            postcodes=tuple(row["postcodes"].split()),
            population=int(row["population"] or 0),
            key=search_key(row["name"]),
        )
        for row in csv.DictReader(io.StringIO(text))
    ]


@cache
def _reference() -> tuple[dict[str, Commune], tuple[Commune, ...]]:
    communes = read_rows(DATA_FILE.read_bytes())
    # The most populated first: "saint denis" offers Saint-Denis (93) before the hamlets.
    ranked = tuple(sorted(communes, key=lambda c: (-c.population, c.key, c.code)))
    return {commune.code: commune for commune in communes}, ranked


def get(code: str) -> Commune | None:
    """The current commune of INSEE code ``code``, or None."""
    return _reference()[0].get((code or "").strip().upper())


_DIGITS = re.compile(r"^[0-9]{2,5}$|^2[AB][0-9]{0,3}$", re.IGNORECASE)


def search(query: str, *, departements=None, limit: int = 10) -> list[Commune]:
    """Communes whose name starts with ``query`` (or one of whose words does), compared
    without case, accents or hyphens ("st denis" finds Saint-Denis); digits are a
    postcode or an INSEE code's beginning. Only those of ``departements`` (codes) unless
    it is None. Whole-name matches first, then by population."""
    if departements is not None:
        departements = frozenset(departements)
    query = (query or "").strip()
    ranked = _reference()[1]

    def allowed(commune: Commune) -> bool:
        return departements is None or commune.departement in departements

    if _DIGITS.match(query):
        prefix = query.upper()
        return [
            c
            for c in ranked
            if allowed(c)
            and (c.code.startswith(prefix) or any(p.startswith(prefix) for p in c.postcodes))
        ][:limit]
    key = search_key(query)
    if not key:
        return []
    exact, starting, inside = [], [], []
    for commune in ranked:
        if not allowed(commune):
            continue
        if commune.key == key:
            exact.append(commune)
        elif commune.key.startswith(key):
            starting.append(commune)
        elif f" {key}" in commune.key:
            inside.append(commune)
    return (exact + starting + inside)[:limit]


def find_by_name(name: str, *, departements=None) -> list[Commune]:
    """The communes named exactly ``name`` (compared as ``search`` does), of
    ``departements`` unless None: what a name typed without the autocomplete means."""
    key = search_key(name)
    return [
        commune
        for commune in _reference()[1]
        if commune.key == key and (departements is None or commune.departement in departements)
    ]
