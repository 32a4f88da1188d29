"""Records kept in the cache (a Redis list) and written to the database in batches.

For counters written on requests that otherwise read only the cache: a catalogue search
answered from the kept answers costs one Redis round trip to count instead of a database
transaction (begin, insert, commit). A periodic task, and every reader that needs them
all (the figures, an erasure), drains the list into the database. Without Redis (the
embedded default's file cache, the tests' caches) there is no list: the caller writes
the record at once.
"""

import json
from collections.abc import Callable
from datetime import datetime

from django.core.cache import cache
from django.utils.dateparse import parse_datetime

BATCH = 1000


def _redis_client():
    """The cache's Redis client, or None when the cache is not Redis."""
    client = getattr(cache, "_cache", None)
    if client is None or not hasattr(client, "get_client"):
        return None
    from backend.cache import RedisCacheClient

    return client.get_client(write=True) if isinstance(client, RedisCacheClient) else None


def _encode(record: dict) -> str:
    return json.dumps(
        {k: v.isoformat() if isinstance(v, datetime) else v for k, v in record.items()}
    )


def _decode(raw: bytes, dates: tuple[str, ...]) -> dict:
    record = json.loads(raw)
    for name in dates:
        record[name] = parse_datetime(record[name])
    return record


def buffer_push(name: str, record: dict) -> bool:
    """Keep ``record`` (JSON values and datetimes) in the list ``name`` for a later batch.
    False when the cache keeps no lists: the caller writes the record itself."""
    client = _redis_client()
    if client is None:
        return False
    client.rpush(cache.make_and_validate_key(f"buffer:{name}"), _encode(record))
    return True


def buffer_drain(
    name: str, write: Callable[[list[dict]], object], *, dates: tuple[str, ...] = ()
) -> int:
    """Hand the records of the list ``name`` to ``write``, oldest first, in batches of at
    most ``BATCH`` (``dates``: the fields to read back as datetimes). A batch that
    ``write`` fails on goes back to the list's front, in order, and the error goes on.
    Returns how many records were written."""
    client = _redis_client()
    if client is None:
        return 0
    key = cache.make_and_validate_key(f"buffer:{name}")
    written = 0
    while raw := client.lpop(key, BATCH):
        try:
            write([_decode(item, dates) for item in raw])
        except BaseException:
            client.lpush(key, *reversed(raw))  # kept for the next drain
            raise
        written += len(raw)
    return written
