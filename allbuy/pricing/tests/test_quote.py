from dataclasses import replace
from decimal import Decimal

import pytest

from allbuy.core.money import Money
from allbuy.pricing import quote_build
from allbuy.pricing.exceptions import CurrencyMismatch, InvalidPricingInput, UnknownCountry
from allbuy.pricing.quote import allocate
from allbuy.pricing.types import Coupon, CouponKind, CouponRefusal, PromotionKind, Scope, ShippingMethod

from .builders import HOUR, NOW, deal, eur, line, promotion

STANDARD = ShippingMethod(code="standard", price=eur("4.90"), free_over=eur("50.00"))


def amounts(quote, attribute):
    return [getattr(ql, attribute).amount for ql in quote.lines]


# --- base and rounding --------------------------------------------------------------------------------------


def test_base_is_rounded_once_per_line_half_up():
    quote = quote_build(lines=[line(price="0.335", quantity=3)], now=NOW, country="DE")
    assert quote.lines[0].base == eur("1.01")  # 1.005 → 1.01, not 3 × 0.34
    assert quote.total == eur("1.01")


def test_percent_discount_rounds_half_up_once_then_allocates():
    # given three €0.35 lines and 50 % off: 1.05 × 50 % = 0.525 → 0.53
    lines = [line(1, "0.35"), line(2, "0.35"), line(3, "0.35")]
    quote = quote_build(lines=lines, now=NOW, country="US", promotions=[promotion(1, PromotionKind.PERCENT, Decimal(50))])
    assert quote.discounts.promotion == eur("0.53")
    assert amounts(quote, "promotion_discount") == [Decimal("0.18"), Decimal("0.18"), Decimal("0.17")]
    assert quote.subtotal == eur("0.52")


def test_allocate_largest_remainder_sums_exactly():
    shares = allocate(Decimal("1.00"), [Decimal("1.00"), Decimal("1.00"), Decimal("1.00")])
    assert shares == [Decimal("0.34"), Decimal("0.33"), Decimal("0.33")]
    assert allocate(Decimal("0.05"), [Decimal("0.01"), Decimal("0.04")]) == [Decimal("0.01"), Decimal("0.04")]


# --- deals --------------------------------------------------------------------------------------------------


def test_deal_applies_from_starts_at_inclusive():
    window = replace(deal(1, "7.00"), starts_at=NOW, ends_at=NOW + HOUR)
    quote = quote_build(lines=[line(1, "10.00", 2)], now=NOW, country="US", deals=[window])
    assert quote.lines[0].deal_discount == eur("6.00")
    assert quote.applied_deals[0].units == 2


def test_deal_stops_at_ends_at_exclusive():
    window = replace(deal(1, "7.00"), starts_at=NOW - HOUR, ends_at=NOW)
    quote = quote_build(lines=[line(1, "10.00", 2)], now=NOW, country="US", deals=[window])
    assert quote.discounts.deal == eur("0.00")
    assert quote.applied_deals == ()


def test_deal_cap_limits_units_at_the_deal_price_across_lines():
    lines = [line(1, "10.00", 2, variant_id=5), line(2, "10.00", 2, variant_id=5)]
    quote = quote_build(lines=lines, now=NOW, country="US", deals=[deal(5, "6.00", remaining_units=3)])
    assert amounts(quote, "deal_discount") == [Decimal("8.00"), Decimal("4.00")]
    assert quote.applied_deals[0].units == 3
    assert any("cap reached" in note for note in quote.notes)


def test_deal_at_or_above_regular_price_is_ignored():
    quote = quote_build(lines=[line(1, "10.00")], now=NOW, country="US", deals=[deal(1, "10.00")])
    assert quote.discounts.deal == eur("0.00")


# --- promotions ---------------------------------------------------------------------------------------------


def test_promotion_window_edges():
    starts_now = replace(promotion(1, PromotionKind.PERCENT, Decimal(10)), starts_at=NOW, ends_at=NOW + HOUR)
    ended_now = replace(promotion(2, PromotionKind.PERCENT, Decimal(50)), starts_at=NOW - HOUR, ends_at=NOW)
    quote = quote_build(lines=[line(1, "10.00")], now=NOW, country="US", promotions=[starts_now, ended_now])
    assert quote.discounts.promotion == eur("1.00")


