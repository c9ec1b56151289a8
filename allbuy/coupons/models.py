"""Coupons, batches of single-use codes, redemptions and the per-customer use counters."""

from __future__ import annotations

import re
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from allbuy.catalog.models import Brand, Category, Product
from allbuy.coupons.eligibility import Kind

_NOT_IN_KEY = re.compile(r"[\s\-]+")


def code_normalise(raw: str) -> str:
    """Return the look-up key of a code: upper-case, without spaces or hyphens ("save-10 " → "SAVE10")."""
    return _NOT_IN_KEY.sub("", raw).upper()


class CouponKind(models.TextChoices):
    PERCENT = Kind.PERCENT.value, "Percent off"
    FIXED = Kind.FIXED.value, "Fixed amount off"
    FREE_SHIPPING = Kind.FREE_SHIPPING.value, "Free shipping"


class CouponBatch(models.Model):
    """A run of bulk-generated single-use codes sharing one template."""

    label = models.CharField(max_length=120, blank=True)
    prefix = models.CharField(max_length=12, blank=True)
    size = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "coupon batches"

    def __str__(self) -> str:
        return f"batch #{self.pk} ({self.size} codes)"


class Coupon(models.Model):
    code = models.CharField(max_length=40, help_text="Shown upper-case; shoppers may type it in any case.")
    # Derived from `code` on save: what a shopper's input is matched against, and what is unique.
    code_key = models.CharField(max_length=40, unique=True, editable=False)
    kind = models.CharField(max_length=16, choices=CouponKind.choices)
    value = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0"), help_text="Percent (0–100] or amount.")
    currency = models.CharField(max_length=3, blank=True, help_text="Needed for a fixed amount or a minimum subtotal.")
    min_subtotal = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0"))
    valid_from = models.DateTimeField()
    valid_until = models.DateTimeField(null=True, blank=True, help_text="Exclusive; empty means no end.")
    total_cap = models.PositiveIntegerField(null=True, blank=True, help_text="Uses allowed in total; empty means no cap.")
    uses = models.PositiveIntegerField(default=0)
    per_customer_cap = models.PositiveIntegerField(null=True, blank=True, help_text="Uses allowed per account.")
    include_brands = models.ManyToManyField(Brand, blank=True, related_name="+")
    include_categories = models.ManyToManyField(Category, blank=True, related_name="+")
    include_products = models.ManyToManyField(Product, blank=True, related_name="+")
    exclude_brands = models.ManyToManyField(Brand, blank=True, related_name="+")
    exclude_categories = models.ManyToManyField(Category, blank=True, related_name="+")
    exclude_products = models.ManyToManyField(Product, blank=True, related_name="+")
    stacks_with_deals = models.BooleanField(default=False)
    stacks_with_promotions = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    batch = models.ForeignKey(CouponBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="coupons")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # The last line of defence behind coupon_redeem's conditional UPDATE: the cap can never be exceeded.
            models.CheckConstraint(
                condition=Q(total_cap__isnull=True) | Q(uses__lte=F("total_cap")), name="coupon_uses_within_cap"
            ),
            models.CheckConstraint(
                condition=~Q(kind=CouponKind.PERCENT) | Q(value__gt=0, value__lte=100), name="coupon_percent_in_range"
            ),
            models.CheckConstraint(
                condition=~Q(kind=CouponKind.FIXED) | (Q(value__gt=0) & ~Q(currency="")), name="coupon_fixed_has_amount"
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gt=F("valid_from")), name="coupon_window_ordered"
            ),
            models.CheckConstraint(condition=Q(min_subtotal__gte=0), name="coupon_min_subtotal_not_negative"),
        ]
        indexes = [models.Index(fields=["batch"], name="coupon_batch_idx")]

    def __str__(self) -> str:
        return self.code

    def save(self, *args: object, **kwargs: object) -> None:
        self.code = self.code.strip().upper()
        self.code_key = code_normalise(self.code)
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def clean(self) -> None:
        errors: dict[str, str] = {}
        self.code = (self.code or "").strip().upper()
        if self.code and not code_normalise(self.code):
            errors["code"] = "A code needs at least one letter or digit."
        self.currency = (self.currency or "").strip().upper()
        if self.currency and (len(self.currency) != 3 or not self.currency.isalpha()):
            errors["currency"] = "Use a three-letter currency code such as EUR."
        if self.kind == CouponKind.PERCENT and self.value is not None and not Decimal("0") < self.value <= Decimal("100"):
            errors["value"] = "A percentage must be above 0 and at most 100."
        if self.kind == CouponKind.FIXED:
            if self.value is not None and self.value <= 0:
                errors["value"] = "A fixed amount must be above 0."
            if not self.currency:
                errors["currency"] = "A fixed amount needs a currency."
        if self.min_subtotal is not None and self.min_subtotal > 0 and not self.currency:
            errors["currency"] = "A minimum subtotal needs a currency."
        if self.valid_from and self.valid_until and self.valid_until <= self.valid_from:
            errors["valid_until"] = "The end must be after the start."
        if self.total_cap is not None and self.total_cap < (self.uses or 0):
            errors["total_cap"] = f"The cap cannot be below the {self.uses} uses already made."
        if errors:
            raise ValidationError(errors)

    @property
    def is_free_shipping(self) -> bool:
        return self.kind == CouponKind.FREE_SHIPPING


class CouponCustomerUsage(models.Model):
    """How often one account has used one coupon: the row locked to enforce the per-customer cap."""

    coupon = models.ForeignKey(Coupon, on_delete=models.CASCADE, related_name="customer_usages")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    uses = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["coupon", "user"], name="coupon_usage_one_per_customer")]

    def __str__(self) -> str:
        return f"usage #{self.pk}"


class CouponRedemption(models.Model):
    """One use of a coupon by one order; `released_at` is set when the use was given back."""

    coupon = models.ForeignKey(Coupon, on_delete=models.PROTECT, related_name="redemptions")
    # Kept when an account is erased: the order's accounting still needs the redemption.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    order_ref = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["order_ref"], name="coupon_redemption_order_idx")]

    def __str__(self) -> str:
        return f"redemption #{self.pk}"

    @property
    def is_released(self) -> bool:
        return self.released_at is not None
