"""Model attributes kept sealed in the database, open on the instance.

A :class:`Sealed` attribute reads and writes like a plain field (``appointment.title``),
but its column (``title_sealed``) holds ``aead.seal(key, value)`` whose associated data
names the table, the row's id and the field: a ciphertext copied to another row or
another field fails to open. The key comes from the model's ``sealing_key()`` (a
person's vault key, a conversation's key), so crypto-shredding that key and rotating
the master keyring cover these values with nothing more.

An empty value is stored as an empty column: there is nothing to hide in it, and a row
(a match, say) needs no key until it holds something. A row whose id is only known
once inserted (an auto-increment id) is inserted first, then its values are sealed
under that id, in the same transaction.
"""

import datetime
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction

from . import aead

_CONTEXT = b"jalon/sealed/v1|"


def context(table: str, row_id: Any, field: str) -> bytes:
    """The associated data of one sealed value: its table, its row and its field."""
    return _CONTEXT + f"{table}|{row_id}|{field}".encode()


@dataclass(frozen=True)
class Codec:
    """How a value becomes bytes and back, and what an empty column means."""

    encode: Callable[[Any], bytes]
    decode: Callable[[bytes], Any]
    empty: Any


TEXT = Codec(lambda value: (value or "").encode(), lambda raw: raw.decode(), "")
DATE = Codec(
    lambda value: value.isoformat().encode() if value else b"",
    lambda raw: datetime.date.fromisoformat(raw.decode()) if raw else None,
    None,
)
JSON = Codec(lambda value: json.dumps(value).encode(), lambda raw: json.loads(raw), None)


def seal_value(key: bytes, value: Any, *, table: str, row_id: Any, field: str, codec=TEXT):
    """The column's bytes for ``value`` (empty for an empty value)."""
    if value in (None, "", b""):
        return b""
    return aead.seal(key, codec.encode(value), context=context(table, row_id, field))


def open_value(key: bytes, raw, *, table: str, row_id: Any, field: str, codec=TEXT):
    """The value of a column written by :func:`seal_value`; ``IntegrityError`` if moved."""
    if not raw:
        return codec.empty
    return codec.decode(aead.open_sealed(key, bytes(raw), context=context(table, row_id, field)))


class Sealed(property):
    """A model attribute stored sealed in the BinaryField ``<name>_sealed``.

    A subclass of ``property``, so that ``Model(title=...)`` and
    ``objects.create(title=...)`` accept it like a field.
    """

    def __init__(self, codec: Codec = TEXT, *, verbose_name=None):
        super().__init__(self._get, self._set)
        self.codec = codec
        self.short_description = verbose_name  # the admin's label
        self.name = ""

    def __set_name__(self, owner, name):
        self.name = name
        self.column = f"{name}_sealed"

    def _get(self, instance):
        plain = instance.__dict__.setdefault("_sealed_plain", {})
        if self.name not in plain:
            raw = getattr(instance, self.column)
            key = instance.sealing_key() if raw and instance.pk is not None else None
            if key is not None:
                plain[self.name] = open_value(
                    key,
                    raw,
                    table=instance._meta.db_table,
                    row_id=instance.pk,
                    field=self.name,
                    codec=self.codec,
                )
            else:  # nothing stored, or its key is gone (shredded): nothing to show
                plain[self.name] = self.codec.empty
        return plain[self.name]

    def _set(self, instance, value):
        instance.__dict__.setdefault("_sealed_plain", {})[self.name] = value
        instance.__dict__.setdefault("_sealed_dirty", set()).add(self.name)


def sealed_attributes(model) -> dict[str, Sealed]:
    """The model's sealed attributes, by name."""
    found = {}
    for klass in reversed(model.__mro__):
        for name, value in vars(klass).items():
            if isinstance(value, Sealed):
                found[name] = value
    return found


class SealedModel(models.Model):
    """A model with :class:`Sealed` attributes: sealed on save, opened when read.

    ``sealing_key()`` gives the key in clear; ``save(update_fields=[...])`` takes the
    attributes' names as well as the columns'.
    """

    class Meta:
        abstract = True

    def save(self, *args, update_fields=None, **kwargs):
        attributes = sealed_attributes(type(self))
        dirty = self.__dict__.get("_sealed_dirty", set())
        if update_fields is not None:
            update_fields = [
                attributes[name].column if name in attributes else name for name in update_fields
            ]
        with transaction.atomic(using=kwargs.get("using")):
            if self.pk is None:
                # The id the values are bound to is known once the row is inserted.
                super().save(*args, update_fields=update_fields, **kwargs)
                columns = self._seal_into_columns(dirty)
                if columns:
                    type(self)._base_manager.filter(pk=self.pk).update(
                        **{column: getattr(self, column) for column in columns}
                    )
            else:
                if update_fields is None:
                    self._seal_into_columns(dirty)
                else:
                    wanted = {attributes[n].column: n for n in attributes}
                    self._seal_into_columns(
                        [wanted[column] for column in update_fields if column in wanted]
                    )
                super().save(*args, update_fields=update_fields, **kwargs)
        self.__dict__["_sealed_dirty"] = set()

    def sealing_key(self) -> bytes | None:
        """The key in clear; None once it is gone (the values read as empty, and
        writing one fails)."""
        raise NotImplementedError

    def refresh_from_db(self, *args, **kwargs):
        super().refresh_from_db(*args, **kwargs)
        self.__dict__.pop("_sealed_plain", None)
        self.__dict__.pop("_sealed_dirty", None)

    def _seal_into_columns(self, names) -> list[str]:
        attributes = sealed_attributes(type(self))
        columns = []
        key = None
        for name in names:
            attribute = attributes[name]
            value = attribute._get(self)
            if value in (None, "", b""):
                raw = b""
            else:
                key = key or self.sealing_key()
                if key is None:
                    raise ValueError(f"{self._meta.label} {self.pk}: no key to seal {name} with")
                raw = seal_value(
                    key,
                    value,
                    table=self._meta.db_table,
                    row_id=self.pk,
                    field=name,
                    codec=attribute.codec,
                )
            setattr(self, attribute.column, raw)
            columns.append(attribute.column)
        return columns


def seal_after_bulk_create(model, objects: list, *, batch_size: int = 500) -> None:
    """Seal the values of ``objects`` just made with ``bulk_create`` (which bypasses
    ``save``): under their new ids, written with one ``bulk_update``."""
    attributes = sealed_attributes(model)
    if not attributes or not objects:
        return
    for obj in objects:
        if obj.pk is None:
            raise ValueError("bulk_create gave no ids back: seal these rows one by one")
        obj._seal_into_columns(obj.__dict__.get("_sealed_dirty", set()))
        obj.__dict__["_sealed_dirty"] = set()
    columns = [attribute.column for attribute in attributes.values()]
    model._base_manager.bulk_update(objects, columns, batch_size=batch_size)