def test_highest_priority_wins_per_line():
    low = promotion(1, PromotionKind.PERCENT, Decimal(50), priority=1)
    high = promotion(2, PromotionKind.PERCENT, Decimal(10), priority=5)
    quote = quote_build(lines=[line(1, "10.00")], now=NOW, country="US", promotions=[low, high])
    assert quote.discounts.promotion == eur("1.00")
    assert [p.promotion_id for p in quote.applied_promotions] == [2]


def test_stackable_promotions_apply_one_after_the_other():
    first = promotion(1, PromotionKind.PERCENT, Decimal(10), priority=5, stackable=True)
    second = promotion(2, PromotionKind.FIXED, eur("1.00"), priority=1, stackable=True)
    quote = quote_build(lines=[line(1, "10.00")], now=NOW, country="US", promotions=[first, second])
    assert quote.discounts.promotion == eur("2.00")  # 10 % of 10.00, then 1.00 off 9.00


def test_stacking_needs_both_promotions_stackable():
    first = promotion(1, PromotionKind.PERCENT, Decimal(10), priority=5, stackable=True)
    second = promotion(2, PromotionKind.FIXED, eur("1.00"), priority=1)
    quote = quote_build(lines=[line(1, "10.00")], now=NOW, country="US", promotions=[first, second])
    assert quote.discounts.promotion == eur("1.00")


def test_exclusive_promotion_blocks_all_others_in_the_cart():
    # given an exclusive promotion on brand 1 and a higher-priority one on brand 2
    exclusive = promotion(1, PromotionKind.PERCENT, Decimal(10), scope=Scope(brand_ids=frozenset({1})), exclusive=True)
    other = promotion(2, PromotionKind.PERCENT, Decimal(50), scope=Scope(brand_ids=frozenset({2})), priority=9)
    free_shipping = promotion(3, PromotionKind.FREE_SHIPPING_OVER, eur("0.00"))
    lines = [line(1, "10.00", brand_id=1), line(2, "10.00", brand_id=2)]
    quote = quote_build(
        lines=lines, now=NOW, country="US", promotions=[exclusive, other, free_shipping], shipping_method=STANDARD
    )
    assert amounts(quote, "promotion_discount") == [Decimal("1.00"), Decimal("0.00")]
    assert quote.shipping == eur("4.90")


def test_exclusive_promotion_without_eligible_lines_blocks_nothing():
    exclusive = promotion(1, PromotionKind.PERCENT, Decimal(10), scope=Scope(brand_ids=frozenset({9})), exclusive=True)
    other = promotion(2, PromotionKind.PERCENT, Decimal(50))
    quote = quote_build(lines=[line(1, "10.00")], now=NOW, country="US", promotions=[exclusive, other])
    assert quote.discounts.promotion == eur("5.00")


def test_line_with_deal_is_skipped_unless_promotion_applies_to_deals():
    lines = [line(1, "10.00"), line(2, "10.00")]
    plain = promotion(1, PromotionKind.PERCENT, Decimal(10))
    quote = quote_build(lines=lines, now=NOW, country="US", deals=[deal(1, "8.00")], promotions=[plain])
    assert amounts(quote, "promotion_discount") == [Decimal("0.00"), Decimal("1.00")]
    with_deals = replace(plain, applies_to_deals=True)
    quote = quote_build(lines=lines, now=NOW, country="US", deals=[deal(1, "8.00")], promotions=[with_deals])
    assert amounts(quote, "promotion_discount") == [Decimal("0.80"), Decimal("1.00")]


def test_promotion_scope_include_and_exclude():
    scope = Scope(category_ids=frozenset({7}), exclude_product_ids=frozenset({2}))
    lines = [line(1, "10.00", category_ids=frozenset({7})), line(2, "10.00", category_ids=frozenset({7})), line(3, "10.00")]
    quote = quote_build(
        lines=lines, now=NOW, country="US", promotions=[promotion(1, PromotionKind.FIXED, eur("3.00"), scope=scope)]
    )
    assert amounts(quote, "promotion_discount") == [Decimal("3.00"), Decimal("0.00"), Decimal("0.00")]


def test_promotion_min_subtotal():
    offer = promotion(1, PromotionKind.PERCENT, Decimal(10), min_subtotal=eur("20.00"))
    assert quote_build(lines=[line(1, "19.99")], now=NOW, country="US", promotions=[offer]).discounts.promotion == eur("0.00")
    assert quote_build(lines=[line(1, "20.00")], now=NOW, country="US", promotions=[offer]).discounts.promotion == eur("2.00")


