"""`manage.py orders_expire_unpaid [--minutes N]`: cancel orders whose payment never completed, giving back what they held.

Run it every few minutes (cron, or a Celery beat schedule). An order waiting for the bank (a pending payment)
is left alone; see `allbuy.orders.services.orders_unpaid_expire`.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from allbuy.orders.services import orders_unpaid_expire

DEFAULT_MINUTES = 30
MAX_MINUTES = 60 * 24 * 30  # a month; anything longer is a typing mistake


def _minutes(text: str) -> int:
    value = text.strip()
    if not value.isdigit() or not 1 <= int(value) <= MAX_MINUTES:
        raise CommandError(f"--minutes must be a whole number from 1 to {MAX_MINUTES}, not {text!r}.")
    return int(value)


class Command(BaseCommand):
    help = "Cancel orders left unpaid for more than N minutes (default 30), releasing their stock, deal units and coupon."

    def add_arguments(self, parser: CommandParser) -> None:
        # Read as text and checked in handle(), so bad input ends in one readable line instead of argparse's usage.
        parser.add_argument(
            "--minutes",
            default=str(DEFAULT_MINUTES),
            help=f"Age in minutes of the unpaid orders to cancel (1 to {MAX_MINUTES}; default {DEFAULT_MINUTES}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        minutes = _minutes(str(options["minutes"]))
        count = orders_unpaid_expire(older_than_minutes=minutes)
        noun = "order" if count == 1 else "orders"
        self.stdout.write(f"Cancelled {count} unpaid {noun} older than {minutes} minutes.")
