"""Orders, their lines, payments, refunds and status history.

An order copies everything it was sold with (names, SKUs, unit prices, every discount, taxes, the
shipping address) so that later catalog edits or an edited address book never change what was bought.
The shipping address is sealed under the customer's own data key like the address book it came from.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from allbuy.catalog.models import Variant
from allbuy.privacy.fields import EncryptedRecordField
from allbuy.privacy.models import DataSubject

SHIP_TO_MEMBERS = ("recipient_name", "line1", "line2", "city", "region", "postcode", "country", "phone")


class OrderStatus(models.TextChoices):
    PLACED = "placed", "Placed, awaiting payment"
    PAID = "paid", "Paid"
    FULFILLING = "fulfilling", "Being packed"
    SHIPPED = "shipped", "Shipped"
    DELIVERED = "delivered", "Delivered"
    CANCELLED = "cancelled", "Cancelled"
    REFUNDED = "refunded", "Refunded"


class PaymentState(models.TextChoices):
    NONE = "none", "Not started"
    UNKNOWN = "unknown", "Waiting for the payment provider"
    PENDING = "pending", "Pending confirmation"
    CAPTURED = "captured", "Paid"
    DECLINED = "declined", "Declined"
    VOIDED = "voided", "Voided"
    REFUNDED = "refunded", "Refunded"


class Order(models.Model):
    # The public reference: in URLs, emails and at the gateway. Random, so it cannot be guessed.
    number = models.CharField(max_length=16, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders")
    subject = models.ForeignKey(DataSubject, on_delete=models.PROTECT, related_name="+")
    # One checkout attempt = one key: a double submit, a retry or parallel copies find this order again.
    idempotency_key = models.CharField(max_length=80)
    request_fingerprint = models.CharField(max_length=64)
    status = models.CharField(max_length=20, choices=OrderStatus.choices, default=OrderStatus.PLACED, db_index=True)
    payment_state = models.CharField(max_length=10, choices=PaymentState.choices, default=PaymentState.NONE)
    cancel_reason = models.CharField(max_length=40, blank=True)
    currency = models.CharField(max_length=3)
    base_subtotal = models.DecimalField(max_digits=12, decimal_places=2)
    deal_discount = models.DecimalField(max_digits=12, decimal_places=2)
    promotion_discount = models.DecimalField(max_digits=12, decimal_places=2)
    coupon_discount = models.DecimalField(max_digits=12, decimal_places=2)
    subtotal = models.DecimalField(max_digits=12, decimal_places=2)
    shipping = models.DecimalField(max_digits=12, decimal_places=2)
    tax = models.DecimalField(max_digits=12, decimal_places=2)
    total = models.DecimalField(max_digits=12, decimal_places=2)
    refunded = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))
    shipping_method = models.CharField(max_length=20)
    coupon_code = models.CharField(max_length=40, blank=True)
    ship_to = EncryptedRecordField(members=SHIP_TO_MEMBERS, scope="tax")
    placed_at = models.DateTimeField(db_index=True)
    updated_at = models.DateTimeField()
    released_at = models.DateTimeField(null=True, blank=True)  # stock, deal units and coupon given back

    class Meta:
        ordering = ["-placed_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "idempotency_key"], name="order_one_per_checkout_attempt"),
            models.CheckConstraint(condition=Q(total__gte=0), name="order_total_not_negative"),
            models.CheckConstraint(condition=Q(refunded__gte=0) & Q(refunded__lte=F("total")), name="order_refunded_range"),
        ]

    def __str__(self) -> str:
        return f"order {self.number}"

    @property
    def is_open_for_payment(self) -> bool:
        return self.status == OrderStatus.PLACED and self.payment_state in (PaymentState.NONE, PaymentState.UNKNOWN)


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey(Variant, on_delete=models.PROTECT, related_name="+")
    product_name = models.CharField(max_length=160)
    product_slug = models.CharField(max_length=160)
    sku = models.CharField(max_length=64)
    options = models.CharField(max_length=200, blank=True)
    quantity = models.PositiveSmallIntegerField()
    unit_price = models.DecimalField(max_digits=10, decimal_places=2)
    deal = models.ForeignKey("deals.Deal", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    deal_units = models.PositiveSmallIntegerField(default=0)
    deal_discount = models.DecimalField(max_digits=12, decimal_places=2)
    promotion_discount = models.DecimalField(max_digits=12, decimal_places=2)
    coupon_discount = models.DecimalField(max_digits=12, decimal_places=2)
    total = models.DecimalField(max_digits=12, decimal_places=2)
    tax = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"order line {self.pk}"

    @property
    def regular_units(self) -> int:
        return int(self.quantity) - int(self.deal_units)

    @property
    def deal_unit_price(self) -> Decimal | None:
        """The unit price the deal gave (None without one); `deal_units` of `quantity` were sold at it."""
        if not self.deal_units:
            return None
        return (self.unit_price - self.deal_discount / self.deal_units).quantize(Decimal("0.01"))


class Payment(models.Model):
    """One charge at the gateway. No card number, expiry or CVC: only the brand and the gateway's reference."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="payments")
    gateway = models.CharField(max_length=40)
    gateway_ref = models.CharField(max_length=80, unique=True)
    status = models.CharField(max_length=12)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    card_brand = models.CharField(max_length=20, blank=True)
    decline_code = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"payment {self.gateway_ref}"


class Refund(models.Model):
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    idempotency_key = models.CharField(max_length=80, unique=True)
    reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive")]

    def __str__(self) -> str:
        return f"refund {self.pk}"


class OrderEvent(models.Model):
    """The order's history: every status change, who made it (a role, never a person's name) and when."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    actor = models.CharField(max_length=40)
    note = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"order event {self.pk}"


class WebhookReceipt(models.Model):
    """Gateway events already applied: a replayed webhook is acknowledged and changes nothing."""

    gateway = models.CharField(max_length=40)
    event_id = models.CharField(max_length=80)
    received_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["gateway", "event_id"], name="webhook_event_once")]

    def __str__(self) -> str:
        return f"webhook {self.event_id}"
