"""Turn cart lines read from the database into the pure pricing function's inputs, and price them.

Everything the price depends on is read here, at one instant `now`: the variants' current prices, the
deals live at `now` (with the units left under their cap and under the customer's own limit), the
promotions running at `now`, and the coupon the shopper typed. Nothing here writes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from allbuy.accounts.models import User
from allbuy.cart.shipping import DEFAULT_METHOD, method_get
from allbuy.catalog.models import Variant
from allbuy.catalog.selectors import catalog_revision
from allbuy.core.money import Money
from allbuy.coupons.eligibility import MESSAGES, CartLine, CartSummary, CouponView, Reason, coupon_check
from allbuy.coupons.selectors import coupon_customer_uses, coupon_view_for_code
from allbuy.deals.models import Deal as DealRow
from allbuy.deals.models import Promotion as PromotionRow
from allbuy.deals.selectors import deal_active_for_variants, deal_customer_units_used, deals_cache_key_memoised, promotions_active
from allbuy.pricing import quote_build
from allbuy.pricing.types import Coupon, CouponKind, Deal, Line, Promotion, PromotionKind, Quote, Scope

# A quote for an address not chosen yet is shown with this country's VAT (the shop's home market).
DEFAULT_COUNTRY = "DE"


@dataclass(frozen=True, slots=True)
class LineInput:
    line_id: int
    variant: Variant  # with product, brand and category loaded
    quantity: int


@dataclass(frozen=True, slots=True)
class CouponState:
    code: str
    applied: bool
    reason: Reason | None = None
    coupon_id: int | None = None
    per_customer_cap: int | None = None

    @property
    def message(self) -> str:
        return MESSAGES[self.reason] if self.reason else ""


@dataclass(frozen=True, slots=True)
class PricedCart:
    quote: Quote
    deals: dict[int, DealRow]  # variant id → live deal row
    coupon: CouponState | None
    shipping_code: str
    country: str
    deal_units: dict[int, int] = field(default_factory=dict)  # deal id → units priced at the deal price

    @property
    def currency(self) -> str:
        return self.quote.currency

    @property
    def deals_by_id(self) -> dict[int, DealRow]:
        return {row.pk: row for row in self.deals.values()}


def _category_ids(variant: Variant) -> frozenset[int]:
    category = variant.product.category
    return frozenset(pk for pk in (category.pk, category.parent_id) if pk is not None)


def pricing_line(line: LineInput) -> Line:
    product = line.variant.product
    return Line(
        line_id=line.line_id,
        variant_id=line.variant.pk,
        product_id=product.pk,
        brand_id=product.brand_id,
        category_ids=_category_ids(line.variant),
        unit_price=Money(line.variant.price, line.variant.currency),
        quantity=line.quantity,
    )


def _ids(rows: object) -> frozenset[int]:
    return frozenset(int(row.pk) for row in rows.all())  # type: ignore[attr-defined]


def promotion_scope(row: PromotionRow) -> Scope:
    return Scope(
        brand_ids=_ids(row.include_brands),
        category_ids=_ids(row.include_categories),
        product_ids=_ids(row.include_products),
        exclude_brand_ids=_ids(row.exclude_brands),
        exclude_category_ids=_ids(row.exclude_categories),
        exclude_product_ids=_ids(row.exclude_products),
    )


def pricing_promotion(row: PromotionRow) -> Promotion:
    kind = PromotionKind(row.kind)
    value: Decimal | Money | None = None
    min_subtotal = Money(row.min_subtotal, row.currency) if row.min_subtotal else None
    if kind == PromotionKind.PERCENT:
        value = row.value
    elif kind == PromotionKind.FIXED and row.value is not None:
        value = Money(row.value, row.currency)
    elif kind == PromotionKind.FREE_SHIPPING_OVER:
        # The model keeps the threshold in `min_subtotal`; the pricing function reads it as the value.
        value, min_subtotal = min_subtotal, None
    return Promotion(
        id=row.pk,
        kind=kind,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        value=value,
        scope=promotion_scope(row),
        priority=row.priority,
        exclusive=row.exclusive,
        stackable=row.stackable,
        applies_to_deals=row.applies_to_deals,
        min_subtotal=min_subtotal,
        buy_quantity=row.buy_quantity or 0,
        get_quantity=row.get_quantity or 0,
    )


_promotions_memo: dict[tuple[int, str], tuple[Promotion, ...]] = {}


def promotions_for_pricing(now: datetime) -> tuple[Promotion, ...]:
    """Return the promotions live at `now` as pricing inputs, remembered per (catalog revision, live set).

    The live set's key moves at every start and end and every edit moves the revision, so the memo is exact;
    it saves seven queries on every cart page and checkout.
    """
    revision = catalog_revision()
    key = (revision, deals_cache_key_memoised(now=now, revision=revision))
    found = _promotions_memo.get(key)
    if found is None:
        found = tuple(pricing_promotion(row) for row in promotions_active(now=now))
        _promotions_memo.clear()
        _promotions_memo[key] = found
    return tuple(p for p in found if p.is_active(now))


def promotions_memo_forget() -> None:
    """Drop the remembered promotions (tests start each with a fresh database, whose revision restarts)."""
    _promotions_memo.clear()


def pricing_coupon(view: CouponView) -> Coupon:
    kind = CouponKind(view.kind.value)
    value: Decimal | Money | None = None
    if kind == CouponKind.PERCENT:
        value = view.value
    elif kind == CouponKind.FIXED:
        value = Money(view.value, view.currency)
    return Coupon(
        code=view.code,
        kind=kind,
        value=value,
        min_subtotal=Money(view.min_subtotal, view.currency) if view.min_subtotal > 0 else None,
        scope=Scope(
            brand_ids=view.include_brand_ids,
            category_ids=view.include_category_ids,
            product_ids=view.include_product_ids,
            exclude_brand_ids=view.exclude_brand_ids,
            exclude_category_ids=view.exclude_category_ids,
            exclude_product_ids=view.exclude_product_ids,
        ),
        stacks_with_deals=view.stacks_with_deals,
        stacks_with_promotions=view.stacks_with_promotions,
    )


def _deals_for_pricing(rows: dict[int, DealRow], user: User | None) -> list[Deal]:
    limited = [row.pk for row in rows.values() if row.per_customer_limit is not None]
    used = deal_customer_units_used(deal_ids=limited, user=user) if limited else {}
    deals = []
    for row in rows.values():
        remaining = row.units_left
        if row.per_customer_limit is not None:
            own = max(0, row.per_customer_limit - used.get(row.pk, 0))
            remaining = own if remaining is None else min(remaining, own)
        if remaining == 0:
            continue
        currency = row.currency or row.variant.currency
        deals.append(
            Deal(
                variant_id=row.variant_id,
                price=Money(row.deal_price, currency),
                starts_at=row.starts_at,
                ends_at=row.ends_at,
                remaining_units=remaining,
            )
        )
    return deals


def _coupon_state(
    *, code: str, user: User | None, first: Quote, lines: Sequence[LineInput], now: datetime
) -> tuple[CouponState, CouponView | None]:
    view = coupon_view_for_code(code=code)
    uses = coupon_customer_uses(coupon_id=view.id, user=user) if view is not None and view.per_customer_cap is not None else 0
    promoted = {line_id for applied in first.applied_promotions for line_id in applied.line_ids}
    by_id = {q.line_id: q for q in first.lines}
    summary = CartSummary(
        subtotal=first.subtotal,
        lines=tuple(
            CartLine(
                line_id=line.line_id,
                product_id=line.variant.product_id,
                brand_id=line.variant.product.brand_id,
                category_ids=_category_ids(line.variant),
                has_deal=by_id[line.line_id].deal_discount.amount > 0,
                has_promotion=line.line_id in promoted,
            )
            for line in lines
        ),
    )
    verdict = coupon_check(view, summary, now=now, customer_uses=uses)
    if not verdict.ok:
        return CouponState(code=code, applied=False, reason=verdict.reason, coupon_id=view.id if view else None), None  # type: ignore[union-attr]
    assert view is not None
    return CouponState(code=view.code, applied=True, coupon_id=view.id, per_customer_cap=view.per_customer_cap), view


def cart_price(
    *,
    lines: Sequence[LineInput],
    now: datetime,
    user: User | None = None,
    coupon_code: str = "",
    country: str = DEFAULT_COUNTRY,
    shipping_code: str = DEFAULT_METHOD,
) -> PricedCart:
    """Price `lines` at `now` for `user` (their own deal limits) shipped to `country`, with the coupon if it applies."""
    method = method_get(shipping_code)
    deal_rows = deal_active_for_variants(variant_ids=[line.variant.pk for line in lines], now=now)
    deals = _deals_for_pricing(deal_rows, user)
    promotions = promotions_for_pricing(now)
    pricing_lines = [pricing_line(line) for line in lines]
    currency = pricing_lines[0].unit_price.currency if pricing_lines else "EUR"
    shipping = method.pricing(currency)
    arguments = {"lines": pricing_lines, "now": now, "country": country, "deals": deals, "promotions": promotions}
    quote = quote_build(**arguments, shipping_method=shipping)  # type: ignore[arg-type]
    state: CouponState | None = None
    if coupon_code:
        state, view = _coupon_state(code=coupon_code, user=user, first=quote, lines=lines, now=now)
        if view is not None:
            with_coupon = quote_build(**arguments, shipping_method=shipping, coupon=pricing_coupon(view))  # type: ignore[arg-type]
            if with_coupon.coupon_refusal is not None:
                reason = Reason(with_coupon.coupon_refusal.value)
                state = CouponState(code=view.code, applied=False, reason=reason, coupon_id=view.id)
            else:
                quote = with_coupon
    by_variant = {row.variant_id: row for row in deal_rows.values()}
    deal_units = {by_variant[applied.variant_id].pk: applied.units for applied in quote.applied_deals if applied.units}
    return PricedCart(
        quote=quote, deals=deal_rows, coupon=state, shipping_code=method.code, country=country, deal_units=deal_units
    )
