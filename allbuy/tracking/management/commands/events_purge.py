"""Delete behaviour events older than the retention period (PostgreSQL: drop whole day partitions)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from allbuy.tracking.services import events_purge

MAX_DAYS = 3650


class Command(BaseCommand):
    help = "Delete behaviour events older than ALLBUY_EVENT_RETENTION_DAYS (or --days) and stale visitor links."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=str, default=None, help=f"keep this many days (1 to {MAX_DAYS})")

    def handle(self, *args: Any, **options: Any) -> None:
        raw = options["days"]
        days = settings.ALLBUY_EVENT_RETENTION_DAYS if raw is None else _days(raw)
        report = events_purge(days=days)
        self.stdout.write(
            f"Events before {report.cutoff} removed: {report.partitions_dropped} day partitions dropped, "
            f"{report.events_deleted} events deleted, {report.links_deleted} stale visitor links deleted."
        )


def _days(raw: str) -> int:
    if not raw.strip().isdigit() or not 1 <= int(raw) <= MAX_DAYS:
        raise CommandError(f"--days must be a whole number from 1 to {MAX_DAYS}, not {raw!r}.")
    return int(raw)
