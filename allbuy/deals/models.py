"""Deals (a lower price for one variant inside a time window) and promotions (scheduled rule-based offers).

Windows are half-open, [starts_at, ends_at): a deal ending at midnight and the next one starting at
that midnight never both apply. Prices are never computed here; the pricing engine reads these rows.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from allbuy.catalog.models import Brand, Category, Product, Variant
from allbuy.deals.windows import window_contains


def _window_errors(starts_at: datetime | None, ends_at: datetime | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    for field, value in (("starts_at", starts_at), ("ends_at", ends_at)):
        if value is not None and timezone.is_naive(value):
            errors[field] = "Give a timezone-aware time."
    if not errors and starts_at is not None and ends_at is not None and ends_at <= starts_at:
        errors["ends_at"] = "The end must be after the start."
    return errors


class Deal(models.Model):
    """A deal price for one variant in [starts_at, ends_at), optionally for the first `quantity_cap` units only."""

    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="deals")
    title = models.CharField(max_length=120, help_text="Shown on the deal card, e.g. “Deal of the day”.")
    deal_price = models.DecimalField(max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))])
    currency = models.CharField(max_length=3, blank=True, help_text="Left empty, the variant's currency is used.")
    starts_at = models.DateTimeField(db_index=True)
    ends_at = models.DateTimeField(db_index=True, help_text="Exclusive: the deal has ended at this instant.")
    quantity_cap = models.PositiveIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1)], help_text="Units sold at the deal price; empty: no cap."
    )
    units_sold = models.PositiveIntegerField(default=0, editable=False)
    per_customer_limit = models.PositiveIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1)], help_text="Units per customer; empty: no limit."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["variant", "starts_at", "ends_at"], name="deal_variant_window")]
        constraints = [
            models.CheckConstraint(condition=Q(deal_price__gt=0), name="deal_price_positive"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="deal_ends_after_start"),
            models.CheckConstraint(
                condition=Q(quantity_cap__isnull=True) | Q(units_sold__lte=F("quantity_cap")), name="deal_units_within_cap"
            ),
            models.CheckConstraint(
                condition=Q(per_customer_limit__isnull=True) | Q(per_customer_limit__gte=1), name="deal_per_customer_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_sold_out(self) -> bool:
        return self.quantity_cap is not None and self.units_sold >= self.quantity_cap

    @property
    def units_left(self) -> int | None:
        return None if self.quantity_cap is None else max(0, self.quantity_cap - self.units_sold)

    def is_live(self, now: datetime) -> bool:
        """Return whether the deal price applies at `now`: inside the window and not sold out."""
        return window_contains(self.starts_at, self.ends_at, now) and not self.is_sold_out

    def clean(self) -> None:
        errors = _window_errors(self.starts_at, self.ends_at)
        if self.quantity_cap is not None and self.quantity_cap < self.units_sold:
            errors["quantity_cap"] = f"{self.units_sold} units are already sold; the cap cannot be lower."
        variant = self.variant if self.variant_id is not None else None
        if variant is not None:
            if not self.currency:
                self.currency = variant.currency
            if self.currency != variant.currency:
                errors["currency"] = f"The deal must be priced in the variant's currency, {variant.currency}."
            if self.deal_price is not None and self.deal_price >= variant.price:
                errors["deal_price"] = f"The deal price must be below the regular price ({variant.price} {variant.currency})."
        if errors:
            raise ValidationError(errors, code="deal_invalid")
        if variant is not None and self._overlapping().exists():
            overlap = ValidationError("Another deal on this variant overlaps this window.", code="deal_overlaps")
            raise ValidationError({"starts_at": overlap})

    def _overlapping(self) -> models.QuerySet[Deal]:
        return Deal.objects.filter(variant_id=self.variant_id, starts_at__lt=self.ends_at, ends_at__gt=self.starts_at).exclude(
            pk=self.pk
        )


class DealCustomerUsage(models.Model):
    """How many units of one deal one account has bought at the deal price: the row locked to enforce the
    deal's `per_customer_limit` (see `services.deal_customer_units_take`)."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="customer_usages")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    units = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["deal", "user"], name="deal_usage_one_per_customer")]

    def __str__(self) -> str:
        return f"deal usage #{self.pk}"


class PromotionKind(models.TextChoices):
    PERCENT = "percent", "Percent off"
    FIXED = "fixed", "Fixed amount off"
    BUY_X_GET_Y = "buy_x_get_y", "Buy X, get Y free"
    FREE_SHIPPING_OVER = "free_shipping_over", "Free shipping over an amount"