def test_buy_two_get_one_makes_the_cheapest_unit_free():
    offer = promotion(1, PromotionKind.BUY_X_GET_Y, buy_quantity=2, get_quantity=1)
    lines = [line(1, "30.00", 2), line(2, "12.00", 1), line(3, "20.00", 2)]
    quote = quote_build(lines=lines, now=NOW, country="US", promotions=[offer])
    # 5 units → one group of 3 → the cheapest unit (12.00) is free
    assert amounts(quote, "promotion_discount") == [Decimal("0.00"), Decimal("12.00"), Decimal("0.00")]


def test_buy_two_get_one_twice():
    offer = promotion(1, PromotionKind.BUY_X_GET_Y, buy_quantity=2, get_quantity=1)
    quote = quote_build(lines=[line(1, "5.00", 6)], now=NOW, country="US", promotions=[offer])
    assert quote.discounts.promotion == eur("10.00")


def test_free_shipping_over_promotion():
    offer = promotion(1, PromotionKind.FREE_SHIPPING_OVER, eur("20.00"))
    method = ShippingMethod(code="standard", price=eur("4.90"))
    below = quote_build(lines=[line(1, "19.99")], now=NOW, country="US", promotions=[offer], shipping_method=method)
    assert below.shipping == eur("4.90")
    at = quote_build(lines=[line(1, "20.00")], now=NOW, country="US", promotions=[offer], shipping_method=method)
    assert at.shipping == eur("0.00")
    assert at.discounts.shipping == eur("4.90")
    assert at.total == eur("20.00")


def test_shipping_method_free_over_uses_subtotal_after_discounts():
    coupon = Coupon(code="TEN", kind=CouponKind.FIXED, value=eur("10.00"))
    quote = quote_build(lines=[line(1, "55.00")], now=NOW, country="US", coupon=coupon, shipping_method=STANDARD)
    assert quote.subtotal == eur("45.00")
    assert quote.shipping == eur("4.90")
    assert quote.total == eur("49.90")


# --- coupons ------------------------------------------------------------------------------------------------


def test_percent_coupon_with_scope():
    coupon = Coupon(code="AUDIO", kind=CouponKind.PERCENT, value=Decimal(20), scope=Scope(brand_ids=frozenset({2})))
    lines = [line(1, "10.00", brand_id=1), line(2, "10.00", brand_id=2)]
    quote = quote_build(lines=lines, now=NOW, country="US", coupon=coupon)
    assert amounts(quote, "coupon_discount") == [Decimal("0.00"), Decimal("2.00")]
    assert quote.coupon_applied


def test_fixed_coupon_excludes_and_is_capped_by_eligible_amount():
    coupon = Coupon(code="BIG", kind=CouponKind.FIXED, value=eur("50.00"), scope=Scope(exclude_brand_ids=frozenset({1})))
    lines = [line(1, "10.00", brand_id=1), line(2, "10.00", brand_id=2)]
    quote = quote_build(lines=lines, now=NOW, country="US", coupon=coupon)
    assert amounts(quote, "coupon_discount") == [Decimal("0.00"), Decimal("10.00")]
    assert quote.total == eur("10.00")


def test_coupon_without_eligible_items_is_refused():
    coupon = Coupon(code="X", kind=CouponKind.PERCENT, value=Decimal(10), scope=Scope(product_ids=frozenset({99})))
    quote = quote_build(lines=[line(1, "10.00")], now=NOW, country="US", coupon=coupon)
    assert not quote.coupon_applied
    assert quote.coupon_refusal == CouponRefusal.NO_ELIGIBLE_ITEMS


def test_coupon_minimum_not_met():
    coupon = Coupon(code="X", kind=CouponKind.FIXED, value=eur("5.00"), min_subtotal=eur("30.00"))
    quote = quote_build(lines=[line(1, "29.99")], now=NOW, country="US", coupon=coupon)
    assert quote.coupon_refusal == CouponRefusal.MINIMUM_NOT_MET
    assert quote.discounts.coupon == eur("0.00")


def test_non_stacking_coupon_ignores_discounted_lines():
    coupon = Coupon(code="X", kind=CouponKind.PERCENT, value=Decimal(10))
    lines = [line(1, "10.00"), line(2, "10.00"), line(3, "10.00", brand_id=3)]
    offer = promotion(1, PromotionKind.PERCENT, Decimal(10), scope=Scope(brand_ids=frozenset({3})))
    quote = quote_build(lines=lines, now=NOW, country="US", deals=[deal(1, "8.00")], promotions=[offer], coupon=coupon)
    assert amounts(quote, "coupon_discount") == [Decimal("0.00"), Decimal("1.00"), Decimal("0.00")]


