"""The master keyring: versioned master keys that live outside the database.

The keyring is JSON, ``{"current": "2", "keys": {"1": "<base64>", "2": "<base64>"}}``,
read from ``VAULT_KEYRING`` (the JSON itself) or from the file ``VAULT_KEYRING_FILE``.
Every version stays in the ring so that keys wrapped under an old version (the vault's
user keys, mentoring's conversation keys) can still be opened; ``manage.py
vault_rotate_master_key`` re-wraps them under ``current``, through the rewrappers the
apps register here. On the embedded default, a keyring file is generated under ``var/``
on first use.
"""

import base64
import binascii
import json
import logging
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from . import aead

logger = logging.getLogger(__name__)

_VERSION_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


@dataclass(frozen=True)
class Keyring:
    current: str
    keys: dict[str, bytes]

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
        return Keyring(current=version, keys={**self.keys, version: aead.new_key()})

    def to_json(self) -> str:
        keys = {version: base64.b64encode(key).decode() for version, key in self.keys.items()}
        return json.dumps({"current": self.current, "keys": keys}, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> "Keyring":
        try:
            data = json.loads(text)
            keys = {str(v): base64.b64decode(k, validate=True) for v, k in data["keys"].items()}
            current = str(data["current"])
        except (ValueError, KeyError, TypeError, AttributeError, binascii.Error) as error:
            raise ImproperlyConfigured(f"The vault keyring is not valid JSON: {error}") from None
        if current not in keys:
            raise ImproperlyConfigured("The vault keyring's current version has no key.")
        for version, key in keys.items():
            if not _VERSION_PATTERN.match(version) or len(key) != aead.KEY_BYTES:
                raise ImproperlyConfigured(
                    f"Vault master key {version!r} must be 32 bytes, base64-encoded."
                )
        return cls(current=current, keys=keys)


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


_cache: dict[tuple, Keyring] = {}

# The apps that wrap keys with this keyring (the vault's user keys, mentoring's
# conversation keys) register here, so that one rotation command re-wraps every key.
_rewrappers: dict[str, Callable[[], int]] = {}


def register_rewrapper(name: str, rewrap_all: Callable[[], int]) -> None:
    """``rewrap_all()`` re-wraps ``name`` under the current master key; returns how many."""
    _rewrappers[name] = rewrap_all


def rewrappers() -> dict[str, Callable[[], int]]:
    """Every registered rewrapper, by name (what the rotation command runs)."""
    return dict(_rewrappers)


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
        generated = Keyring(current="1", keys={"1": aead.new_key()})
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