class Promotion(models.Model):
    """A scheduled offer that starts and ends by itself.

    Combination rules, applied by the pricing engine:
    - promotions are considered by descending `priority`, then by id;
    - an `exclusive` promotion that applies is the only promotion on the order;
    - otherwise, per line, the highest-priority eligible promotion applies; others apply on top only when it and
      they are all `stackable` (see `allbuy.pricing` for the exact rules);
    - a line already at a deal price is eligible only if `applies_to_deals`.

    Scope: with no "include" rows the promotion covers the whole catalog; with some, a product is covered
    if its brand, its category (or that category's parent) or the product itself is included. "Exclude"
    rows always win.
    """

    SCOPE_FIELDS = (
        "include_brands",
        "include_categories",
        "include_products",
        "exclude_brands",
        "exclude_categories",
        "exclude_products",
    )

    title = models.CharField(max_length=120)
    banner_text = models.CharField(max_length=200, blank=True, help_text="Shown in the storefront banner while active.")
    kind = models.CharField(max_length=24, choices=PromotionKind.choices)
    value = models.DecimalField(
        max_digits=10, decimal_places=2, null=True, blank=True, help_text="Percent (0–100] or amount off, by kind."
    )
    currency = models.CharField(max_length=3, default="EUR", help_text="Currency of a fixed amount and of the minimum subtotal.")
    buy_quantity = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Buy X (buy X, get Y).")
    get_quantity = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Get Y free (buy X, get Y).")
    min_subtotal = models.DecimalField(
        max_digits=10, decimal_places=2, null=True, blank=True, help_text="Required for free shipping; optional otherwise."
    )
    include_brands = models.ManyToManyField(Brand, blank=True, related_name="+")
    include_categories = models.ManyToManyField(Category, blank=True, related_name="+")
    include_products = models.ManyToManyField(Product, blank=True, related_name="+")
    exclude_brands = models.ManyToManyField(Brand, blank=True, related_name="+")
    exclude_categories = models.ManyToManyField(Category, blank=True, related_name="+")
    exclude_products = models.ManyToManyField(Product, blank=True, related_name="+")
    starts_at = models.DateTimeField(db_index=True)
    ends_at = models.DateTimeField(db_index=True, help_text="Exclusive: the promotion has ended at this instant.")
    priority = models.IntegerField(default=0, help_text="Higher first.")
    exclusive = models.BooleanField(default=False, help_text="When it applies, no other promotion does.")
    stackable = models.BooleanField(default=False, help_text="Combines with other stackable promotions.")
    applies_to_deals = models.BooleanField(default=False, help_text="Also discounts lines already at a deal price.")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-priority", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="promotion_ends_after_start"),
            models.CheckConstraint(condition=~Q(exclusive=True, stackable=True), name="promotion_exclusive_not_stackable"),
            models.CheckConstraint(condition=Q(value__isnull=True) | Q(value__gt=0), name="promotion_value_positive"),
        ]

    def __str__(self) -> str:
        return self.title

    def is_live(self, now: datetime) -> bool:
        return self.is_active and window_contains(self.starts_at, self.ends_at, now)

    def clean(self) -> None:
        errors = _window_errors(self.starts_at, self.ends_at)
        errors.update(self._kind_errors())
        if self.exclusive and self.stackable:
            errors["stackable"] = "An exclusive promotion cannot stack with others."
        if self.min_subtotal is not None and self.min_subtotal < 0:
            errors["min_subtotal"] = "The minimum subtotal cannot be negative."
        if errors:
            raise ValidationError(errors, code="promotion_invalid")

    def _kind_errors(self) -> dict[str, str]:
        kind = self.kind
        errors: dict[str, str] = {}
        wants_value = kind in (PromotionKind.PERCENT, PromotionKind.FIXED)
        wants_quantities = kind == PromotionKind.BUY_X_GET_Y
        if wants_value and (self.value is None or self.value <= 0):
            errors["value"] = "Give a value above zero."
        elif kind == PromotionKind.PERCENT and self.value is not None and self.value > 100:
            errors["value"] = "A percentage cannot exceed 100."
        elif not wants_value and self.value is not None:
            errors["value"] = "This kind of promotion takes no value."
        for field in ("buy_quantity", "get_quantity"):
            quantity = getattr(self, field)
            if wants_quantities and (quantity is None or quantity < 1):
                errors[field] = "Give a quantity of at least 1."
            elif not wants_quantities and quantity is not None:
                errors[field] = "Only buy-X-get-Y promotions take quantities."
        if kind == PromotionKind.FREE_SHIPPING_OVER and self.min_subtotal is None:
            errors["min_subtotal"] = "Free shipping needs the subtotal it starts at."
        return errors
