"""`manage.py seed_demo`: create or refresh the demo catalog. Safe to run on every start."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from allbuy.catalog.demo import demo_catalog_seed


class Command(BaseCommand):
    help = "Create or refresh the demo catalog (about 200 gadgets with variants and drawn images); a re-run changes nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quiet", action="store_true", help="Print nothing, not even the summary line.")

    def handle(self, *args: Any, quiet: bool = False, **options: Any) -> None:
        started = time.perf_counter()
        report = demo_catalog_seed()
        if not quiet and options.get("verbosity", 1) > 0:
            self.stdout.write(f"{report.summary()} in {time.perf_counter() - started:.1f} s.")
