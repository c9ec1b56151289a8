"""Build a quote from a cart's lines; the rules are documented in the package docstring (`allbuy.pricing`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from allbuy.core.money import CENT, Money
from allbuy.pricing.exceptions import CurrencyMismatch, InvalidPricingInput
from allbuy.pricing.tax import vat_rate
from allbuy.pricing.types import (
    AppliedDeal,
    AppliedPromotion,
    Coupon,
    CouponKind,
    CouponRefusal,
    Deal,
    Discounts,
    Line,
    Promotion,
    PromotionKind,
    Quote,
    QuoteLine,
    ShippingMethod,
)

MAX_LINES = 200
MAX_QUANTITY = 99
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)


def _round(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(slots=True)
class _Work:
    """A line being priced: cent amounts per step, mutated step by step inside `quote_build` only."""

    line: Line
    base: Decimal
    deal: Decimal = ZERO
    promotion: Decimal = ZERO
    coupon: Decimal = ZERO

    @property
    def current(self) -> Decimal:
        return self.base - self.deal - self.promotion - self.coupon


def quote_build(
    *,
    lines: Sequence[Line],
    now: datetime,
    country: str,
    deals: Sequence[Deal] = (),
    promotions: Sequence[Promotion] = (),
    coupon: Coupon | None = None,
    shipping_method: ShippingMethod | None = None,
) -> Quote:
    """Return the quote for `lines` at `now` shipped to `country`: deal → promotion → coupon → shipping → tax."""
    currency = _validate(lines, now, deals, promotions, coupon, shipping_method)
    rate = vat_rate(country)
    work = sorted((_Work(line=line, base=_round(line.unit_price.amount * line.quantity)) for line in lines), key=_line_key)
    notes: list[str] = []
    applied_deals = _deals_apply(work, deals, now, notes)
    applied_promotions, free_shipping_promotion = _promotions_apply(work, promotions, now)
    coupon_applied, coupon_refusal, coupon_free_shipping = _coupon_apply(work, coupon)
    if coupon_refusal is not None:
        notes.append(f"coupon not applied: {coupon_refusal.value}")

    subtotal = sum((w.current for w in work), ZERO)
    shipping_base = _round(shipping_method.price.amount) if shipping_method else ZERO
    method_free = bool(shipping_method and shipping_method.free_over and subtotal >= shipping_method.free_over.amount)
    shipping = ZERO if (method_free or free_shipping_promotion is not None or coupon_free_shipping) else shipping_base
    if free_shipping_promotion is not None:
        applied_promotions.append(AppliedPromotion(free_shipping_promotion, Money(shipping_base, currency), ()))

    def money(amount: Decimal) -> Money:
        return Money(amount, currency)

    def contained_vat(amount: Decimal) -> Decimal:
        return _round(amount * rate / (1 + rate))

    by_id = {w.line.line_id: w for w in work}
    quote_lines = tuple(_quote_line(by_id[line.line_id], money(contained_vat(by_id[line.line_id].current))) for line in lines)
    shipping_tax = contained_vat(shipping)
    return Quote(
        lines=quote_lines,
        base_subtotal=money(sum((w.base for w in work), ZERO)),
        subtotal=money(subtotal),
        discounts=Discounts(
            deal=money(sum((w.deal for w in work), ZERO)),
            promotion=money(sum((w.promotion for w in work), ZERO)),
            coupon=money(sum((w.coupon for w in work), ZERO)),
            shipping=money(shipping_base - shipping),
        ),
        shipping=money(shipping),
        shipping_tax=money(shipping_tax),
        tax=money(sum((ql.tax.amount for ql in quote_lines), ZERO) + shipping_tax),
        total=money(subtotal + shipping),
        currency=currency,
        country=country.upper(),
        applied_deals=applied_deals,
        applied_promotions=tuple(applied_promotions),
        coupon_applied=coupon_applied,
        coupon_refusal=coupon_refusal,
        notes=tuple(notes),
    )


def _line_key(w: _Work) -> int:
    return w.line.line_id


def _quote_line(w: _Work, tax: Money) -> QuoteLine:
    currency = w.line.unit_price.currency
    return QuoteLine(
        line_id=w.line.line_id,
        unit_price=w.line.unit_price,
        quantity=w.line.quantity,
        base=Money(w.base, currency),
        deal_discount=Money(w.deal, currency),
        promotion_discount=Money(w.promotion, currency),
        coupon_discount=Money(w.coupon, currency),
        total=Money(w.current, currency),
        tax=tax,
    )


# --- allocation ---------------------------------------------------------------------------------------------


def allocate(total: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """Split cent amount `total` over `weights` proportionally, largest remainder first (ties: lower index).

    The shares sum exactly to `total`, and no share exceeds its weight when `total <= sum(weights)`."""
    cents = int(total.scaleb(2))
    units = [int(weight.scaleb(2)) for weight in weights]
    whole = sum(units)
    if cents == 0 or whole == 0:
        return [ZERO for _ in weights]
    if not 0 < cents <= whole:
        raise ValueError("cannot allocate more than the weights hold")
    shares = [cents * unit // whole for unit in units]
    remainders = [cents * unit % whole for unit in units]
    left = cents - sum(shares)
    for index in sorted(range(len(units)), key=lambda i: (-remainders[i], i))[:left]:
        shares[index] += 1
    return [Decimal(share).scaleb(-2).quantize(CENT) for share in shares]


def _discount_spread(lines: Sequence[_Work], discount: Decimal, attribute: str) -> None:
    for w, share in zip(lines, allocate(discount, [w.current for w in lines]), strict=True):
        setattr(w, attribute, getattr(w, attribute) + share)


# --- deals --------------------------------------------------------------------------------------------------


def _deals_apply(work: list[_Work], deals: Sequence[Deal], now: datetime, notes: list[str]) -> tuple[AppliedDeal, ...]:
    best: dict[int, Deal] = {}
    for candidate in sorted((d for d in deals if d.is_active(now)), key=lambda d: (d.price.amount, d.starts_at, d.ends_at)):
        best.setdefault(candidate.variant_id, candidate)
    remaining = {variant_id: chosen.remaining_units for variant_id, chosen in best.items()}
    units_by_variant: dict[int, int] = {}
    discount_by_variant: dict[int, Decimal] = {}
    for w in work:
        line = w.line
        deal = best.get(line.variant_id)
        if deal is None or deal.price.amount >= line.unit_price.amount:
            continue
        left = remaining[line.variant_id]
        units = line.quantity if left is None else min(line.quantity, left)
        if units < line.quantity:
            notes.append(f"deal on variant {line.variant_id}: {units} of {line.quantity} units at the deal price (cap reached)")
        if units == 0:
            continue
        after = _round(deal.price.amount * units + line.unit_price.amount * (line.quantity - units))
        if after >= w.base:
            continue
        w.deal = w.base - after
        if left is not None:
            remaining[line.variant_id] = left - units
        units_by_variant[line.variant_id] = units_by_variant.get(line.variant_id, 0) + units
        discount_by_variant[line.variant_id] = discount_by_variant.get(line.variant_id, ZERO) + w.deal
    currency = work[0].line.unit_price.currency
    return tuple(
        AppliedDeal(variant_id, units_by_variant[variant_id], Money(discount_by_variant[variant_id], currency))
        for variant_id in sorted(units_by_variant)
    )


# --- promotions ---------------------------------------------------------------------------------------------


def _priority_key(promotion: Promotion) -> tuple[int, int]:
    return (-promotion.priority, promotion.id)


def _eligible(promotion: Promotion, w: _Work) -> bool:
    return promotion.scope.matches(w.line) and (w.deal == 0 or promotion.applies_to_deals)


def _free_shipping_reached(promotion: Promotion, work: list[_Work]) -> bool:
    assert isinstance(promotion.value, Money)  # checked by _validate
    return sum((w.current for w in work if _eligible(promotion, w)), ZERO) >= promotion.value.amount


def _qualifies(promotion: Promotion, work: list[_Work]) -> bool:
    if promotion.kind == PromotionKind.FREE_SHIPPING_OVER:
        return _free_shipping_reached(promotion, work)
    return any(_eligible(promotion, w) for w in work)


def _promotions_apply(
    work: list[_Work], promotions: Sequence[Promotion], now: datetime
) -> tuple[list[AppliedPromotion], int | None]:
    """Apply line promotions; return what applied and the id of the free-shipping promotion that applies, if any."""
    subtotal = sum((w.current for w in work), ZERO)
    active = [p for p in promotions if p.is_active(now) and (p.min_subtotal is None or subtotal >= p.min_subtotal.amount)]
    exclusive = sorted((p for p in active if p.exclusive and _qualifies(p, work)), key=_priority_key)
    in_force = exclusive[:1] if exclusive else sorted((p for p in active if not p.exclusive), key=_priority_key)

    line_promotions = [p for p in in_force if p.kind != PromotionKind.FREE_SHIPPING_OVER]
    chosen: dict[int, set[int]] = {}
    for w in work:
        candidates = [p for p in line_promotions if _eligible(p, w)]
        if candidates:
            top = candidates[0]
            stacked = [p for p in candidates[1:] if p.stackable] if top.stackable else []
            chosen[w.line.line_id] = {p.id for p in [top, *stacked]}

    applied: list[AppliedPromotion] = []
    currency = work[0].line.unit_price.currency
    for promotion in line_promotions:
        lines = [w for w in work if promotion.id in chosen.get(w.line.line_id, set())]
        before = {w.line.line_id: w.promotion for w in lines}
        _promotion_apply(promotion, lines)
        discount = sum((w.promotion - before[w.line.line_id] for w in lines), ZERO)
        if discount > 0:
            touched = tuple(w.line.line_id for w in lines if w.promotion > before[w.line.line_id])
            applied.append(AppliedPromotion(promotion.id, Money(discount, currency), touched))

    free_shipping = [p for p in in_force if p.kind == PromotionKind.FREE_SHIPPING_OVER and _free_shipping_reached(p, work)]
    return applied, (free_shipping[0].id if free_shipping else None)


def _promotion_apply(promotion: Promotion, lines: list[_Work]) -> None:
    if not lines:
        return
    amount = sum((w.current for w in lines), ZERO)
    if promotion.kind == PromotionKind.PERCENT:
        assert isinstance(promotion.value, Decimal)  # checked by _validate
        _discount_spread(lines, _round(amount * promotion.value / HUNDRED), "promotion")
    elif promotion.kind == PromotionKind.FIXED:
        assert isinstance(promotion.value, Money)  # checked by _validate
        _discount_spread(lines, min(_round(promotion.value.amount), amount), "promotion")
    elif promotion.kind == PromotionKind.BUY_X_GET_Y:
        _buy_x_get_y_apply(promotion, lines)


def _buy_x_get_y_apply(promotion: Promotion, lines: list[_Work]) -> None:
    group = promotion.buy_quantity + promotion.get_quantity
    units = sorted(
        ((w.current / w.line.quantity, w.line.line_id) for w in lines for _ in range(w.line.quantity)),
    )
    free_units = len(units) // group * promotion.get_quantity
    free_by_line: dict[int, int] = {}
    for _, line_id in units[:free_units]:
        free_by_line[line_id] = free_by_line.get(line_id, 0) + 1
    for w in lines:
        free = free_by_line.get(w.line.line_id, 0)
        if free:
            w.promotion += min(_round(w.current * free / w.line.quantity), w.current)


# --- coupon -------------------------------------------------------------------------------------------------


def _coupon_apply(work: list[_Work], coupon: Coupon | None) -> tuple[bool, CouponRefusal | None, bool]:
    """Apply the coupon; return (applied, refusal, makes shipping free)."""
    if coupon is None:
        return False, None, False
    subtotal = sum((w.current for w in work), ZERO)
    if coupon.min_subtotal is not None and subtotal < coupon.min_subtotal.amount:
        return False, CouponRefusal.MINIMUM_NOT_MET, False
    in_scope = [w for w in work if coupon.scope.matches(w.line)]
    if not in_scope:
        return False, CouponRefusal.NO_ELIGIBLE_ITEMS, False
    lines = [
        w for w in in_scope if (coupon.stacks_with_deals or w.deal == 0) and (coupon.stacks_with_promotions or w.promotion == 0)
    ]
    if not lines:
        return False, CouponRefusal.CANNOT_COMBINE, False
    amount = sum((w.current for w in lines), ZERO)
    if coupon.kind == CouponKind.FREE_SHIPPING:
        return True, None, True
    if coupon.kind == CouponKind.PERCENT:
        assert isinstance(coupon.value, Decimal)  # checked by _validate
        _discount_spread(lines, _round(amount * coupon.value / HUNDRED), "coupon")
    else:
        assert isinstance(coupon.value, Money)  # checked by _validate
        _discount_spread(lines, min(_round(coupon.value.amount), amount), "coupon")
    return True, None, False


# --- validation ---------------------------------------------------------------------------------------------


def _invalid(message: str, code: str, **extra: object) -> InvalidPricingInput:
    return InvalidPricingInput(message, code=code, extra=dict(extra))


def _aware(moment: datetime, what: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise _invalid(f"{what} must be timezone-aware", "naive_datetime")


def _validate(
    lines: Sequence[Line],
    now: datetime,
    deals: Sequence[Deal],
    promotions: Sequence[Promotion],
    coupon: Coupon | None,
    shipping_method: ShippingMethod | None,
) -> str:
    """Check the limits and return the one currency every amount uses."""
    if not lines:
        raise _invalid("a quote needs at least one line", "empty_cart")
    if len(lines) > MAX_LINES:
        raise _invalid(f"at most {MAX_LINES} lines per quote", "too_many_lines", count=len(lines))
    if len({line.line_id for line in lines}) != len(lines):
        raise _invalid("line ids must be unique", "duplicate_line")
    _aware(now, "now")
    currency = lines[0].unit_price.currency
    amounts: list[Money] = []
    for line in lines:
        if isinstance(line.quantity, bool) or not isinstance(line.quantity, int) or not 1 <= line.quantity <= MAX_QUANTITY:
            raise _invalid(f"quantity must be 1 to {MAX_QUANTITY}", "invalid_quantity", line_id=line.line_id)
        amounts.append(line.unit_price)
    for deal in deals:
        _aware(deal.starts_at, "deal start")
        _aware(deal.ends_at, "deal end")
        if deal.remaining_units is not None and deal.remaining_units < 0:
            raise _invalid("deal remaining units cannot be negative", "invalid_deal", variant_id=deal.variant_id)
        amounts.append(deal.price)
    if len({p.id for p in promotions}) != len(promotions):
        raise _invalid("promotion ids must be unique", "duplicate_promotion")
    for promotion in promotions:
        amounts.extend(_promotion_amounts(promotion))
    if coupon is not None:
        amounts.extend(_coupon_amounts(coupon))
    if shipping_method is not None:
        amounts.append(shipping_method.price)
        if shipping_method.free_over is not None:
            amounts.append(shipping_method.free_over)
    for money in amounts:
        if money.currency != currency:
            raise CurrencyMismatch(
                f"cannot price {money.currency} amounts in a {currency} quote",
                extra={"expected": currency, "got": money.currency},
            )
        if money.amount < 0:
            raise _invalid("prices and amounts cannot be negative", "negative_price")
    return currency


def _percent_valid(value: object) -> bool:
    return isinstance(value, Decimal) and 0 < value <= HUNDRED


def _promotion_amounts(promotion: Promotion) -> list[Money]:
    _aware(promotion.starts_at, "promotion start")
    _aware(promotion.ends_at, "promotion end")
    kind, value = promotion.kind, promotion.value
    if kind == PromotionKind.PERCENT:
        valid = _percent_valid(value)
    elif kind == PromotionKind.BUY_X_GET_Y:
        valid = promotion.buy_quantity >= 1 and promotion.get_quantity >= 1
    else:
        valid = isinstance(value, Money)
    if not valid:
        raise _invalid(
            f"promotion {promotion.id} has an invalid value for kind {kind}", "invalid_promotion", promotion_id=promotion.id
        )
    amounts = [value] if isinstance(value, Money) else []
    return amounts + ([promotion.min_subtotal] if promotion.min_subtotal is not None else [])


def _coupon_amounts(coupon: Coupon) -> list[Money]:
    value = coupon.value
    if coupon.kind == CouponKind.PERCENT:
        valid = _percent_valid(value)
    elif coupon.kind == CouponKind.FIXED:
        valid = isinstance(value, Money)
    else:
        valid = True
    if not valid:
        raise _invalid(f"coupon has an invalid value for kind {coupon.kind}", "invalid_coupon")
    amounts = [value] if isinstance(value, Money) else []
    return amounts + ([coupon.min_subtotal] if coupon.min_subtotal is not None else [])
