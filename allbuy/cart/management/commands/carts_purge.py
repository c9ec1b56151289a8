"""Delete anonymous carts nobody has touched for a while (a visitor's cart lives as long as their session)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from allbuy.cart.services import carts_anonymous_purge
from allbuy.core import clock


class Command(BaseCommand):
    help = "Delete anonymous carts not updated for --days days (default 14, the session lifetime)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=14)

    def handle(self, *args: Any, days: int, **options: Any) -> None:
        if not 1 <= days <= 3650:
            raise CommandError("--days must be between 1 and 3650.")
        deleted = carts_anonymous_purge(older_than=clock.now() - timedelta(days=days))
        self.stdout.write(f"{deleted} anonymous cart(s) deleted")
