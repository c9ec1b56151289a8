"""`manage.py test_gateway_settle <order-number> --succeed|--fail`: play the bank for a pending test payment.

A test card such as 4000 0000 0000 3220 leaves the payment pending, as 3-D Secure or a bank transfer would.
This command decides it the way the shopper's bank would, then delivers the signed webhook the test gateway
sends to the shop's own webhook handling (`payment_webhook_apply`), so the order is paid or cancelled and the
customer gets their email. It only works while the configured gateway is the test gateway.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from allbuy.core import clock
from allbuy.core.errors import ApplicationError
from allbuy.orders.models import Order, PaymentState
from allbuy.orders.services import payment_webhook_apply
from allbuy.payments.gateway import PaymentStatus, gateway_get
from allbuy.payments.test_gateway import TestGateway

OUTCOMES = {
    "paid": "paid",
    "declined": "cancelled (payment declined)",
    "duplicate": "unchanged (this webhook was already applied)",
    "ignored": "unchanged (it no longer waits for this payment)",
    "unknown_payment": "unchanged (the shop does not know this payment)",
}


class Command(BaseCommand):
    help = "Decide a pending test-gateway payment of an order (--succeed or --fail) and apply the signed webhook."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("number", help="The order number, e.g. AB7KQ2M9XW4P.")
        outcome = parser.add_mutually_exclusive_group(required=True)
        outcome.add_argument("--succeed", action="store_true", help="The bank confirms the payment.")
        outcome.add_argument("--fail", action="store_true", help="The bank declines the payment.")

    def handle(self, *args: Any, **options: Any) -> None:
        gateway = gateway_get()
        if not isinstance(gateway, TestGateway):
            raise CommandError(
                "The configured payment gateway is not the test gateway; only the real provider can settle its payments."
            )
        number = "".join(str(options["number"]).split()).upper()[:16]
        order = Order.objects.filter(number=number).first()
        if order is None:
            raise CommandError(f"There is no order {number}.")
        payment = order.payments.filter(status=PaymentStatus.PENDING.value).order_by("-id").first()
        if order.payment_state != PaymentState.PENDING or payment is None:
            raise CommandError(
                f"Order {number} has no pending payment to settle (its payment is {order.get_payment_state_display().lower()})."
            )
        now = clock.now()
        try:
            body, headers = gateway.webhook_build(gateway_ref=payment.gateway_ref, succeed=bool(options["succeed"]), now=now)
            outcome = payment_webhook_apply(body=body, headers=headers, now=now)
        except ApplicationError as error:
            raise CommandError(f"Order {number}: {error.message}") from None
        self.stdout.write(f"Order {number}: {OUTCOMES.get(outcome, outcome)}.")
