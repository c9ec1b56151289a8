"""`manage.py seed_demo`: create or refresh the demo shop — catalog, today's deals, promotions, coupons, a
demo customer, and the marketplace (merchants, carriers, merchant staff). Safe to run on every start: a re-run
writes only what a new day needs (its deals). It never makes or prints carrier credentials."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from allbuy.accounts.demo import DEMO_EMAIL, demo_customer_seed
from allbuy.catalog.demo import demo_catalog_seed
from allbuy.core import clock
from allbuy.deals.demo import demo_offers_seed
from allbuy.fulfilment.demo import demo_marketplace_seed
from allbuy.personalisation.demo import demo_browsing_seed


class Command(BaseCommand):
    help = (
        "Create or refresh the demo shop: about 200 gadgets with variants and drawn images, today's deals, "
        "promotions, coupon codes, a demo customer, merchants with staff accounts and carriers; "
        "a re-run changes nothing on the same day."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quiet", action="store_true", help="Print nothing, not even the summary line.")

    def handle(self, *args: Any, quiet: bool = False, **options: Any) -> None:
        started = time.perf_counter()
        report = demo_catalog_seed()
        offers = demo_offers_seed(now=clock.now())
        marketplace = demo_marketplace_seed()
        customer = "demo customer created" if demo_customer_seed() else "demo customer kept"
        browsing = demo_browsing_seed()
        recommendations = f"demo browsing: {browsing.line()}" if browsing else "demo browsing kept"
        if not quiet and options.get("verbosity", 1) > 0:
            elapsed = time.perf_counter() - started
            self.stdout.write(
                f"{report.summary()}; {offers.summary()}; {customer} ({DEMO_EMAIL}); {marketplace.summary()}; "
                f"{recommendations} in {elapsed:.1f} s."
            )
