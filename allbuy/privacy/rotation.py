"""Master-key rotation: re-wrap every data key under the current master key, and retire old versions.

Values are never re-encrypted: only the small wrapped data keys change, so rotating a large database
takes seconds, and the shop keeps serving throughout (old versions keep unwrapping until retired).
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from pathlib import Path

from django.conf import settings
from django.db import transaction

from allbuy.privacy.crypto import key_cache_clear, unwrap_key, wrap_key
from allbuy.privacy.exceptions import KeyringError
from allbuy.privacy.keyring import Keyring, keyring_file_write, keyring_load, new_master_key
from allbuy.privacy.models import DataKey

BATCH = 500


def master_key_add_version() -> int:
    """Add a new master key version to the key file and make it current; return the new version."""
    if settings.ALLBUY_MASTER_KEY:
        raise KeyringError(
            "the master keys come from ALLBUY_MASTER_KEY: add a new version there (e.g. '1:<old>,2:<new>'), "
            "restart the web processes, then run rotate_master_key --rewrap-only"
        )
    keyring = keyring_load(reload=True)
    version = max([*keyring.keys, *keyring.retired]) + 1
    rotated = replace(keyring, keys={**keyring.keys, version: new_master_key()}, current=version)
    keyring_file_write(Path(settings.ALLBUY_MASTER_KEY_FILE), rotated)
    keyring_load(reload=True)
    return version


def data_keys_rewrap(*, keyring: Keyring | None = None) -> int:
    """Re-wrap every live data key not yet under the current master key; return how many changed."""
    keyring = keyring or keyring_load(reload=True)
    changed = 0
    last_pk: uuid.UUID | None = None
    while True:
        with transaction.atomic():
            rows = list(
                DataKey.objects.select_for_update()
                .filter(shredded_at=None, **({"pk__gt": last_pk} if last_pk else {}))
                .exclude(master_version=keyring.current)
                .order_by("pk")[:BATCH]
            )
            if not rows:
                break
            for row in rows:
                raw = unwrap_key(row, field=f"data key {row.pk}", keyring=keyring)
                subject_id = str(row.subject_id) if row.subject_id else None
                row.master_version, row.wrapped = wrap_key(raw, subject_id=subject_id, scope=row.scope, keyring=keyring)
            DataKey.objects.bulk_update(rows, ["master_version", "wrapped"])
            changed += len(rows)
            last_pk = rows[-1].pk
    key_cache_clear()
    return changed


def master_key_retire(version: int) -> None:
    """Retire a master key version: refused while any live data key is still wrapped by it."""
    keyring = keyring_load(reload=True)
    if version == keyring.current:
        raise KeyringError(f"master key version {version} is current; rotate to a new version before retiring it")
    in_use = DataKey.objects.filter(master_version=version, shredded_at=None).count()
    if in_use:
        raise KeyringError(f"master key version {version} still wraps {in_use} data key(s); run rotate_master_key --rewrap-only")
    if settings.ALLBUY_MASTER_KEY:
        raise KeyringError(f"no data key uses version {version}: remove it from ALLBUY_MASTER_KEY to retire it")
    keys = {v: k for v, k in keyring.keys.items() if v != version}
    keyring_file_write(Path(settings.ALLBUY_MASTER_KEY_FILE), replace(keyring, keys=keys, retired=keyring.retired | {version}))
    keyring_load(reload=True)
