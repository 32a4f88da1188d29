"""Write helpers shared by the apps' services."""

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

from django.db import connections, models, transaction

M = TypeVar("M", bound=models.Model)


def model_update(
    instance: M,
    *,
    fields: Iterable[str],
    data: Mapping[str, Any],
    exclude: Iterable[str] = (),
) -> tuple[M, list[str]]:
    """Set the ``fields`` that ``data`` gives on ``instance``, validate, save what changed.

    The one "setattr, full_clean, save" of every updater: fields absent from ``data`` stay
    as they are, and a ``ValidationError`` saves nothing. A new instance is saved whole;
    an existing one saves only its changed fields (and its ``auto_now`` ones), so that a
    concurrent change of another field is not overwritten, and nothing when none changed.
    Returns the instance and the names of the fields that changed.
    """
    changed = []
    adding = instance._state.adding
    for name in fields:
        if name in data and (adding or getattr(instance, name) != data[name]):
            setattr(instance, name, data[name])
            changed.append(name)
    if not (adding or changed):
        return instance, changed  # nothing to check or write: not even ``updated_at``
    instance.full_clean(exclude=list(exclude) or None)
    if adding:
        instance.save()
    else:
        auto_now = [
            field.name
            for field in instance._meta.concrete_fields
            if getattr(field, "auto_now", False) and field.name not in changed
        ]
        instance.save(update_fields=[*changed, *auto_now])
    return instance, changed


@contextmanager
def counted_without_waiting_for_disk(using: str = "default") -> Iterator[None]:
    """A transaction for a counter of the figures (a search, a reading): on PostgreSQL its
    commit does not wait for the write-ahead log to reach the disk.

    ``synchronous_commit`` off, for this transaction only: a crash may lose the counts of
    its last fraction of a second (nothing else: the database stays consistent), while
    waiting for the disk cost every search about a millisecond and a half. Inside a
    transaction already open it changes nothing, so as not to weaken that transaction.
    """
    connection = connections[using]
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with transaction.atomic(using=using):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
        yield
