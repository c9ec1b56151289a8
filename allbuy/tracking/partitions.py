"""Day partitions of the events table on PostgreSQL: created on demand, dropped whole by the retention job.

On SQLite there are no partitions: every function here is a no-op there, and retention deletes by date.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from django.db import DatabaseError, connection, transaction

PARENT = "tracking_event"
_NAME = re.compile(rf"^{PARENT}_p(\d{{8}})$")
_known: set[tuple[str, date]] = set()  # (database, day) partitions this process has seen exist


def partitioned() -> bool:
    return connection.vendor == "postgresql"


def partition_name(day: date) -> str:
    return f"{PARENT}_p{day:%Y%m%d}"


def event_partition_ensure(day: date) -> None:
    """Make sure the partition holding `day` exists (cheap after the first call per process and day)."""
    if not partitioned():
        return
    key = (connection.settings_dict["NAME"], day)
    if key in _known:
        return
    name = partition_name(day)
    sql = (
        f"CREATE TABLE IF NOT EXISTS {name} PARTITION OF {PARENT} "
        f"FOR VALUES FROM ('{day.isoformat()}') TO ('{(day + timedelta(days=1)).isoformat()}')"
    )
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    except DatabaseError:
        # Another worker created it at the same instant ("already exists" races inside IF NOT EXISTS).
        if name not in event_partitions():
            raise
    # Remembered once it is committed: a partition created inside a transaction that rolls back is gone again.
    transaction.on_commit(lambda: _known.add(key))


def event_partitions() -> dict[str, date]:
    """Return every day partition of the events table by name (PostgreSQL; empty elsewhere)."""
    if not partitioned():
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = %s",
            [PARENT],
        )
        names = [row[0] for row in cursor.fetchall()]
    found = {}
    for name in names:
        match = _NAME.match(name)
        if match:
            digits = match.group(1)
            found[name] = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    return found


def event_partitions_drop_before(day: date) -> int:
    """Drop every day partition older than `day`; return how many were dropped."""
    dropped = 0
    for name, partition_day in sorted(event_partitions().items(), key=lambda item: item[1]):
        if partition_day < day:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {name}")
            _known.discard((connection.settings_dict["NAME"], partition_day))
            dropped += 1
    return dropped


def partitions_forget() -> None:
    """Forget which partitions exist (tests that drop them behind this process's back)."""
    _known.clear()
