"""The master keyring: versioned 256-bit keys that wrap every data key.

Sources, first match wins:
- `ALLBUY_MASTER_KEY`: "1:<base64>,2:<base64>" (or a single base64 key, version 1); the highest version is current.
- the key file (`ALLBUY_MASTER_KEY_FILE`): JSON {"current": 2, "keys": {"1": "<base64>", ...}, "retired": [..]}.
  The embedded default creates it on first use; production refuses to start without a key.
Retired versions keep no key material: data keys still wrapped by them fail with `MasterKeyRetired`.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from allbuy.privacy.exceptions import KeyringError

KEY_BYTES = 32


@dataclass(frozen=True)
class Keyring:
    keys: dict[int, bytes]
    current: int
    retired: frozenset[int] = field(default_factory=frozenset)
    source: str = "settings"

    def __post_init__(self) -> None:
        if self.current not in self.keys:
            raise KeyringError(f"the current master key version {self.current} has no key")
        for version, key in self.keys.items():
            if len(key) != KEY_BYTES:
                raise KeyringError(f"master key version {version} must be {KEY_BYTES} bytes, not {len(key)}")

    def key(self, version: int) -> bytes:
        return self.keys[version]


def _decode_key(text: str, version: int) -> bytes:
    try:
        return base64.b64decode(text.strip(), validate=True)
    except ValueError:
        raise KeyringError(f"master key version {version} is not valid base64") from None


def keyring_from_env_value(value: str) -> Keyring:
    """Parse "1:<base64>,2:<base64>" (or one bare base64 key) into a keyring; the highest version is current."""
    keys: dict[int, bytes] = {}
    for part in (p.strip() for p in value.split(",") if p.strip()):
        version_text, sep, key_text = part.partition(":")
        if not sep:
            version_text, key_text = "1", part
        if not version_text.isdigit():
            raise KeyringError("ALLBUY_MASTER_KEY entries look like 1:<base64 of 32 bytes>")
        keys[int(version_text)] = _decode_key(key_text, int(version_text))
    if not keys:
        raise KeyringError("ALLBUY_MASTER_KEY is empty")
    return Keyring(keys=keys, current=max(keys), source="environment")


def keyring_from_file(path: Path) -> Keyring:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        keys = {int(v): _decode_key(k, int(v)) for v, k in data["keys"].items()}
        return Keyring(keys=keys, current=int(data["current"]), retired=frozenset(data.get("retired", [])), source=str(path))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise KeyringError(f"cannot read the master key file {path.name}: {exc}") from None


def keyring_file_write(path: Path, keyring: Keyring) -> None:
    """Write the keyring atomically, readable by its owner only."""
    data = {
        "current": keyring.current,
        "keys": {str(v): base64.b64encode(k).decode() for v, k in sorted(keyring.keys.items())},
        "retired": sorted(keyring.retired),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".master-keys-")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _keyring_file_create(path: Path) -> Keyring:
    """Create the embedded default's key file, unless another process just did: then use theirs.

    Two web workers starting together must never each write a key of their own (data encrypted under the
    losing key would be lost), so the file is published with a hard link, which fails if it exists.
    """
    keyring = Keyring(keys={1: new_master_key()}, current=1, source=str(path))
    draft = path.with_name(f".{path.name}.{os.getpid()}")
    keyring_file_write(draft, keyring)
    try:
        os.link(draft, path)
    except FileExistsError:
        return keyring_from_file(path)
    finally:
        draft.unlink(missing_ok=True)
    print(f"AllBuy: generated a new master key in {path.name} (git-ignored); back it up, or set ALLBUY_MASTER_KEY.")
    return keyring


def new_master_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


_cached: Keyring | None = None


def keyring_load(*, reload: bool = False) -> Keyring:
    """Return the process's keyring, loading it once (or again with `reload`, e.g. after a rotation)."""
    global _cached
    if _cached is not None and not reload:
        return _cached
    env_value: str = settings.ALLBUY_MASTER_KEY
    path = Path(settings.ALLBUY_MASTER_KEY_FILE)
    if env_value:
        _cached = keyring_from_env_value(env_value)
    elif path.exists():
        _cached = keyring_from_file(path)
    elif settings.ALLBUY_MASTER_KEY_AUTOCREATE:
        _cached = _keyring_file_create(path)
    else:
        raise KeyringError("no master key: set ALLBUY_MASTER_KEY or provide the key file ALLBUY_MASTER_KEY_FILE")
    return _cached


def keyring_reset() -> None:
    global _cached
    _cached = None
