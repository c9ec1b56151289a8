"""Delete access-log files (`access-YYYY-MM-DD.jsonl`) older than the retention period; nothing else is touched."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from allbuy.core import clock
from allbuy.tracking.access_log import access_logs_purge


class Command(BaseCommand):
    help = "Delete access-log files older than --days days (1 to 3650; default ALLBUY_ACCESS_LOG_DAYS)."

    def add_arguments(self, parser: CommandParser) -> None:
        # Read as text and checked here, so that bad input is one readable line, not argparse's usage block.
        parser.add_argument("--days", default=None, help="days to keep, 1 to 3650")

    def handle(self, *args: Any, days: str | int | None, **options: Any) -> None:
        if days is None:
            days = settings.ALLBUY_ACCESS_LOG_DAYS
        try:
            kept = int(str(days).strip())
        except ValueError:
            kept = 0
        if not 1 <= kept <= 3650:
            raise CommandError(f"--days must be a whole number of days from 1 to 3650, not {str(days)[:20]!r}.")
        deleted = access_logs_purge(now=clock.now(), days=kept)
        self.stdout.write(f"{deleted} access-log file(s) deleted")