def test_stacking_coupon_applies_to_discounted_lines():
    coupon = Coupon(code="X", kind=CouponKind.PERCENT, value=Decimal(10), stacks_with_deals=True, stacks_with_promotions=True)
    lines = [line(1, "10.00"), line(2, "10.00", brand_id=3)]
    offer = promotion(1, PromotionKind.PERCENT, Decimal(10), scope=Scope(brand_ids=frozenset({3})))
    quote = quote_build(lines=lines, now=NOW, country="US", deals=[deal(1, "8.00")], promotions=[offer], coupon=coupon)
    assert amounts(quote, "coupon_discount") == [Decimal("0.80"), Decimal("0.90")]


def test_non_stacking_coupon_on_only_discounted_lines_cannot_combine():
    coupon = Coupon(code="X", kind=CouponKind.PERCENT, value=Decimal(10), stacks_with_promotions=True)
    quote = quote_build(lines=[line(1, "10.00")], now=NOW, country="US", deals=[deal(1, "8.00")], coupon=coupon)
    assert quote.coupon_refusal == CouponRefusal.CANNOT_COMBINE


def test_free_shipping_coupon():
    coupon = Coupon(code="SHIP", kind=CouponKind.FREE_SHIPPING)
    quote = quote_build(lines=[line(1, "10.00")], now=NOW, country="US", coupon=coupon, shipping_method=STANDARD)
    assert quote.coupon_applied
    assert quote.shipping == eur("0.00")
    assert quote.total == eur("10.00")


# --- tax ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("country", "tax"),
    [("DE", "19.16"), ("FR", "20.00"), ("FI", "24.38"), ("LU", "17.43"), ("CH", "8.99"), ("GB", "20.00"), ("US", "0.00")],
)
def test_vat_contained_per_country(country, tax):
    # given a €119.90 line shipped for €0.10: gross €120.00 everywhere; the VAT share differs
    method = ShippingMethod(code="x", price=eur("0.10"))
    quote = quote_build(lines=[line(1, "119.90")], now=NOW, country=country, shipping_method=method)
    assert quote.total == eur("120.00")
    assert quote.tax == eur(tax)
    assert quote.tax.amount == sum(amounts(quote, "tax")) + quote.shipping_tax.amount


def test_german_vat_example():
    quote = quote_build(lines=[line(1, "11.90")], now=NOW, country="de")
    assert quote.tax == eur("1.90")


# --- validation ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lines", "code"),
    [
        ([], "empty_cart"),
        ([line(1, quantity=0)], "invalid_quantity"),
        ([line(1, quantity=100)], "invalid_quantity"),
        ([line(1, "-0.01")], "negative_price"),
        ([line(1), line(1)], "duplicate_line"),
        ([line(i) for i in range(201)], "too_many_lines"),
    ],
)
def test_invalid_lines_are_refused_with_a_code(lines, code):
    with pytest.raises(InvalidPricingInput) as error:
        quote_build(lines=lines, now=NOW, country="US")
    assert error.value.code == code


def test_unknown_country_is_refused():
    with pytest.raises(UnknownCountry) as error:
        quote_build(lines=[line(1)], now=NOW, country="XX")
    assert error.value.code == "unknown_country"


def test_naive_now_is_refused():
    with pytest.raises(InvalidPricingInput) as error:
        quote_build(lines=[line(1)], now=NOW.replace(tzinfo=None), country="US")
    assert error.value.code == "naive_datetime"


def test_mixed_currencies_raise_currency_mismatch():
    with pytest.raises(CurrencyMismatch) as error:
        quote_build(lines=[line(1), line(2, currency="USD")], now=NOW, country="US")
    assert error.value.code == "currency_mismatch"
    method = ShippingMethod(code="x", price=Money(Decimal("5.00"), "GBP"))
    with pytest.raises(CurrencyMismatch):
        quote_build(lines=[line(1)], now=NOW, country="GB", shipping_method=method)


def test_invalid_promotion_value_is_refused():
    with pytest.raises(InvalidPricingInput) as error:
        quote_build(lines=[line(1)], now=NOW, country="US", promotions=[promotion(1, PromotionKind.PERCENT, Decimal(150))])
    assert error.value.code == "invalid_promotion"
