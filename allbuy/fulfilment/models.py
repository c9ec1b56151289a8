"""Merchants (who sell and pack), carriers (who deliver), and the shipments that connect them to an order.

An order with items from several merchants is split into one shipment per merchant at payment. Each
shipment gets a carrier, a tracking number and a status of its own, and a shipping-data grant for its
merchant and for its carrier (`allbuy.privacy.grants`): that is the only way either reads the customer's
name, address and phone.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from allbuy.orders.models import Order, OrderLine


class Merchant(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class StaffRole(models.TextChoices):
    OWNER = "owner", "Owner"
    PACKER = "packer", "Packer"


class MerchantStaff(models.Model):
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="staff")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="merchant_roles")
    role = models.CharField(max_length=10, choices=StaffRole.choices, default=StaffRole.PACKER)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["merchant", "user"], name="merchant_staff_once")]

    def __str__(self) -> str:
        return f"merchant staff #{self.pk}"


class Carrier(models.Model):
    name = models.CharField(max_length=120)
    code = models.SlugField(max_length=30, unique=True)
    # Destination countries served (ISO codes); empty means everywhere. The cheapest carrier serving the
    # destination is assigned (see services.carrier_for).
    countries = models.JSONField(default=list, blank=True)
    price = models.DecimalField(
        max_digits=8, decimal_places=2, help_text="What AllBuy pays per parcel: the rule picks the cheapest."
    )
    # The secret the carrier signs webhooks with, encrypted under a system key (it is needed in clear to check HMACs).
    webhook_secret = models.TextField(blank=True)

    class Meta:
        ordering = ["price", "code"]

    def __str__(self) -> str:
        return self.name


class CarrierToken(models.Model):
    """An API credential of a carrier: only a hash is stored; the token is shown once, at creation."""

    carrier = models.ForeignKey(Carrier, on_delete=models.CASCADE, related_name="tokens")
    prefix = models.CharField(max_length=12, unique=True)  # the public part, to find the row
    digest = models.CharField(max_length=64)  # SHA-256 of the whole token
    scopes = models.JSONField(default=list)  # "shipments:read", "shipments:write"
    label = models.CharField(max_length=80, blank=True)
    created_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"carrier token {self.prefix}"


class ShipmentStatus(models.TextChoices):
    READY = "ready", "Ready to pack"
    PACKED = "packed", "Packed"
    HANDED_OVER = "handed_over", "Handed to the carrier"
    PICKED_UP = "picked_up", "Picked up"
    IN_TRANSIT = "in_transit", "In transit"
    FAILED_ATTEMPT = "failed_attempt", "Delivery attempt failed"
    DELIVERED = "delivered", "Delivered"
    CANCELLED = "cancelled", "Cancelled"


class Shipment(models.Model):
    # In URLs and the carrier API: random, so ids cannot be guessed or counted.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="shipments")
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="shipments")
    carrier = models.ForeignKey(Carrier, on_delete=models.PROTECT, related_name="shipments")
    status = models.CharField(max_length=20, choices=ShipmentStatus.choices, default=ShipmentStatus.READY, db_index=True)
    tracking_number = models.CharField(max_length=40, unique=True)
    weight_grams = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["order", "merchant"], name="shipment_one_per_merchant_and_order")]

    def __str__(self) -> str:
        return f"shipment {self.public_id}"


class ShipmentLine(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="lines")
    order_line = models.OneToOneField(OrderLine, on_delete=models.PROTECT, related_name="shipment_line")

    def __str__(self) -> str:
        return f"shipment line {self.pk}"


class ShipmentEvent(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    actor = models.CharField(max_length=120)  # "Merchant: …", "Carrier: …": a business, never a person's name
    note = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"shipment event {self.pk}"


class CarrierWebhookReceipt(models.Model):
    """Carrier webhook events already applied: a replayed one is refused."""

    carrier = models.ForeignKey(Carrier, on_delete=models.CASCADE)
    event_id = models.CharField(max_length=80)
    received_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["carrier", "event_id"], name="carrier_webhook_once")]

    def __str__(self) -> str:
        return f"carrier webhook {self.event_id}"
