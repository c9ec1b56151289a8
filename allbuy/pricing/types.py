"""Plain, frozen inputs and outputs of `quote_build`: no ORM, so pricing stays pure and property-testable."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from allbuy.core.money import Money


@dataclass(frozen=True, slots=True)
class Line:
    line_id: int
    variant_id: int
    product_id: int
    brand_id: int | None
    category_ids: frozenset[int]
    unit_price: Money
    quantity: int


@dataclass(frozen=True, slots=True)
class Deal:
    variant_id: int
    price: Money
    starts_at: datetime
    ends_at: datetime
    # Deal units still available at the deal price (the cap minus units already sold); None = uncapped.
    remaining_units: int | None = None

    def is_active(self, now: datetime) -> bool:
        return self.starts_at <= now < self.ends_at


@dataclass(frozen=True, slots=True)
class Scope:
    """Which lines an offer covers. Empty includes mean "everything"; an exclude match always wins."""

    brand_ids: frozenset[int] = frozenset()
    category_ids: frozenset[int] = frozenset()
    product_ids: frozenset[int] = frozenset()
    exclude_brand_ids: frozenset[int] = frozenset()
    exclude_category_ids: frozenset[int] = frozenset()
    exclude_product_ids: frozenset[int] = frozenset()

    def matches(self, line: Line) -> bool:
        if (
            line.brand_id in self.exclude_brand_ids
            or line.product_id in self.exclude_product_ids
            or line.category_ids & self.exclude_category_ids
        ):
            return False
        if not (self.brand_ids or self.category_ids or self.product_ids):
            return True
        return bool(
            line.brand_id in self.brand_ids or line.product_id in self.product_ids or line.category_ids & self.category_ids
        )


EVERYTHING = Scope()


class PromotionKind(StrEnum):
    PERCENT = "percent"
    FIXED = "fixed"
    BUY_X_GET_Y = "buy_x_get_y"
    FREE_SHIPPING_OVER = "free_shipping_over"


@dataclass(frozen=True, slots=True)
class Promotion:
    """`value` is a percent (Decimal, 0 < v ≤ 100) for PERCENT, a Money for FIXED and FREE_SHIPPING_OVER (the threshold),
    unused for BUY_X_GET_Y, which reads `buy_quantity` and `get_quantity`."""

    id: int
    kind: PromotionKind
    starts_at: datetime
    ends_at: datetime
    value: Decimal | Money | None = None
    scope: Scope = EVERYTHING
    priority: int = 0
    exclusive: bool = False
    stackable: bool = False
    applies_to_deals: bool = False
    min_subtotal: Money | None = None
    buy_quantity: int = 0
    get_quantity: int = 0

    def is_active(self, now: datetime) -> bool:
        return self.starts_at <= now < self.ends_at


class CouponKind(StrEnum):
    PERCENT = "percent"
    FIXED = "fixed"
    FREE_SHIPPING = "free_shipping"


@dataclass(frozen=True, slots=True)
class Coupon:
    """An already-accepted coupon (the coupons app checks window, caps and per-customer use).

    `value` is a percent (Decimal, 0 < v ≤ 100) for PERCENT, a Money for FIXED, unused for FREE_SHIPPING."""

    code: str
    kind: CouponKind
    value: Decimal | Money | None = None
    min_subtotal: Money | None = None
    scope: Scope = EVERYTHING
    stacks_with_deals: bool = False
    stacks_with_promotions: bool = False


class CouponRefusal(StrEnum):
    NO_ELIGIBLE_ITEMS = "no_eligible_items"
    MINIMUM_NOT_MET = "minimum_not_met"
    CANNOT_COMBINE = "cannot_combine"


@dataclass(frozen=True, slots=True)
class ShippingMethod:
    code: str
    price: Money
    free_over: Money | None = None


@dataclass(frozen=True, slots=True)
class QuoteLine:
    line_id: int
    unit_price: Money
    quantity: int
    base: Money
    deal_discount: Money
    promotion_discount: Money
    coupon_discount: Money
    total: Money
    # VAT contained in `total` (prices are VAT-inclusive).
    tax: Money


@dataclass(frozen=True, slots=True)
class Discounts:
    deal: Money
    promotion: Money
    coupon: Money
    shipping: Money


@dataclass(frozen=True, slots=True)
class AppliedDeal:
    variant_id: int
    units: int
    discount: Money


@dataclass(frozen=True, slots=True)
class AppliedPromotion:
    promotion_id: int
    discount: Money
    line_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Quote:
    lines: tuple[QuoteLine, ...]
    base_subtotal: Money
    # Sum of line totals: after deals, promotions and the coupon; VAT included.
    subtotal: Money
    discounts: Discounts
    shipping: Money
    shipping_tax: Money
    # Lines' tax plus shipping tax: the VAT contained in `total`.
    tax: Money
    total: Money
    currency: str
    country: str
    applied_deals: tuple[AppliedDeal, ...] = ()
    applied_promotions: tuple[AppliedPromotion, ...] = ()
    coupon_applied: bool = False
    coupon_refusal: CouponRefusal | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)
