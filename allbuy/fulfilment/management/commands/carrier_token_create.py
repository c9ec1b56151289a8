"""`manage.py carrier_token_create <carrier-code>`: make a carrier API token and print it once (only its hash is kept)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from allbuy.fulfilment.models import Carrier
from allbuy.fulfilment.services import carrier_token_create

SCOPES = ("shipments:read", "shipments:write")
LABEL_MAX = 80


class Command(BaseCommand):
    help = (
        "Create an API token for a carrier and print it once on standard output; AllBuy keeps only its SHA-256. "
        "Without --scope the token may read and write shipments."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("carrier", metavar="carrier-code", help="The carrier's code, e.g. dhl.")
        parser.add_argument(
            "--scope",
            action="append",
            dest="scopes",
            default=None,
            help=f"Repeat for several: {', '.join(SCOPES)} (default: both).",
        )
        parser.add_argument("--label", default="", help=f"A note shown in the admin's token list (up to {LABEL_MAX} characters).")

    def handle(self, *args: Any, **options: Any) -> None:
        scopes = list(dict.fromkeys(options["scopes"] or SCOPES))
        unknown = [scope for scope in scopes if scope not in SCOPES]
        if unknown:
            raise CommandError(f"Unknown scope {unknown[0]!r}: use {' or '.join(SCOPES)}.")
        label = str(options["label"]).strip()
        if len(label) > LABEL_MAX:
            raise CommandError(f"The label is {len(label)} characters long; at most {LABEL_MAX} fit.")
        code = str(options["carrier"]).strip()
        carrier = Carrier.objects.filter(code=code).first()
        if carrier is None:
            known = ", ".join(Carrier.objects.order_by("code").values_list("code", flat=True)) or "none yet"
            raise CommandError(f"There is no carrier with the code {code!r} (known: {known}).")
        token = carrier_token_create(carrier=carrier, scopes=scopes, label=label)
        self.stdout.write(token)
        if options.get("verbosity", 1) > 0:
            self.stderr.write(
                f"Created an API token for {carrier.name} with {', '.join(scopes)}. "
                "It is shown only this once: AllBuy keeps only its hash."
            )
