"""`manage.py carrier_webhook_secret <carrier-code>`: set a new webhook signing secret and print it once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from allbuy.fulfilment.models import Carrier
from allbuy.fulfilment.services import carrier_webhook_secret_new


class Command(BaseCommand):
    help = (
        "Give a carrier a new webhook signing secret and print it once on standard output; AllBuy keeps it encrypted. "
        "The previous secret stops working at once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("carrier", metavar="carrier-code", help="The carrier's code, e.g. dhl.")

    def handle(self, *args: Any, **options: Any) -> None:
        code = str(options["carrier"]).strip()
        carrier = Carrier.objects.filter(code=code).first()
        if carrier is None:
            known = ", ".join(Carrier.objects.order_by("code").values_list("code", flat=True)) or "none yet"
            raise CommandError(f"There is no carrier with the code {code!r} (known: {known}).")
        secret = carrier_webhook_secret_new(carrier=carrier)
        self.stdout.write(secret)
        if options.get("verbosity", 1) > 0:
            self.stderr.write(
                f"New webhook secret for {carrier.name}; the previous one no longer works. It is shown only this once."
            )
