"""`manage.py coupons_generate`: create a batch of single-use codes and write them to a CSV file."""

from __future__ import annotations

from argparse import ArgumentTypeError
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from allbuy.core import clock
from allbuy.core.errors import ApplicationError
from allbuy.coupons.export import coupons_csv_write
from allbuy.coupons.models import CouponKind
from allbuy.coupons.services import BATCH_MAX, CouponTemplate, coupon_batch_generate


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ArgumentTypeError(f"{text!r} is not an ISO 8601 date or time (e.g. 2026-12-31 or 2026-12-31T23:59+01:00)") from None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def _amount(text: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:
        raise ArgumentTypeError(f"{text!r} is not a number") from None


def _validation_line(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items())
    return " ".join(error.messages)


class Command(BaseCommand):
    help = "Generate N unique single-use coupon codes and write them as CSV (code, kind, value, valid_from, valid_until)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, required=True, help=f"How many codes (1 to {BATCH_MAX:,}).")
        parser.add_argument("--prefix", default="", help="Up to 12 letters or digits put before each code.")
        parser.add_argument("--kind", choices=CouponKind.values, required=True)
        parser.add_argument("--value", type=_amount, default=Decimal("0"), help="Percent or amount (ignored for free_shipping).")
        parser.add_argument("--currency", default="", help="Needed for fixed amounts and minimum subtotals.")
        parser.add_argument("--min-subtotal", type=_amount, default=Decimal("0"))
        parser.add_argument("--valid-from", type=_moment, default=None, help="ISO 8601; default now.")
        parser.add_argument("--valid-until", type=_moment, default=None, help="ISO 8601, exclusive; default no end.")
        parser.add_argument("--label", default="", help="A note shown in the admin's batch list.")
        parser.add_argument("--csv", type=Path, required=True, help="The file to write ('-' for standard output).")

    def handle(self, *args: Any, **options: Any) -> None:
        template = CouponTemplate(
            kind=options["kind"],
            value=options["value"],
            currency=options["currency"],
            min_subtotal=options["min_subtotal"],
            valid_from=options["valid_from"] or clock.now(),
            valid_until=options["valid_until"],
        )
        target: Path = options["csv"]
        if str(target) != "-" and not target.parent.is_dir():
            raise CommandError(f"Cannot write {target}: its folder does not exist.")
        try:
            batch = coupon_batch_generate(
                template=template, count=options["count"], prefix=options["prefix"], label=options["label"]
            )
        except ValidationError as error:
            raise CommandError(_validation_line(error)) from None
        except ApplicationError as error:
            raise CommandError(error.message) from None
        coupons = batch.coupons.order_by("id").iterator(chunk_size=2000)
        if str(target) == "-":
            written = coupons_csv_write(coupons=coupons, out=self.stdout)
        else:
            with target.open("w", newline="", encoding="utf-8") as out:
                written = coupons_csv_write(coupons=coupons, out=out)
        if options.get("verbosity", 1) > 0:
            self.stderr.write(f"Created {batch} and wrote {written} codes to {target}.")
