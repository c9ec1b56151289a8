"""Placing an order: all or nothing, idempotent, and every payment outcome of the test gateway."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection

from allbuy.cart.models import CartLine
from allbuy.cart.services import cart_coupon_set
from allbuy.catalog.models import Variant
from allbuy.catalog.tests.factories import VariantFactory
from allbuy.coupons.models import Coupon
from allbuy.coupons.tests.factories import CouponFactory
from allbuy.deals.models import Deal
from allbuy.deals.tests.factories import DealFactory
from allbuy.orders.exceptions import IdempotencyKeyInvalid, IdempotencyKeyReused, PriceChanged, StockUnavailable
from allbuy.orders.models import Order, OrderStatus, PaymentState
from allbuy.orders.services import order_place
from allbuy.orders.tests.factories import (
    CARD_DECLINED,
    CARD_NO_FUNDS,
    CARD_PENDING,
    CARD_TIMEOUT,
    NOW,
    card,
    shopper_ready,
)
from allbuy.payments.exceptions import GatewayTimeout
from allbuy.payments.models import TestGatewayCharge

pytestmark = pytest.mark.django_db


def _place(shopper, *, key="checkout-0001", number=None, **kwargs):
    arguments = {
        "user": shopper.user,
        "cart": shopper.cart,
        "address_id": shopper.address.pk,
        "shipping_code": "standard",
        "idempotency_key": key,
        "card": card(number) if number else card(),
        "now": NOW,
    }
    arguments.update(kwargs)
    return order_place(**arguments)


def test_a_paid_order_takes_stock_empties_the_cart_and_charges_once():
    # given
    variant = VariantFactory.create(price=Decimal("100.00"), stock_quantity=4)
    shopper = shopper_ready(variant=variant, quantity=2)

    # when
    placement = _place(shopper)

    # then
    order = placement.order
    assert placement.created
    assert order.status == OrderStatus.PAID
    assert order.payment_state == PaymentState.CAPTURED
    assert order.total == Decimal("200.00")  # 2 × 100, shipping free over 50
    assert Variant.objects.get(pk=variant.pk).stock_quantity == 2
    assert not CartLine.objects.filter(cart=shopper.cart).exists()
    assert TestGatewayCharge.objects.count() == 1
    assert [e.to_status for e in order.events.all()] == ["placed", "paid"]


def test_the_order_keeps_the_shipping_address_sealed():
    shopper = shopper_ready()
    order = _place(shopper).order
    from allbuy.orders.selectors import order_ship_to

    assert order_ship_to(order=order, user=shopper.user)["city"] == "Berlin"
    with connection.cursor() as cursor:
        cursor.execute("SELECT ship_to FROM orders_order WHERE id = %s", [order.pk])
        raw = cursor.fetchone()[0]
    assert raw.startswith("ab1:")
    assert "Berlin" not in raw


def test_the_same_key_twice_gives_the_same_order_and_one_charge():
    shopper = shopper_ready()
    first = _place(shopper)
    second = _place(shopper)
    assert second.order.pk == first.order.pk
    assert not second.created
    assert TestGatewayCharge.objects.count() == 1
    assert Order.objects.count() == 1


def test_the_same_key_with_other_details_is_refused():
    shopper = shopper_ready()
    _place(shopper)
    with pytest.raises(IdempotencyKeyReused):
        _place(shopper, shipping_code="express")


@pytest.mark.parametrize("key", ["", "short", "x" * 81, "bad key!"])
def test_a_malformed_key_is_refused_before_anything_is_written(key):
    shopper = shopper_ready()
    with pytest.raises(IdempotencyKeyInvalid):
        _place(shopper, key=key)
    assert not Order.objects.exists()


@pytest.mark.parametrize(("number", "code"), [(CARD_DECLINED, "card_declined"), (CARD_NO_FUNDS, "insufficient_funds")])
def test_a_declined_card_cancels_the_order_and_gives_everything_back(number, code):
    # given
    variant = VariantFactory.create(price=Decimal("100.00"), stock_quantity=3)
    DealFactory.create(
        variant=variant,
        deal_price=Decimal("80.00"),
        quantity_cap=5,
        starts_at=NOW - timedelta(hours=1),
        ends_at=NOW + timedelta(hours=5),
    )
    coupon = CouponFactory.create(code="TENOFF", total_cap=5, stacks_with_deals=True)
    shopper = shopper_ready(variant=variant, quantity=1)
    cart_coupon_set(cart=shopper.cart, code="tenoff")

    # when
    placement = _place(shopper, number=number)

    # then
    order = placement.order
    assert placement.declined
    assert order.status == OrderStatus.CANCELLED
    assert order.cancel_reason == "payment_declined"
    assert order.payments.get().decline_code == code
    assert Variant.objects.get(pk=variant.pk).stock_quantity == 3
    assert Deal.objects.get(variant=variant).units_sold == 0
    assert Coupon.objects.get(pk=coupon.pk).uses == 0
    assert CartLine.objects.filter(cart=shopper.cart).exists()  # the shopper tries another card


def test_after_a_decline_a_new_attempt_with_another_card_succeeds():
    shopper = shopper_ready()
    assert _place(shopper, key="attempt-0001", number=CARD_DECLINED).declined
    placement = _place(shopper, key="attempt-0002")
    assert placement.order.status == OrderStatus.PAID


def test_a_timeout_leaves_the_order_waiting_and_the_retry_charges_once():
    shopper = shopper_ready()
    with pytest.raises(GatewayTimeout):
        _place(shopper, number=CARD_TIMEOUT)
    order = Order.objects.get()
    assert order.status == OrderStatus.PLACED
    assert order.payment_state == PaymentState.UNKNOWN

    retried = _place(shopper, number=CARD_TIMEOUT)

    assert retried.order.pk == order.pk
    assert retried.order.status == OrderStatus.PAID
    assert TestGatewayCharge.objects.count() == 1


def test_a_pending_payment_waits_for_the_webhook():
    from allbuy.orders.services import payment_webhook_apply
    from allbuy.payments.test_gateway import TestGateway

    shopper = shopper_ready()
    order = _place(shopper, number=CARD_PENDING).order
    assert (order.status, order.payment_state) == (OrderStatus.PLACED, PaymentState.PENDING)
    assert not CartLine.objects.filter(cart=shopper.cart).exists()

    body, headers = TestGateway().webhook_build(gateway_ref=order.payments.get().gateway_ref, succeed=True, now=NOW)
    assert payment_webhook_apply(body=body, headers=headers, now=NOW) == "paid"
    assert payment_webhook_apply(body=body, headers=headers, now=NOW) == "duplicate"

    order.refresh_from_db()
    assert order.status == OrderStatus.PAID


def test_a_pending_payment_that_fails_releases_the_stock():
    from allbuy.orders.services import payment_webhook_apply
    from allbuy.payments.test_gateway import TestGateway

    variant = VariantFactory.create(stock_quantity=2)
    shopper = shopper_ready(variant=variant)
    order = _place(shopper, number=CARD_PENDING).order
    assert Variant.objects.get(pk=variant.pk).stock_quantity == 1

    body, headers = TestGateway().webhook_build(gateway_ref=order.payments.get().gateway_ref, succeed=False, now=NOW)
    assert payment_webhook_apply(body=body, headers=headers, now=NOW) == "declined"

    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert Variant.objects.get(pk=variant.pk).stock_quantity == 2


def test_not_enough_stock_refuses_and_writes_nothing():
    variant = VariantFactory.create(stock_quantity=3)
    shopper = shopper_ready(variant=variant, quantity=3)
    Variant.objects.filter(pk=variant.pk).update(stock_quantity=2)

    with pytest.raises(StockUnavailable) as refused:
        _place(shopper)

    assert refused.value.extra["available"] == 2
    assert not Order.objects.exists()
    assert Variant.objects.get(pk=variant.pk).stock_quantity == 2
    assert TestGatewayCharge.objects.count() == 0


def test_a_total_other_than_the_one_shown_is_refused_with_the_new_total():
    shopper = shopper_ready()
    with pytest.raises(PriceChanged) as refused:
        _place(shopper, expected_total=Decimal("1.00"))
    assert refused.value.extra["total"] == "100.00"
    assert not Order.objects.exists()


def test_a_coupon_past_its_cap_refuses_the_order_and_keeps_the_stock():
    from allbuy.coupons.exceptions import CouponError

    variant = VariantFactory.create(stock_quantity=5)
    CouponFactory.create(code="ONCE", total_cap=1, uses=1)
    shopper = shopper_ready(variant=variant)
    cart_coupon_set(cart=shopper.cart, code="once")

    with pytest.raises(CouponError) as refused:
        _place(shopper)

    assert refused.value.code == "cap_reached"
    assert Variant.objects.get(pk=variant.pk).stock_quantity == 5
    assert not Order.objects.exists()


def test_the_deal_price_is_charged_and_counted_against_the_cap():
    variant = VariantFactory.create(price=Decimal("100.00"), stock_quantity=9)
    deal = DealFactory.create(
        variant=variant,
        deal_price=Decimal("70.00"),
        quantity_cap=2,
        starts_at=NOW - timedelta(hours=1),
        ends_at=NOW + timedelta(hours=5),
    )
    shopper = shopper_ready(variant=variant, quantity=3)

    order = _place(shopper).order

    assert order.total == Decimal("240.00")  # 2 at the deal price, 1 at the regular price
    assert Deal.objects.get(pk=deal.pk).units_sold == 2
    assert order.lines.get().deal_units == 2


def test_while_one_attempt_waits_for_the_gateway_another_tab_cannot_pay_for_the_same_cart():
    from allbuy.orders.exceptions import CheckoutInProgress

    shopper = shopper_ready()
    with pytest.raises(GatewayTimeout):
        _place(shopper, key="first-tab-01", number=CARD_TIMEOUT)

    with pytest.raises(CheckoutInProgress) as refused:
        _place(shopper, key="second-tab-01")

    first = Order.objects.get()
    assert refused.value.extra["order"] == first.number
    assert _place(shopper, key="first-tab-01", number=CARD_TIMEOUT).order.status == OrderStatus.PAID
    assert Order.objects.count() == 1


def test_after_a_decline_the_cart_is_free_for_the_next_attempt():
    shopper = shopper_ready()
    assert _place(shopper, key="declined-01", number=CARD_DECLINED).declined
    shopper.cart.refresh_from_db()
    assert shopper.cart.checkout_order == ""


def test_the_order_page_shows_the_units_sold_at_the_deal_price(client):
    variant = VariantFactory.create(price=Decimal("100.00"), stock_quantity=9)
    DealFactory.create(
        variant=variant,
        deal_price=Decimal("70.00"),
        quantity_cap=2,
        starts_at=NOW - timedelta(hours=1),
        ends_at=NOW + timedelta(hours=5),
    )
    shopper = shopper_ready(variant=variant, quantity=3)
    order = _place(shopper).order
    line = order.lines.get()
    assert (line.deal_units, line.deal_unit_price, line.regular_units) == (2, Decimal("70.00"), 1)

    client.force_login(shopper.user)
    text = client.get(f"/orders/{order.number}/").content.decode()
    assert "2 × €70.00" in text
    assert "+ 1 × €100.00" in text
