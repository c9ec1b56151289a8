"""Whether a coupon applies to a cart, as a pure function over plain data (no database, no clock).

The checks run in a fixed order so a shopper always hears the most fundamental reason first:
the code itself (unknown, inactive), its window, its caps, then the cart (currency, minimum,
scope and stacking). The window is half-open: valid from `valid_from` inclusive until
`valid_until` exclusive.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from allbuy.core.money import Money


class Kind(StrEnum):
    PERCENT = "percent"
    FIXED = "fixed"
    FREE_SHIPPING = "free_shipping"


class Reason(StrEnum):
    UNKNOWN = "unknown"
    INACTIVE = "inactive"
    NOT_YET_VALID = "not_yet_valid"
    EXPIRED = "expired"
    CAP_REACHED = "cap_reached"
    ALREADY_USED_BY_YOU = "already_used_by_you"
    CURRENCY_MISMATCH = "currency_mismatch"
    MINIMUM_NOT_MET = "minimum_not_met"
    NO_ELIGIBLE_ITEMS = "no_eligible_items"
    CANNOT_COMBINE = "cannot_combine"


MESSAGES: dict[Reason, str] = {
    Reason.UNKNOWN: "We don't know this code. Please check it and try again.",
    Reason.INACTIVE: "This code is no longer available.",
    Reason.NOT_YET_VALID: "This code isn't valid yet.",
    Reason.EXPIRED: "This code has expired.",
    Reason.CAP_REACHED: "This code has been used as many times as it can be.",
    Reason.ALREADY_USED_BY_YOU: "You have already used this code.",
    Reason.CURRENCY_MISMATCH: "This code can't be used with the currency of your cart.",
    Reason.MINIMUM_NOT_MET: "Your cart doesn't reach this code's minimum amount yet.",
    Reason.NO_ELIGIBLE_ITEMS: "None of the items in your cart qualify for this code.",
    Reason.CANNOT_COMBINE: "This code can't be combined with the deals or promotions on your items.",
}


@dataclass(frozen=True, slots=True)
class CouponView:
    """What eligibility needs to know about a coupon; `currency` is empty unless an amount needs one."""

    id: int
    code: str
    kind: Kind
    value: Decimal
    currency: str
    min_subtotal: Decimal
    valid_from: datetime
    valid_until: datetime | None
    total_cap: int | None
    uses: int
    per_customer_cap: int | None
    is_active: bool = True
    stacks_with_deals: bool = False
    stacks_with_promotions: bool = False
    include_brand_ids: frozenset[int] = frozenset()
    include_category_ids: frozenset[int] = frozenset()
    include_product_ids: frozenset[int] = frozenset()
    exclude_brand_ids: frozenset[int] = frozenset()
    exclude_category_ids: frozenset[int] = frozenset()
    exclude_product_ids: frozenset[int] = frozenset()

    @property
    def has_includes(self) -> bool:
        return bool(self.include_brand_ids or self.include_category_ids or self.include_product_ids)


@dataclass(frozen=True, slots=True)
class CartLine:
    """One cart line; `category_ids` holds the product's category and its parent, so a top-level scope matches."""

    line_id: Hashable
    product_id: int
    brand_id: int
    category_ids: frozenset[int]
    has_deal: bool = False
    has_promotion: bool = False


@dataclass(frozen=True, slots=True)
class CartSummary:
    subtotal: Money
    lines: tuple[CartLine, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class Eligible:
    eligible_line_ids: tuple[Hashable, ...]

    ok = True


@dataclass(frozen=True, slots=True)
class Refused:
    reason: Reason

    ok = False

    @property
    def message(self) -> str:
        return MESSAGES[self.reason]


def line_in_scope(coupon: CouponView, line: CartLine) -> bool:
    """Tell whether the coupon's include/exclude lists admit this line (no includes means everything)."""
    if (
        line.product_id in coupon.exclude_product_ids
        or line.brand_id in coupon.exclude_brand_ids
        or line.category_ids & coupon.exclude_category_ids
    ):
        return False
    if not coupon.has_includes:
        return True
    return bool(
        line.product_id in coupon.include_product_ids
        or line.brand_id in coupon.include_brand_ids
        or line.category_ids & coupon.include_category_ids
    )


def line_combinable(coupon: CouponView, line: CartLine) -> bool:
    return (coupon.stacks_with_deals or not line.has_deal) and (coupon.stacks_with_promotions or not line.has_promotion)


def _coupon_refusal(coupon: CouponView, *, now: datetime, customer_uses: int) -> Reason | None:
    if not coupon.is_active:
        return Reason.INACTIVE
    if now < coupon.valid_from:
        return Reason.NOT_YET_VALID
    if coupon.valid_until is not None and now >= coupon.valid_until:
        return Reason.EXPIRED
    if coupon.total_cap is not None and coupon.uses >= coupon.total_cap:
        return Reason.CAP_REACHED
    if coupon.per_customer_cap is not None and customer_uses >= coupon.per_customer_cap:
        return Reason.ALREADY_USED_BY_YOU
    return None


def coupon_check(coupon: CouponView | None, cart: CartSummary, *, now: datetime, customer_uses: int = 0) -> Eligible | Refused:
    """Return the cart lines the coupon applies to, or the first reason it does not apply."""
    if coupon is None:
        return Refused(Reason.UNKNOWN)
    reason = _coupon_refusal(coupon, now=now, customer_uses=customer_uses)
    if reason is not None:
        return Refused(reason)
    needs_currency = coupon.kind == Kind.FIXED or coupon.min_subtotal > 0
    if needs_currency and coupon.currency != cart.subtotal.currency:
        return Refused(Reason.CURRENCY_MISMATCH)
    if cart.subtotal.amount < coupon.min_subtotal:
        return Refused(Reason.MINIMUM_NOT_MET)
    in_scope = [line for line in cart.lines if line_in_scope(coupon, line)]
    if not in_scope:
        return Refused(Reason.NO_ELIGIBLE_ITEMS)
    eligible = tuple(line.line_id for line in in_scope if line_combinable(coupon, line))
    if not eligible:
        return Refused(Reason.CANNOT_COMBINE)
    return Eligible(eligible)
