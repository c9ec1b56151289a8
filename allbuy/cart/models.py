"""Carts: one per visitor (anonymous, found through the session) or per account.

A cart holds what the shopper chose and the unit price they saw when they chose it (`price_seen`), never a
price to charge: every total is recomputed by the pricing function from the catalog at the moment it is
shown or paid, and a line whose price moved since it was added says so.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from allbuy.catalog.models import Variant

MAX_QUANTITY_PER_LINE = 10
MAX_LINES = 50


class Cart(models.Model):
    # The id is a bearer secret for anonymous API carts: random, never sequential.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="cart")
    currency = models.CharField(max_length=3, blank=True)
    coupon_code = models.CharField(max_length=40, blank=True)
    # The order this cart's content is being paid for with: another tab cannot place it a second time meanwhile.
    checkout_order = models.CharField(max_length=16, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"cart {self.pk}"


class CartLine(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveSmallIntegerField()
    price_seen = models.DecimalField(max_digits=10, decimal_places=2)
    added_at = models.DateTimeField()

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "variant"], name="cart_line_one_per_variant"),
            models.CheckConstraint(
                condition=Q(quantity__gte=1) & Q(quantity__lte=MAX_QUANTITY_PER_LINE), name="cart_line_quantity_range"
            ),
        ]

    def __str__(self) -> str:
        return f"cart line {self.pk}"
