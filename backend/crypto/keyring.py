"""The master keyring: versioned master keys that live outside the database.

The keyring is JSON, ``{"current": "2", "keys": {"1": "<base64>", "2": "<base64>"}}``,
read from ``VAULT_KEYRING`` (the JSON itself) or from the file ``VAULT_KEYRING_FILE``;
an optional ``"created": {"2": "2026-12-01"}`` dates the keys, to know when to rotate.
A version stays in the ring while keys wrapped under it (the vault's user keys,
mentoring's conversation keys) exist; ``manage.py vault_rotate_master_key`` re-wraps them
under ``current``, through the rewrappers the apps register here, and ``manage.py
vault_retire_master_key`` then takes the old version out. Retiring is what makes
crypto-shredding hold against database backups: once the version is gone, no master key
left opens a wrapped key copied before an erasure. On the embedded default, a keyring
file is generated under ``var/`` on first use.
"""

import base64
import binascii
import fcntl
import json
import logging
import os
import re
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Count, QuerySet
from django.utils import timezone

from . import aead

logger = logging.getLogger(__name__)

_VERSION_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


@dataclass(frozen=True)
class Keyring:
    current: str
    keys: dict[str, bytes]
    # When each key was made (the day, UTC), where known: keyrings written by hand may not say.
    created: dict[str, date] = field(default_factory=dict)

    def wrap(self, secret: bytes, *, context: bytes) -> tuple[str, bytes]:
        """Wrap ``secret`` under the current master key; return (version, wrapped)."""
        return self.current, aead.seal(
            self.keys[self.current], secret, context=context + self.current.encode()
        )

    def unwrap(self, version: str, wrapped: bytes, *, context: bytes) -> bytes:
        """Open a secret wrapped under master key ``version``."""
        try:
            key = self.keys[version]
        except KeyError:
            raise ImproperlyConfigured(
                f"Master key version {version!r} is not in the vault keyring."
            ) from None
        return aead.open_sealed(key, wrapped, context=context + version.encode())

    def with_new_version(self) -> "Keyring":
        """This keyring plus a fresh master key, which becomes current."""
        numbers = [int(version) for version in self.keys if version.isdigit()]
        version = str(max(numbers, default=0) + 1)
        return Keyring(
            current=version,
            keys={**self.keys, version: aead.new_key()},
            created={**self.created, version: timezone.now().date()},
        )

    @classmethod
    def generate(cls) -> "Keyring":
        """A keyring of one fresh master key, version 1."""
        return cls(current="1", keys={"1": aead.new_key()}, created={"1": timezone.now().date()})

    def without_version(self, version: str) -> "Keyring":
        """This keyring without master key ``version`` (never the current one)."""
        if version == self.current:
            raise ValueError(f"Master key version {version!r} is current.")
        if version not in self.keys:
            raise ValueError(f"Master key version {version!r} is not in the keyring.")
        keys = {name: key for name, key in self.keys.items() if name != version}
        created = {name: day for name, day in self.created.items() if name != version}
        return Keyring(current=self.current, keys=keys, created=created)

    def to_json(self) -> str:
        keys = {version: base64.b64encode(key).decode() for version, key in self.keys.items()}
        data = {"current": self.current, "keys": keys}
        if self.created:
            data["created"] = {version: day.isoformat() for version, day in self.created.items()}
        return json.dumps(data, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> "Keyring":
        try:
            data = json.loads(text)
            keys = {str(v): base64.b64decode(k, validate=True) for v, k in data["keys"].items()}
            current = str(data["current"])
            created = {
                str(v): date.fromisoformat(day) for v, day in data.get("created", {}).items()
            }
        except (ValueError, KeyError, TypeError, AttributeError, binascii.Error) as error:
            raise ImproperlyConfigured(f"The vault keyring is not valid JSON: {error}") from None
        if current not in keys:
            raise ImproperlyConfigured("The vault keyring's current version has no key.")
        for version, key in keys.items():
            if not _VERSION_PATTERN.match(version) or len(key) != aead.KEY_BYTES:
                raise ImproperlyConfigured(
                    f"Vault master key {version!r} must be 32 bytes, base64-encoded."
                )
        return cls(
            current=current,
            keys=keys,
            created={version: day for version, day in created.items() if version in keys},
        )


def write_keyring_file(keyring: Keyring, path: Path, *, replace: bool = True) -> bool:
    """Write ``keyring`` to ``path``, readable by its owner only, atomically and durably.

    With ``replace=False`` an existing file wins (two processes generating a keyring at
    once keep the same one); returns whether this call's keyring was written.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(descriptor, "w") as handle:  # mkstemp: mode 600 from the start
            handle.write(keyring.to_json())
            handle.flush()
            os.fsync(handle.fileno())
        if replace:
            os.replace(temporary, path)
            return True
        try:
            os.link(temporary, path)  # fails if the file exists: first writer wins
        except FileExistsError:
            return False
        return True
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def update_keyring_file(path: Path, change: Callable[["Keyring"], "Keyring"]) -> "Keyring":
    """Replace the keyring file at ``path`` by ``change(keyring)``; returns the new keyring.

    Read, change and write happen under an exclusive lock on the file's directory (the
    file itself is replaced, so it cannot hold the lock): a retirement and a rotation run
    at once cannot write back a keyring that lost the other's version.
    """
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        fcntl.flock(directory, fcntl.LOCK_EX)
        keyring = change(Keyring.from_json(path.read_text()))
        write_keyring_file(keyring, path)
        return keyring
    finally:
        os.close(directory)  # releases the lock


def write_new_keyring_file(keyring: Keyring, path: Path) -> None:
    """Write ``keyring`` to a new file ``path`` (mode 600); refuse an existing one.

    For a keyring kept in ``VAULT_KEYRING``: the operator deploys the file's content,
    then deletes the file. Never overwriting keeps a typo from destroying a keyring.
    """
    if path.exists() or not write_keyring_file(keyring, path, replace=False):
        raise FileExistsError(f"{path} already exists; the keyring was not written.")


_cache: dict[tuple, Keyring] = {}


@dataclass(frozen=True)
class WrappedKeys:
    """One kind of secret wrapped by the master keyring, as its app registered it.

    ``rewrap_all()`` re-wraps every row not yet under the current master key and
    returns how many it changed (so a second run returns 0). ``count_by_version()``
    says how many rows depend on each master key version: ``{"1": 3, "2": 41}``.
    """

    name: str
    rewrap_all: Callable[[], int]
    count_by_version: Callable[[], Mapping[str, int]] | None = None


# The apps that wrap keys with this keyring (the vault's user keys, mentoring's
# conversation keys) register here, so that one rotation command re-wraps every key and
# a master key version is retired only once nothing depends on it.
_wrapped_keys: dict[str, WrappedKeys] = {}


def register_rewrapper(
    name: str,
    rewrap_all: Callable[[], int],
    *,
    count_by_version: Callable[[], Mapping[str, int]] | None = None,
) -> None:
    """Register a kind of wrapped secret (see :class:`WrappedKeys`); from ``AppConfig.ready``.

    Without ``count_by_version``, no master key version can be retired: nothing could
    tell whether that kind of secret still needs it.
    """
    _wrapped_keys[name] = WrappedKeys(name, rewrap_all, count_by_version)


def rewrappers() -> dict[str, Callable[[], int]]:
    """Every registered ``rewrap_all``, by name (what the rotation command runs)."""
    return {name: wrapped.rewrap_all for name, wrapped in _wrapped_keys.items()}


def count_by_version(rows: QuerySet, field: str = "master_key_version") -> dict[str, int]:
    """How many of ``rows`` are wrapped under each master key version (one query).

    Ready-made ``count_by_version`` for a model that stores its version in a column:
    ``lambda: count_by_version(UserKey.objects.all())``.
    """
    counted = rows.order_by().values(field).annotate(rows=Count("pk"))
    return {str(row[field]): row["rows"] for row in counted}


def versions_in_use() -> dict[str, dict[str, int]]:
    """For each master key version some row depends on, how many rows, by kind.

    ``{"1": {"user keys": 2}, "2": {"user keys": 40, "conversation keys": 7}}``.
    Raises ``ImproperlyConfigured`` if a kind of wrapped secret cannot count its rows.
    """
    in_use: dict[str, dict[str, int]] = {}
    for wrapped in _wrapped_keys.values():
        if wrapped.count_by_version is None:
            raise ImproperlyConfigured(
                f"The {wrapped.name} cannot say which master key versions they use "
                "(register_rewrapper without count_by_version)."
            )
        for version, rows in wrapped.count_by_version().items():
            if rows:
                in_use.setdefault(str(version), {})[wrapped.name] = rows
    return in_use


class RetirementRefused(Exception):
    """A master key version cannot leave the keyring (yet); the message says why."""


def keyring_without(version: str, keyring: Keyring | None = None) -> Keyring:
    """``keyring`` (the configured one by default) without master key ``version``, once
    nothing depends on it.

    Raises :class:`RetirementRefused` if ``version`` is current, is not in the keyring,
    or still wraps a row of any registered kind. Writes nothing.
    """
    keyring = load_keyring() if keyring is None else keyring
    if version == keyring.current:
        raise RetirementRefused(
            f"Master key version {version} is current: add a new version and re-wrap "
            "first (vault_rotate_master_key --new-version)."
        )
    if version not in keyring.keys:
        raise RetirementRefused(f"Master key version {version} is not in the keyring.")
    try:
        in_use = versions_in_use()
    except ImproperlyConfigured as error:
        raise RetirementRefused(str(error)) from None
    if in_use.get(version):
        rows = ", ".join(f"{count} {name}" for name, count in sorted(in_use[version].items()))
        raise RetirementRefused(
            f"Master key version {version} still wraps {rows}: run "
            "vault_rotate_master_key (with the new keyring deployed to every process) "
            "until nothing depends on it."
        )
    return keyring.without_version(version)


def version_order(version: str) -> tuple[int, int | str]:
    """Sort key of master key versions: numbers in numeric order, then any other name."""
    return (0, int(version)) if version.isdigit() else (1, version)


def keyring_advice(*, rotation_days: int, today: date | None = None) -> list[tuple[int, str]]:
    """What the operator should do about the keyring now, as (logging level, message).

    The current master key is older than ``rotation_days``: rotate. An old version
    still wraps rows: re-wrap. An old version wraps nothing: retire it (until then, it
    opens the backups it wrapped, erased people's included). Nothing to do: ``[]``.
    """
    today = today or timezone.now().date()
    keyring = load_keyring()
    advice = []
    made = keyring.created.get(keyring.current)
    if made is None or (today - made).days >= rotation_days:
        when = f"was made on {made.isoformat()}" if made else "has no creation date"
        advice.append(
            (
                logging.WARNING,
                f"Master key version {keyring.current} {when}; rotate every {rotation_days} "
                "days: vault_rotate_master_key --new-version, then retire the old version.",
            )
        )
    try:
        in_use = versions_in_use()
    except ImproperlyConfigured as error:
        return [*advice, (logging.WARNING, str(error))]
    for version in sorted(keyring.keys.keys() | in_use.keys(), key=version_order):
        rows = ", ".join(f"{n} {name}" for name, n in sorted(in_use.get(version, {}).items()))
        if version not in keyring.keys:
            advice.append(
                (logging.ERROR, f"Master key version {version} is not in the keyring: {rows}.")
            )
        elif version == keyring.current:
            continue
        elif rows:
            advice.append(
                (
                    logging.WARNING,
                    f"Master key version {version} still wraps {rows}: run "
                    "vault_rotate_master_key.",
                )
            )
        else:
            advice.append(
                (
                    logging.WARNING,
                    f"Master key version {version} wraps nothing: retire it "
                    f"(vault_retire_master_key {version}); until then it opens the backups "
                    "it wrapped, erased people's included.",
                )
            )
    return advice


def load_keyring() -> Keyring:
    """The keyring configured in settings (generated on the embedded default if missing)."""
    if settings.VAULT_KEYRING:
        cache_key = ("env", settings.VAULT_KEYRING)
        if cache_key not in _cache:
            _cache[cache_key] = Keyring.from_json(settings.VAULT_KEYRING)
        return _cache[cache_key]
    if not settings.VAULT_KEYRING_FILE:
        raise ImproperlyConfigured("Set VAULT_KEYRING or VAULT_KEYRING_FILE.")
    path = Path(settings.VAULT_KEYRING_FILE)
    if not path.exists():
        if not settings.VAULT_KEYRING_AUTOCREATE:
            raise ImproperlyConfigured(f"The vault keyring file {path} does not exist.")
        generated = Keyring.generate()
        if write_keyring_file(generated, path, replace=False):
            logger.warning(
                "Generated a new local vault keyring at %s. Documents in the vault can only "
                "be read with it: back it up, and never use a generated keyring in production.",
                path,
            )
    # Keyed on the file's modification: a rotation by another process is picked up.
    stat = path.stat()
    cache_key = ("file", str(path), stat.st_mtime_ns, stat.st_size, stat.st_ino)
    if cache_key not in _cache:
        _cache.clear()
        _cache[cache_key] = Keyring.from_json(path.read_text())
    return _cache[cache_key]
