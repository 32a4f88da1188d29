"""The same service published by two sources: how imports find it, to keep it once.

Two records are the same service when they come from different sources, have the same
name (normalised: case, accents and punctuation do not count) and

- the same SIRET for their structure, or
- positions within ``SAME_PLACE_METRES`` of each other, or, when one of them has no
  position, the same address (normalised) in the same commune.

data·inclusion v1 has no identifier shared between sources (a service's ``id`` is its
source's), so these are the identifiers there are. Candidates are found through buckets
(SIRET and name; name and a grid cell; name, address and commune), never by comparing
every pair: 100,000 records take about a second.
"""

import math
import re
from collections import defaultdict
from collections.abc import Hashable
from dataclasses import dataclass

from .text import normalize

SAME_PLACE_METRES = 50.0
# Grid cells of 0.001° (111 m of latitude, 70 m of longitude in northern France): two
# points within 50 m are in the same cell or in neighbouring ones.
_CELL = 0.001

_STREET_WORDS = {
    "bd": "boulevard",
    "bld": "boulevard",
    "av": "avenue",
    "ave": "avenue",
    "r": "rue",
    "pl": "place",
    "che": "chemin",
    "imp": "impasse",
    "all": "allee",
    "rte": "route",
    "fg": "faubourg",
    "st": "saint",
    "ste": "sainte",
}
_BIS = re.compile(r"\b(\d+)\s+(bis|ter)\b")


@dataclass
class Place:
    """What a record (or an existing entry) is matched on. ``key`` identifies it."""

    key: Hashable
    source: str
    name: str
    siret: str = ""
    address: str = ""
    commune: str = ""  # INSEE code, else postcode
    latitude: float | None = None
    longitude: float | None = None

    @classmethod
    def of(cls, key, *, source, name, siret, address, commune, latitude, longitude) -> "Place":
        """A place from raw values, normalised for matching."""
        located = latitude is not None and longitude is not None
        return cls(
            key=key,
            source=source,
            name=normalize(name or ""),
            siret=(siret or "").replace(" ", ""),
            address=normalize_address(address or ""),
            commune=commune or "",
            latitude=latitude if located else None,
            longitude=longitude if located else None,
        )


def normalize_address(address: str) -> str:
    """``"12, Bd. Saint-Michel"`` and ``"12 boulevard St Michel"`` read the same."""
    words = normalize(address).split()
    return _BIS.sub(r"\1\2", " ".join(_STREET_WORDS.get(word, word) for word in words))


def distance_metres(a: Place, b: Place) -> float:
    """Distance between two located places (equirectangular: exact enough under 1 km)."""
    mean_latitude = math.radians((a.latitude + b.latitude) / 2)
    dx = math.radians(b.longitude - a.longitude) * math.cos(mean_latitude)
    dy = math.radians(b.latitude - a.latitude)
    return 6_371_000 * math.hypot(dx, dy)


def same_place(a: Place, b: Place) -> bool:
    """Whether two places with the same name are at the same place."""
    if a.latitude is not None and b.latitude is not None:
        return distance_metres(a, b) <= SAME_PLACE_METRES
    return bool(a.address) and a.address == b.address and a.commune == b.commune


def groups(places: list[Place]) -> list[list[Place]]:
    """The groups of places that are one service (two or more, from two sources or more)."""
    parent = list(range(len(places)))

    def find(index: int) -> int:
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    def union(i: int, j: int) -> None:
        if places[i].source != places[j].source:
            parent[find(i)] = find(j)

    by_siret: dict[tuple, list[int]] = defaultdict(list)
    by_cell: dict[tuple, list[int]] = defaultdict(list)
    by_address: dict[tuple, list[int]] = defaultdict(list)
    for index, place in enumerate(places):
        if not place.name:
            continue
        if place.siret:
            by_siret[(place.siret, place.name)].append(index)
        if place.latitude is not None:
            cell = (math.floor(place.latitude / _CELL), math.floor(place.longitude / _CELL))
            by_cell[(place.name, *cell)].append(index)
        if place.address:
            by_address[(place.name, place.address, place.commune)].append(index)

    for members in by_siret.values():
        # Each member joins the first member of every other source: k * sources unions.
        firsts = {places[i].source: i for i in reversed(members)}.values()
        for i in members:
            for j in firsts:
                union(i, j)
    for (name, row, column), members in by_cell.items():
        neighbours = [
            j
            for d_row in (-1, 0, 1)
            for d_column in (-1, 0, 1)
            for j in by_cell.get((name, row + d_row, column + d_column), ())
        ]
        for i in members:
            for j in neighbours:
                if i < j and same_place(places[i], places[j]):
                    union(i, j)
    for members in by_address.values():
        for position, i in enumerate(members):
            for j in members[position + 1 :]:
                if same_place(places[i], places[j]):
                    union(i, j)

    found: dict[int, list[Place]] = defaultdict(list)
    for index, place in enumerate(places):
        found[find(index)].append(place)
    return [group for group in found.values() if len(group) > 1]
