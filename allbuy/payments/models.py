"""The test gateway's own ledger: the tables a real provider keeps in its database, simulated in ours.

AllBuy's own record of a payment belongs to the orders app. These tables stand for the provider's side, so
that the test gateway behaves like a real one: it remembers charges by idempotency key, and capture, void and
refund act on what it recorded. They hold no card number and no CVC: only the brand and the last four digits,
which every receipt prints.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models

from allbuy.payments.gateway import PaymentStatus


class TestGatewayCharge(models.Model):
    """One authorization attempt at the test provider, declined ones included (as providers record them)."""

    __test__ = False  # a model, not a pytest test class

    gateway_ref = models.CharField(max_length=32, unique=True)
    idempotency_key = models.CharField(max_length=255, unique=True)
    reference = models.CharField(max_length=64)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    # What the authorization answered (replayed for the same idempotency key) and what the charge is now.
    outcome = models.CharField(max_length=16, choices=[(s.value, s.value) for s in PaymentStatus])
    status = models.CharField(max_length=16, choices=[(s.value, s.value) for s in PaymentStatus])
    decline_code = models.CharField(max_length=40, blank=True)
    captured_amount = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    refunded_amount = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    card_brand = models.CharField(max_length=16)
    card_last4 = models.CharField(max_length=4)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="testgateway_charge_amount_positive"),
            models.CheckConstraint(
                condition=models.Q(captured_amount__gte=0, captured_amount__lte=models.F("amount")),
                name="testgateway_charge_capture_within_amount",
            ),
            models.CheckConstraint(
                condition=models.Q(refunded_amount__gte=0, refunded_amount__lte=models.F("captured_amount")),
                name="testgateway_charge_refund_within_capture",
            ),
        ]

    def __str__(self) -> str:
        return self.gateway_ref


class TestGatewayOperation(models.Model):
    """One capture, void or refund, remembered by its idempotency key so that a retry replays it."""

    __test__ = False

    class Kind(models.TextChoices):
        CAPTURE = "capture"
        VOID = "void"
        REFUND = "refund"

    idempotency_key = models.CharField(max_length=255, unique=True)
    charge = models.ForeignKey(TestGatewayCharge, on_delete=models.CASCADE, related_name="operations")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    status = models.CharField(max_length=16, choices=[(s.value, s.value) for s in PaymentStatus])
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.idempotency_key}"
