"""`manage.py recommendations_rebuild [--full]`: rebuild "customers also viewed", "bought together" and popularity.

Without `--full`, only the events added since the last rebuild are read (what Celery beat runs every 10 minutes);
with it, every event within retention (daily). Prints the report on one line.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from allbuy.core.errors import ApplicationError
from allbuy.personalisation.services import recommendations_rebuild


class Command(BaseCommand):
    help = "Rebuild item-to-item similarity and popularity from behaviour events (incrementally, or in full with --full)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--full", action="store_true", help="read every event within retention, not only the new ones")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = recommendations_rebuild(full=bool(options["full"]))
        except ApplicationError as error:
            raise CommandError(error.message) from error
        except DatabaseError as error:
            first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            raise CommandError(f"The database refused the rebuild: {first_line}") from error
        self.stdout.write(report.line())
