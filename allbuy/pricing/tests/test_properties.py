"""Property tests: whatever the cart and offers, the quote keeps its invariants."""

from datetime import timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from allbuy.core.money import Money
from allbuy.pricing import quote_build
from allbuy.pricing.tax import VAT_RATES
from allbuy.pricing.types import Coupon, CouponKind, Deal, Line, Promotion, PromotionKind, Scope, ShippingMethod

from .builders import NOW

ZERO = Decimal("0.00")
ids = st.frozensets(st.integers(1, 3), max_size=2)
# Prices with up to three decimals exercise rounding; mostly small so discounts collide with amounts.
prices = st.integers(0, 20_000).map(lambda thousandths: Money(Decimal(thousandths).scaleb(-3), "EUR"))
cents = st.integers(0, 3_000).map(lambda c: Money(Decimal(c).scaleb(-2), "EUR"))
percents = st.integers(1, 100).map(Decimal)
offsets = st.sampled_from([timedelta(0), timedelta(hours=-1), timedelta(hours=1), timedelta(microseconds=1)])


@st.composite
def carts(draw):
    count = draw(st.integers(1, 6))
    return [
        Line(
            line_id=index,
            variant_id=draw(st.integers(1, 4)),
            product_id=draw(st.integers(1, 4)),
            brand_id=draw(st.integers(1, 3)),
            category_ids=draw(ids),
            unit_price=draw(prices),
            quantity=draw(st.integers(1, 5)),
        )
        for index in range(1, count + 1)
    ]


# A handful of fixed scopes keeps generation cheap while covering include, exclude and "everything".
scopes = st.sampled_from(
    [
        Scope(),
        Scope(brand_ids=frozenset({1})),
        Scope(category_ids=frozenset({2, 3})),
        Scope(product_ids=frozenset({1, 2}), exclude_brand_ids=frozenset({2})),
        Scope(exclude_category_ids=frozenset({1})),
        Scope(brand_ids=frozenset({2, 3}), exclude_product_ids=frozenset({3})),
    ]
)


@st.composite
def deals(draw):
    start = NOW + draw(offsets)
    return Deal(
        variant_id=draw(st.integers(1, 4)),
        price=draw(prices),
        starts_at=start,
        ends_at=start + draw(st.sampled_from([timedelta(hours=2), timedelta(microseconds=1)])),
        remaining_units=draw(st.none() | st.integers(0, 6)),
    )


@st.composite
def promotions(draw, promotion_id):
    kind = draw(st.sampled_from(list(PromotionKind)))
    value = {PromotionKind.PERCENT: draw(percents), PromotionKind.BUY_X_GET_Y: None}.get(kind, draw(cents))
    start = NOW - draw(offsets)
    return Promotion(
        id=promotion_id,
        kind=kind,
        value=value,
        scope=draw(scopes),
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        priority=draw(st.integers(0, 3)),
        exclusive=draw(st.booleans()),
        stackable=draw(st.booleans()),
        applies_to_deals=draw(st.booleans()),
        min_subtotal=draw(st.none() | cents),
        buy_quantity=draw(st.integers(1, 3)),
        get_quantity=draw(st.integers(1, 2)),
    )


@st.composite
def coupons(draw):
    kind = draw(st.sampled_from(list(CouponKind)))
    value = {CouponKind.PERCENT: draw(percents), CouponKind.FIXED: draw(cents)}.get(kind)
    return Coupon(
        code="CODE",
        kind=kind,
        value=value,
        min_subtotal=draw(st.none() | cents),
        scope=draw(scopes),
        stacks_with_deals=draw(st.booleans()),
        stacks_with_promotions=draw(st.booleans()),
    )


@st.composite
def quote_inputs(draw):
    promotion_count = draw(st.integers(0, 4))
    return {
        "lines": draw(carts()),
        "now": NOW,
        "country": draw(st.sampled_from(sorted(VAT_RATES))),
        "deals": draw(st.lists(deals(), max_size=3)),
        "promotions": [draw(promotions(promotion_id)) for promotion_id in range(1, promotion_count + 1)],
        "coupon": draw(st.none() | coupons()),
        "shipping_method": draw(
            st.none() | st.builds(ShippingMethod, code=st.just("std"), price=cents, free_over=st.none() | cents)
        ),
    }


def assert_totals_are_never_negative(quote, inputs):
    assert quote.total.amount >= 0
    assert quote.subtotal.amount >= 0
    assert quote.tax.amount >= 0
    assert all(ql.total.amount >= 0 and ql.tax.amount >= 0 for ql in quote.lines)


def assert_no_discount_exceeds_what_it_applies_to(quote, inputs):
    for ql in quote.lines:
        assert ZERO <= ql.deal_discount.amount <= ql.base.amount
        assert ZERO <= ql.promotion_discount.amount <= ql.base.amount - ql.deal_discount.amount
        assert ZERO <= ql.coupon_discount.amount <= ql.base.amount - ql.deal_discount.amount - ql.promotion_discount.amount
    method = inputs["shipping_method"]
    assert ZERO <= quote.discounts.shipping.amount <= (method.price.amount if method else ZERO)
    assert all(p.discount.amount >= 0 for p in quote.applied_promotions)


def assert_line_amounts_sum_exactly(quote, inputs):
    discounts = quote.discounts
    assert sum(ql.total.amount for ql in quote.lines) == quote.subtotal.amount
    assert quote.base_subtotal.amount - discounts.deal.amount - discounts.promotion.amount - discounts.coupon.amount == (
        quote.subtotal.amount
    )
    assert quote.total.amount == quote.subtotal.amount + quote.shipping.amount
    assert all(ql.total.amount == ql.total.amount.quantize(Decimal("0.01")) for ql in quote.lines)
    assert {ql.total.currency for ql in quote.lines} == {quote.currency}


def assert_tax_sums_and_is_contained_in_the_total(quote, inputs):
    assert quote.tax.amount == sum(ql.tax.amount for ql in quote.lines) + quote.shipping_tax.amount
    assert quote.tax.amount <= quote.total.amount
    if VAT_RATES[inputs["country"]] == 0:
        assert quote.tax.amount == 0


@settings(max_examples=200, deadline=None)
@given(quote_inputs())
def test_quote_invariants(inputs):
    # One generated cart checks every invariant: generation, not pricing, dominates the run time.
    quote = quote_build(**inputs)
    assert_totals_are_never_negative(quote, inputs)
    assert_no_discount_exceeds_what_it_applies_to(quote, inputs)
    assert_line_amounts_sum_exactly(quote, inputs)
    assert_tax_sums_and_is_contained_in_the_total(quote, inputs)


@settings(max_examples=200, deadline=None)
@given(quote_inputs(), st.randoms(use_true_random=False))
def test_same_inputs_give_the_same_quote_whatever_the_line_order(inputs, random):
    shuffled = list(inputs["lines"])
    random.shuffle(shuffled)
    original = quote_build(**inputs)
    assert quote_build(**inputs) == original
    reordered = quote_build(**{**inputs, "lines": shuffled})
    assert reordered.total == original.total
    assert reordered.tax == original.tax
    assert reordered.discounts == original.discounts
    assert sorted(reordered.lines, key=lambda ql: ql.line_id) == sorted(original.lines, key=lambda ql: ql.line_id)
    assert [ql.line_id for ql in reordered.lines] == [line.line_id for line in shuffled]
