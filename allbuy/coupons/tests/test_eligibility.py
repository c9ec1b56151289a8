"""Every refusal reason, the window's edges, and properties over arbitrary carts."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from allbuy.core.money import Money
from allbuy.coupons.eligibility import (
    MESSAGES,
    CartLine,
    CartSummary,
    CouponView,
    Eligible,
    Kind,
    Reason,
    Refused,
    coupon_check,
)

START = datetime(2026, 3, 1, 0, 0, tzinfo=UTC)
END = datetime(2026, 4, 1, 0, 0, tzinfo=UTC)
NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)
PHONE = CartLine(line_id=1, product_id=10, brand_id=100, category_ids=frozenset({1000, 1001}))
CASE = CartLine(line_id=2, product_id=20, brand_id=200, category_ids=frozenset({2000}))


def coupon(**changes) -> CouponView:
    base = CouponView(
        id=1,
        code="SAVE10",
        kind=Kind.PERCENT,
        value=Decimal("10"),
        currency="EUR",
        min_subtotal=Decimal("0"),
        valid_from=START,
        valid_until=END,
        total_cap=None,
        uses=0,
        per_customer_cap=None,
    )
    return replace(base, **changes)


def cart(*lines: CartLine, subtotal: str = "100.00", currency: str = "EUR") -> CartSummary:
    return CartSummary(subtotal=Money(Decimal(subtotal), currency), lines=lines or (PHONE, CASE))


def reason(result: Eligible | Refused) -> Reason | None:
    return result.reason if isinstance(result, Refused) else None


def test_an_ordinary_coupon_applies_to_every_line():
    assert coupon_check(coupon(), cart(), now=NOW) == Eligible((1, 2))


def test_unknown_code():
    assert reason(coupon_check(None, cart(), now=NOW)) == Reason.UNKNOWN


def test_inactive():
    assert reason(coupon_check(coupon(is_active=False), cart(), now=NOW)) == Reason.INACTIVE


def test_window_is_half_open():
    assert reason(coupon_check(coupon(), cart(), now=START - timedelta(microseconds=1))) == Reason.NOT_YET_VALID
    assert coupon_check(coupon(), cart(), now=START).ok
    assert coupon_check(coupon(), cart(), now=END - timedelta(microseconds=1)).ok
    assert reason(coupon_check(coupon(), cart(), now=END)) == Reason.EXPIRED


def test_no_end_never_expires():
    assert coupon_check(coupon(valid_until=None), cart(), now=END + timedelta(days=3650)).ok


def test_cap_reached_at_the_cap_not_before():
    assert coupon_check(coupon(total_cap=10, uses=9), cart(), now=NOW).ok
    assert reason(coupon_check(coupon(total_cap=10, uses=10), cart(), now=NOW)) == Reason.CAP_REACHED


def test_already_used_by_you():
    capped = coupon(per_customer_cap=2)
    assert coupon_check(capped, cart(), now=NOW, customer_uses=1).ok
    assert reason(coupon_check(capped, cart(), now=NOW, customer_uses=2)) == Reason.ALREADY_USED_BY_YOU


def test_minimum_is_inclusive():
    floor = coupon(min_subtotal=Decimal("100.00"))
    assert coupon_check(floor, cart(subtotal="100.00"), now=NOW).ok
    assert reason(coupon_check(floor, cart(subtotal="99.99"), now=NOW)) == Reason.MINIMUM_NOT_MET


def test_amounts_in_another_currency_are_refused():
    fixed = coupon(kind=Kind.FIXED, value=Decimal("5"))
    assert reason(coupon_check(fixed, cart(currency="USD"), now=NOW)) == Reason.CURRENCY_MISMATCH
    # A percentage without a minimum works in any currency.
    assert coupon_check(coupon(currency=""), cart(currency="USD"), now=NOW).ok


def test_include_scope_by_brand_category_or_product():
    assert coupon_check(coupon(include_brand_ids=frozenset({100})), cart(), now=NOW) == Eligible((1,))
    assert coupon_check(coupon(include_category_ids=frozenset({1000})), cart(), now=NOW) == Eligible((1,))
    assert coupon_check(coupon(include_product_ids=frozenset({20})), cart(), now=NOW) == Eligible((2,))


def test_exclude_wins_over_include():
    scoped = coupon(include_brand_ids=frozenset({100, 200}), exclude_product_ids=frozenset({10}))
    assert coupon_check(scoped, cart(), now=NOW) == Eligible((2,))


def test_no_eligible_items():
    scoped = coupon(include_category_ids=frozenset({9999}))
    assert reason(coupon_check(scoped, cart(), now=NOW)) == Reason.NO_ELIGIBLE_ITEMS
    excluded = coupon(exclude_brand_ids=frozenset({100, 200}))
    assert reason(coupon_check(excluded, cart(), now=NOW)) == Reason.NO_ELIGIBLE_ITEMS


def test_cannot_combine_with_deals_or_promotions():
    on_deal = replace(PHONE, has_deal=True)
    on_promotion = replace(CASE, has_promotion=True)
    assert reason(coupon_check(coupon(), cart(on_deal), now=NOW)) == Reason.CANNOT_COMBINE
    assert reason(coupon_check(coupon(), cart(on_promotion), now=NOW)) == Reason.CANNOT_COMBINE
    assert coupon_check(coupon(), cart(on_deal, CASE), now=NOW) == Eligible((2,))
    assert coupon_check(coupon(stacks_with_deals=True), cart(on_deal), now=NOW).ok
    assert coupon_check(coupon(stacks_with_promotions=True), cart(on_promotion), now=NOW).ok


def test_every_reason_has_a_message():
    assert set(MESSAGES) == set(Reason)
    assert Refused(Reason.EXPIRED).message == "This code has expired."


lines = st.builds(
    CartLine,
    line_id=st.integers(0, 50),
    product_id=st.integers(1, 6),
    brand_id=st.integers(1, 4),
    category_ids=st.frozensets(st.integers(1, 4), min_size=1, max_size=2),
    has_deal=st.booleans(),
    has_promotion=st.booleans(),
)
ids = st.frozensets(st.integers(1, 6), max_size=3)
coupons = st.builds(
    coupon,
    include_brand_ids=ids,
    include_product_ids=ids,
    exclude_category_ids=ids,
    stacks_with_deals=st.booleans(),
    stacks_with_promotions=st.booleans(),
    total_cap=st.none() | st.integers(0, 5),
    uses=st.integers(0, 5),
)
moments = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2026, 6, 1), timezones=st.just(UTC))


@given(coupons, st.lists(lines, min_size=1, max_size=6), moments)
def test_eligible_lines_are_in_the_cart_in_scope_and_combinable(view, cart_lines, now):
    result = coupon_check(view, cart(*cart_lines), now=now)
    if isinstance(result, Eligible):
        assert result.eligible_line_ids
        chosen = [line for line in cart_lines if line.line_id in result.eligible_line_ids]
        assert chosen
        assert START <= now < END
        assert view.total_cap is None or view.uses < view.total_cap
    else:
        assert result.reason in set(Reason)
        assert result.message


@given(coupons, st.lists(lines, min_size=1, max_size=6), moments)
def test_the_same_inputs_give_the_same_answer(view, cart_lines, now):
    assert coupon_check(view, cart(*cart_lines), now=now) == coupon_check(view, cart(*cart_lines), now=now)
