"""Pricing a cart from the database: deals (cap and per-customer limit), promotions (live, ended, edited), coupon
stacking, shipping, VAT by destination, and the cart page's query count."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from allbuy.accounts.models import User
from allbuy.accounts.tests.factories import customer_create
from allbuy.cart.models import Cart
from allbuy.cart.quoting import LineInput, PricedCart, cart_price
from allbuy.cart.selectors import cart_lines, cart_view
from allbuy.cart.services import cart_coupon_set, cart_create, cart_line_add
from allbuy.cart.shipping import ShippingMethodUnknown
from allbuy.catalog.models import Variant
from allbuy.catalog.tests.factories import ProductImageFactory, VariantFactory
from allbuy.coupons.eligibility import Reason
from allbuy.coupons.models import CouponKind
from allbuy.coupons.tests.factories import CouponFactory
from allbuy.deals.models import Deal, DealCustomerUsage, Promotion, PromotionKind
from allbuy.deals.services import promotion_save
from allbuy.deals.tests.factories import DealFactory, PromotionFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 10, 10, 0, tzinfo=UTC)


def variant_make(price: str = "100.00", **fields: object) -> Variant:
    return VariantFactory.create(price=Decimal(price), stock_quantity=fields.pop("stock", 50), **fields)


def cart_of(*items: tuple[Variant, int]) -> Cart:
    cart = cart_create(now=NOW)
    for variant, quantity in items:
        cart_line_add(cart=cart, variant_id=variant.pk, quantity=quantity, now=NOW)
    return cart


def price(cart: Cart, *, now: datetime = NOW, user: User | None = None, **options: str) -> PricedCart:
    rows = cart_lines(cart)
    lines = [LineInput(line_id=row.pk, variant=row.variant, quantity=row.quantity) for row in rows]
    return cart_price(lines=lines, now=now, user=user, **options)


def deal_on(variant: Variant, *, deal_price: str = "70.00", **fields: object) -> Deal:
    return DealFactory.create(
        variant=variant,
        deal_price=Decimal(deal_price),
        starts_at=NOW - timedelta(hours=1),
        ends_at=NOW + timedelta(hours=5),
        **fields,
    )


def promotion_live(**fields: object) -> Promotion:
    values: dict[str, object] = {
        "kind": PromotionKind.PERCENT,
        "value": Decimal("10"),
        "starts_at": NOW - timedelta(days=1),
        "ends_at": NOW + timedelta(days=1),
    }
    values.update(fields)
    return PromotionFactory.create(**values)


# --- deals --------------------------------------------------------------------------------------------------------


def test_a_capped_deal_prices_only_the_units_left_at_the_deal_price():
    # given a deal on five units of which three are sold, and a cart of four
    variant = variant_make("100.00")
    deal = deal_on(variant, quantity_cap=5, units_sold=3)
    cart = cart_of((variant, 4))

    # when the cart is priced
    priced = price(cart)

    # then two units are at €70 and two at €100
    assert priced.quote.discounts.deal.amount == Decimal("60.00")
    assert priced.quote.subtotal.amount == Decimal("340.00")
    assert priced.deal_units == {deal.pk: 2}
    assert priced.deals[variant.pk] == deal


def test_a_sold_out_deal_is_not_priced_at_all():
    variant = variant_make("100.00")
    deal_on(variant, quantity_cap=3, units_sold=3)
    priced = price(cart_of((variant, 1)))
    assert priced.quote.discounts.deal.amount == Decimal("0.00")
    assert priced.deal_units == {}
    assert priced.deals == {}


def test_an_ended_deal_is_not_priced():
    variant = variant_make("100.00")
    deal = deal_on(variant)
    priced = price(cart_of((variant, 1)), now=deal.ends_at)
    assert priced.quote.total.amount == Decimal("100.00")
    assert priced.deal_units == {}


def test_a_per_customer_deal_limit_prices_only_the_customers_remaining_units():
    # given a deal limited to two units per customer, of which this customer already bought one
    variant = variant_make("100.00")
    deal = deal_on(variant, per_customer_limit=2)
    customer = customer_create("ada@example.org")
    DealCustomerUsage.objects.create(deal=deal, user=customer, units=1)
    cart = cart_of((variant, 3))

    # when the cart is priced for them, then one unit is at the deal price
    mine = price(cart, user=customer)
    assert mine.deal_units == {deal.pk: 1}
    assert mine.quote.subtotal.amount == Decimal("270.00")

    # and a guest (no account to count against) is priced for the limit itself
    guest = price(cart)
    assert guest.deal_units == {deal.pk: 2}
    assert guest.quote.subtotal.amount == Decimal("240.00")

    # and once the customer has bought their two, the deal no longer applies to them
    DealCustomerUsage.objects.filter(deal=deal, user=customer).update(units=2)
    spent = price(cart, user=customer)
    assert spent.deal_units == {}
    assert spent.quote.subtotal.amount == Decimal("300.00")


def test_the_tighter_of_the_cap_and_the_customer_limit_wins():
    variant = variant_make("100.00")
    deal = deal_on(variant, quantity_cap=10, units_sold=9, per_customer_limit=3)
    customer = customer_create("ada@example.org")
    assert price(cart_of((variant, 3)), user=customer).deal_units == {deal.pk: 1}


# --- promotions ---------------------------------------------------------------------------------------------------


def test_a_live_promotion_applies_and_after_its_end_it_does_not():
    # given a 10 % promotion running until tomorrow
    promotion = promotion_live()
    cart = cart_of((variant_make("100.00"), 1))

    # when the cart is priced now, then the promotion applies
    now_priced = price(cart)
    assert now_priced.quote.discounts.promotion.amount == Decimal("10.00")
    assert [p.promotion_id for p in now_priced.quote.applied_promotions] == [promotion.pk]

    # when it is priced at the promotion's end (the window is half-open), then it does not
    ended = price(cart, now=promotion.ends_at)
    assert ended.quote.discounts.promotion.amount == Decimal("0.00")
    assert ended.quote.applied_promotions == ()

    # and before its start it did not either
    assert price(cart, now=promotion.starts_at - timedelta(seconds=1)).quote.applied_promotions == ()


def test_an_edited_promotion_is_priced_as_edited_at_once():
    # given a 10 % promotion, already priced once (so the promotions are remembered)
    promotion = promotion_live()
    variant = variant_make("100.00")
    cart = cart_of((variant, 1))
    assert price(cart).quote.discounts.promotion.amount == Decimal("10.00")

    # when it is raised to 20 %, then the next price has 20 % off, at the same instant
    promotion.value = Decimal("20")
    promotion_save(promotion=promotion)
    assert price(cart).quote.discounts.promotion.amount == Decimal("20.00")

    # when the product is excluded from its scope, then it no longer applies
    promotion.exclude_products.set([variant.product_id])
    assert price(cart).quote.discounts.promotion.amount == Decimal("0.00")

    # when it is switched off, then it no longer applies even after the product is back in scope
    promotion.exclude_products.clear()
    assert price(cart).quote.discounts.promotion.amount == Decimal("20.00")
    promotion.is_active = False
    promotion_save(promotion=promotion)
    assert price(cart).quote.applied_promotions == ()


def test_a_promotion_created_or_deleted_is_seen_at_once():
    cart = cart_of((variant_make("100.00"), 1))
    assert price(cart).quote.applied_promotions == ()

    promotion = promotion_live(kind=PromotionKind.FIXED, value=Decimal("15"))
    assert price(cart).quote.discounts.promotion.amount == Decimal("15.00")

    promotion.delete()
    assert price(cart).quote.applied_promotions == ()


# --- coupons on top ---------------------------------------------------------------------------------------------------


def test_a_coupon_not_stacking_with_deals_discounts_only_the_lines_without_one():
    # given a cart with a deal line (€70) and a regular line (€100), and a 10 % code that does not stack with deals
    on_deal, regular = variant_make("100.00"), variant_make("100.00")
    deal_on(on_deal)
    CouponFactory.create(code="NODEALS", stacks_with_deals=False)
    cart = cart_of((on_deal, 1), (regular, 1))

    # when the cart is priced with the code
    priced = price(cart, coupon_code="nodeals")

    # then the code applies, to the regular line only
    assert priced.coupon is not None
    assert priced.coupon.applied
    by_variant = {line.variant.pk: line.line_id for line in _inputs(cart)}
    lines = {q.line_id: q for q in priced.quote.lines}
    assert lines[by_variant[on_deal.pk]].coupon_discount.amount == Decimal("0.00")
    assert lines[by_variant[regular.pk]].coupon_discount.amount == Decimal("10.00")
    assert priced.quote.total.amount == Decimal("160.00")


def test_a_coupon_stacking_with_deals_discounts_the_deal_price():
    variant = variant_make("100.00")
    deal_on(variant)
    CouponFactory.create(code="STACKS", stacks_with_deals=True)
    priced = price(cart_of((variant, 1)), coupon_code="stacks")
    assert priced.coupon is not None
    assert priced.coupon.applied
    assert priced.quote.discounts.coupon.amount == Decimal("7.00")
    assert priced.quote.total.amount == Decimal("63.00")


@pytest.mark.parametrize(("stacks", "coupon_off", "total"), [(False, None, "90.00"), (True, "9.00", "81.00")])
def test_a_coupon_on_promoted_lines_applies_only_if_it_stacks_with_promotions(stacks, coupon_off, total):
    # given a 10 % promotion and a 10 % code
    promotion_live()
    CouponFactory.create(code="PROMO", stacks_with_promotions=stacks)
    cart = cart_of((variant_make("100.00"), 1))

    # when the cart is priced with the code
    priced = price(cart, coupon_code="promo")

    # then a code that does not stack is refused (the promotion stays), one that does applies after the promotion
    assert priced.coupon is not None
    if coupon_off is None:
        assert not priced.coupon.applied
        assert priced.coupon.reason == Reason.CANNOT_COMBINE
        assert priced.quote.discounts.coupon.amount == Decimal("0.00")
    else:
        assert priced.coupon.applied
        assert priced.quote.discounts.coupon.amount == Decimal(coupon_off)
    assert priced.quote.discounts.promotion.amount == Decimal("10.00")
    assert priced.quote.total.amount == Decimal(total)


def test_a_refused_coupon_changes_nothing_in_the_price():
    CouponFactory.create(code="BIGSPEND", currency="EUR", min_subtotal=Decimal("500.00"))
    cart = cart_of((variant_make("100.00"), 1))
    priced = price(cart, coupon_code="bigspend")
    assert priced.coupon is not None
    assert (priced.coupon.applied, priced.coupon.reason) == (False, Reason.MINIMUM_NOT_MET)
    assert priced.quote.total == price(cart).quote.total


def _inputs(cart: Cart) -> list[LineInput]:
    return [LineInput(line_id=row.pk, variant=row.variant, quantity=row.quantity) for row in cart_lines(cart)]


# --- shipping -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("unit", "quantity", "method", "shipping", "total"),
    [
        ("49.99", 1, "standard", "4.99", "54.98"),
        ("25.00", 2, "standard", "0.00", "50.00"),
        ("100.00", 1, "standard", "0.00", "100.00"),
        ("100.00", 1, "express", "9.99", "109.99"),
        ("20.00", 1, "express", "9.99", "29.99"),
    ],
)
def test_standard_shipping_is_free_from_fifty_and_express_always_costs(unit, quantity, method, shipping, total):
    priced = price(cart_of((variant_make(unit), quantity)), shipping_code=method)
    assert priced.shipping_code == method
    assert priced.quote.shipping.amount == Decimal(shipping)
    assert priced.quote.total.amount == Decimal(total)


def test_the_free_shipping_threshold_reads_the_subtotal_after_discounts():
    # €55 less a 10 % promotion is €49.50: below fifty, so standard shipping is charged
    promotion_live()
    priced = price(cart_of((variant_make("55.00"), 1)))
    assert priced.quote.subtotal.amount == Decimal("49.50")
    assert priced.quote.shipping.amount == Decimal("4.99")


def test_a_free_shipping_code_makes_express_free():
    CouponFactory.create(code="SHIPFREE", kind=CouponKind.FREE_SHIPPING, value=Decimal("0"))
    priced = price(cart_of((variant_make("20.00"), 1)), shipping_code="express", coupon_code="shipfree")
    assert priced.quote.shipping.amount == Decimal("0.00")
    assert priced.quote.discounts.shipping.amount == Decimal("9.99")
    assert priced.quote.total.amount == Decimal("20.00")


def test_an_unknown_shipping_method_is_refused():
    with pytest.raises(ShippingMethodUnknown) as refused:
        price(cart_of((variant_make(), 1)), shipping_code="teleport")
    assert refused.value.status == 400


# --- VAT by destination ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("country", "tax"), [("DE", "19.00"), ("FR", "19.83"), ("US", "0.00")])
def test_prices_include_the_vat_of_the_destination(country, tax):
    # given a €119 item (prices include VAT, shipping is free above €50)
    cart = cart_of((variant_make("119.00"), 1))

    # when it is priced for delivery to each country
    priced = price(cart, country=country)

    # then the total is the same, and the VAT it contains is the destination's
    assert priced.country == country
    assert priced.quote.total.amount == Decimal("119.00")
    assert priced.quote.tax.amount == Decimal(tax)


def test_shipping_carries_the_destinations_vat_too():
    de = price(cart_of((variant_make("20.00"), 1)), country="DE")
    assert de.quote.shipping.amount == Decimal("4.99")
    assert de.quote.shipping_tax.amount == Decimal("0.80")  # 4.99 × 19/119
    assert de.quote.tax.amount == Decimal("3.99")  # 3.19 on the item + 0.80 on shipping


# --- the cart page's queries -----------------------------------------------------------------------------------------


def _full_cart(lines: int) -> Cart:
    """A cart of `lines` products, each with images, the first and every other one on a deal, with a code that applies."""
    cart = cart_create(now=NOW)
    for n in range(lines):
        variant = variant_make("100.00")
        ProductImageFactory.create(product=variant.product, colour="Black", position=0)
        ProductImageFactory.create(product=variant.product, colour="White", position=1)
        if n % 2 == 0:
            deal_on(variant, quantity_cap=100, per_customer_limit=5)
        cart_line_add(cart=cart, variant_id=variant.pk, now=NOW)
    cart_coupon_set(cart=cart, code="allgood", now=NOW)
    return cart


def _shown(cart: Cart, customer: User) -> list[object]:
    """Everything the cart page reads from the view, line by line."""
    view = cart_view(cart=cart, user=customer, now=NOW)
    assert view.priced is not None
    assert view.coupon is not None
    assert view.coupon.applied
    shown: list[object] = [view.notices, view.item_count, view.priced.quote.total]
    for line in view.lines:
        shown += [line.image, line.product.name, line.product.brand.name, line.options, line.deal_title, line.available]
        shown += [line.price_changed, line.quote.total]
    return shown


def test_the_cart_page_costs_as_many_queries_for_eight_lines_as_for_one(django_assert_max_num_queries):
    # given a live promotion, a code that applies, and two carts: one line, and eight lines
    customer = customer_create("ada@example.org")
    promotion_live(stackable=True)
    CouponFactory.create(code="ALLGOOD", stacks_with_deals=True, stacks_with_promotions=True)
    one = _full_cart(1)
    eight = _full_cart(8)
    _shown(one, customer)  # the promotions and the live-deals key are remembered once per process

    # when the one-line cart is shown
    with CaptureQueriesContext(connection) as single:
        _shown(one, customer)

    # then the eight-line cart costs no more queries
    assert len(single) <= 15
    with django_assert_max_num_queries(len(single)):
        shown = _shown(eight, customer)
    assert len(shown) == 3 + 8 * 8


@pytest.mark.django_db
def test_a_free_shipping_promotion_keeps_its_threshold_in_min_subtotal_and_frees_express_shipping_above_it():
    from allbuy.cart.quoting import LineInput, cart_price
    from allbuy.catalog.tests.factories import VariantFactory
    from allbuy.deals.models import PromotionKind
    from allbuy.deals.tests.factories import NOW as PROMO_NOW
    from allbuy.deals.tests.factories import PromotionFactory

    PromotionFactory.create(kind=PromotionKind.FREE_SHIPPING_OVER, value=None, min_subtotal=Decimal("25.00"))
    cheap = VariantFactory.create(price=Decimal("20.00"))
    dearer = VariantFactory.create(price=Decimal("30.00"))

    below = cart_price(lines=[LineInput(line_id=1, variant=cheap, quantity=1)], now=PROMO_NOW, shipping_code="express")
    above = cart_price(lines=[LineInput(line_id=1, variant=dearer, quantity=1)], now=PROMO_NOW, shipping_code="express")

    assert below.quote.shipping.amount == Decimal("9.99")
    assert above.quote.shipping.amount == Decimal("0.00")
