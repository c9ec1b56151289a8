"""Checkout under real parallel requests: caps, stock, deals and idempotency hold (PostgreSQL).

Each proof starts N threads on a Barrier; each thread is one request: its own database connection (closed at
the end), its own copy of the cart and account read from the database, and one call of `order_place` with the
test gateway. SQLite runs one writer at a time, so the parallel proofs run on PostgreSQL only.

The last proof runs on both databases: one checkout, sequentially, whose coupon (or deal) step fails *after*
its stock was taken in the same transaction, leaves nothing behind.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from django.db import connection

from allbuy.accounts.models import User
from allbuy.cart.models import Cart, CartLine
from allbuy.cart.services import cart_coupon_remove, cart_coupon_set
from allbuy.catalog.models import Variant
from allbuy.catalog.tests.factories import VariantFactory
from allbuy.core.errors import ApplicationError
from allbuy.core.tests.parallel import run_together
from allbuy.coupons.exceptions import CouponError
from allbuy.coupons.models import Coupon, CouponCustomerUsage, CouponRedemption
from allbuy.coupons.tests.factories import CouponFactory
from allbuy.deals.models import Deal, DealCustomerUsage
from allbuy.deals.tests.factories import DealFactory
from allbuy.orders.exceptions import DealLimitReached, PriceChanged, StockUnavailable
from allbuy.orders.models import Order, OrderLine, OrderStatus
from allbuy.orders.services import Placement, order_place
from allbuy.orders.tests.factories import NOW, Shopper, card, shopper_ready
from allbuy.payments.models import TestGatewayCharge

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL: SQLite runs one writer at a time, so no race to prove"
)

Outcome = Placement | BaseException


@pytest.fixture(autouse=True)
def mails(monkeypatch) -> list[tuple[int, str]]:
    """The order mails each checkout asks for after its commit, as (order id, kind): counted here, rendered elsewhere."""
    from allbuy.orders import emails

    asked: list[tuple[int, str]] = []
    lock = threading.Lock()

    def record(*, order_id: int, kind: str) -> None:
        with lock:
            asked.append((order_id, kind))

    monkeypatch.setattr(emails, "order_email_send", record)
    return asked


def _checkout(*, user_id: int, cart_id: UUID, address_id: int, key: str) -> Placement:
    """One checkout request: the account and the cart are read afresh, as a request would."""
    return order_place(
        user=User.objects.get(pk=user_id),
        cart=Cart.objects.get(pk=cart_id),
        address_id=address_id,
        shipping_code="standard",
        idempotency_key=key,
        card=card(),
        now=NOW,
    )


def _request(shopper: Shopper, key: str) -> Callable[[], Placement]:
    return lambda: _checkout(user_id=shopper.user.pk, cart_id=shopper.cart.pk, address_id=shopper.address.pk, key=key)


def _in_parallel(calls: list[Callable[[], Placement]]) -> list[Outcome]:
    """Run every call in its own thread, released together; return each call's placement or the exception it raised."""
    return run_together(calls, what="a checkout")


def _placed(outcomes: list[Outcome]) -> list[Placement]:
    return [outcome for outcome in outcomes if isinstance(outcome, Placement)]


def _refusal_codes(outcomes: list[Outcome]) -> Counter[str]:
    unexpected = [o for o in outcomes if not isinstance(o, Placement | ApplicationError)]
    assert unexpected == [], f"a checkout failed with something other than a refusal: {unexpected!r}"
    return Counter(o.code for o in outcomes if isinstance(o, ApplicationError))


def _stock(variant: Variant) -> int:
    return Variant.objects.values_list("stock_quantity", flat=True).get(pk=variant.pk)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@on_postgres
def test_a_coupon_capped_at_ten_is_used_exactly_ten_times_by_fifty_parallel_checkouts(mails):
    # given fifty shoppers, each with the coupon on a cart of one unit of a phone of their own (so that no stock
    # row is shared: the coupon's cap is the only thing they race for)
    coupon = CouponFactory.create(code="TENCAP", total_cap=10)
    shoppers = [
        shopper_ready(variant=VariantFactory.create(price=Decimal("100.00"), stock_quantity=2), now=NOW) for _ in range(50)
    ]
    for shopper in shoppers:
        cart_coupon_set(cart=shopper.cart, code="tencap", now=NOW)

    # when they all check out at once
    outcomes = _in_parallel([_request(shopper, f"first-{n:04d}") for n, shopper in enumerate(shoppers)])

    # then exactly ten paid orders used the coupon, and the forty others were refused because the cap was reached
    placed = _placed(outcomes)
    assert len(placed) == 10
    assert {p.order.status for p in placed} == {OrderStatus.PAID}
    assert {p.order.coupon_code for p in placed} == {"TENCAP"}
    assert _refusal_codes(outcomes) == Counter({"cap_reached": 40})
    assert all(isinstance(o, CouponError) and o.status == 409 for o in outcomes if not isinstance(o, Placement))
    assert Coupon.objects.get(pk=coupon.pk).uses == 10
    assert CouponRedemption.objects.filter(coupon=coupon, released_at__isnull=True).count() == 10
    # and nothing of the forty was written: no order, no charge, their stock untouched, their carts as they were
    refused = [s for s, o in zip(shoppers, outcomes, strict=True) if not isinstance(o, Placement)]
    assert not Order.objects.filter(user__in=[s.user for s in refused]).exists()
    assert TestGatewayCharge.objects.count() == 10
    assert [_stock(s.cart.lines.get().variant) for s in refused] == [2] * 40
    assert CartLine.objects.filter(cart__in=[s.cart for s in refused]).count() == 40
    assert sorted(mails) == sorted((p.order.pk, "paid") for p in placed)

    # when each of the forty removes the coupon and checks out again
    for shopper in refused:
        cart_coupon_remove(cart=shopper.cart, now=NOW)
    retried = _in_parallel([_request(shopper, f"again-{n:04d}") for n, shopper in enumerate(refused)])

    # then all forty orders succeed, without the coupon
    assert _refusal_codes(retried) == Counter()
    placed_again = _placed(retried)
    assert len(placed_again) == 40
    assert {(p.order.status, p.order.coupon_code, p.order.total) for p in placed_again} == {
        (OrderStatus.PAID, "", Decimal("100.00"))
    }
    assert Coupon.objects.get(pk=coupon.pk).uses == 10
    assert Order.objects.filter(status=OrderStatus.PAID).count() == 50
    assert set(Variant.objects.values_list("stock_quantity", flat=True)) == {1}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@on_postgres
def test_five_units_under_twenty_parallel_buyers_make_exactly_five_orders():
    # given a phone with five units left and twenty shoppers with one unit each in their cart
    variant = VariantFactory.create(price=Decimal("100.00"), stock_quantity=5)
    shoppers = [shopper_ready(variant=variant, now=NOW) for _ in range(20)]

    # when they all check out at once
    outcomes = _in_parallel([_request(shopper, f"stock-{n:04d}") for n, shopper in enumerate(shoppers)])

    # then five orders were paid, fifteen were told it sold out, and the stock is exactly zero
    assert len(_placed(outcomes)) == 5
    assert {p.order.status for p in _placed(outcomes)} == {OrderStatus.PAID}
    assert _refusal_codes(outcomes) == Counter({"out_of_stock": 15})
    assert all(isinstance(o, StockUnavailable) for o in outcomes if not isinstance(o, Placement))
    assert _stock(variant) == 0
    assert Order.objects.count() == 5
    assert OrderLine.objects.filter(variant=variant).count() == 5
    assert TestGatewayCharge.objects.count() == 5


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@on_postgres
def test_a_deal_capped_at_three_units_sells_three_under_twelve_parallel_buyers():
    # given a deal on the first three units of a phone, and twelve shoppers with one unit each
    variant = VariantFactory.create(price=Decimal("100.00"), stock_quantity=50)
    deal = DealFactory.create(
        variant=variant,
        deal_price=Decimal("70.00"),
        quantity_cap=3,
        starts_at=NOW - timedelta(hours=1),
        ends_at=NOW + timedelta(hours=5),
    )
    shoppers = [shopper_ready(variant=variant, now=NOW) for _ in range(12)]

    # when they all check out at once
    outcomes = _in_parallel([_request(shopper, f"deal-{n:04d}") for n, shopper in enumerate(shoppers)])

    # then exactly three units were sold at the deal price
    deal_lines = OrderLine.objects.filter(deal_units__gt=0)
    assert deal_lines.count() == 3
    assert sum(deal_lines.values_list("deal_units", flat=True)) == 3
    assert set(deal_lines.values_list("total", flat=True)) == {Decimal("70.00")}
    assert Deal.objects.get(pk=deal.pk).units_sold == 3
    # and the others were told the deal sold out (or, pricing after the sell-out, paid the regular price)
    codes = _refusal_codes(outcomes)
    assert set(codes) <= {"deal_sold_out"}
    assert all(isinstance(o, PriceChanged) for o in outcomes if not isinstance(o, Placement))
    late = [p.order for p in _placed(outcomes) if p.order.total != Decimal("70.00")]
    assert {order.total for order in late} <= {Decimal("100.00")}
    assert codes["deal_sold_out"] + len(late) == 9

    # when the refused ones try again
    refused = [s for s, o in zip(shoppers, outcomes, strict=True) if not isinstance(o, Placement)]
    retried = _in_parallel([_request(shopper, f"deal-again-{n:04d}") for n, shopper in enumerate(refused)])

    # then they buy at the regular price, and the deal still sold exactly three units
    assert _refusal_codes(retried) == Counter()
    assert {p.order.total for p in _placed(retried)} <= {Decimal("100.00")}
    assert Deal.objects.get(pk=deal.pk).units_sold == 3
    assert sum(OrderLine.objects.values_list("deal_units", flat=True)) == 3
    assert Order.objects.filter(status=OrderStatus.PAID).count() == 12
    assert _stock(variant) == 38


def _tabs(shopper: Shopper, count: int) -> list[Callable[[], Placement]]:
    return [_request(shopper, f"tab-{n:04d}-of-{shopper.user.pk}") for n in range(count)]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@on_postgres
def test_a_once_per_customer_coupon_is_used_once_by_five_parallel_tabs_of_one_customer():
    # given one customer whose cart (shared by five browser tabs) holds a coupon they may use once
    variant = VariantFactory.create(price=Decimal("100.00"), stock_quantity=20)
    coupon = CouponFactory.create(code="ONCEEACH", total_cap=1000, per_customer_cap=1)
    shopper = shopper_ready(variant=variant, now=NOW)
    cart_coupon_set(cart=shopper.cart, code="onceeach", now=NOW)

    # when every tab submits the checkout at once, each with its own idempotency key
    outcomes = _in_parallel(_tabs(shopper, 5))

    # then exactly one order used the coupon; the other tabs were refused (code used, cart emptied or being paid for)
    placed = _placed(outcomes)
    assert len(placed) == 1
    assert placed[0].order.status == OrderStatus.PAID
    assert Order.objects.filter(user=shopper.user).exclude(coupon_code="").count() == 1
    codes = _refusal_codes(outcomes)
    assert sum(codes.values()) == 4
    assert set(codes) <= {"cart_empty", "already_used_by_you", "checkout_in_progress"}
    assert CouponCustomerUsage.objects.get(coupon=coupon, user=shopper.user).uses == 1
    assert Coupon.objects.get(pk=coupon.pk).uses == 1
    assert CouponRedemption.objects.filter(coupon=coupon).count() == 1
    assert _stock(variant) == 19


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@on_postgres
def test_a_once_per_customer_deal_is_sold_once_to_five_parallel_tabs_of_one_customer():
    # given one customer whose cart (shared by five tabs) holds a phone on a deal limited to one unit per customer
    variant = VariantFactory.create(price=Decimal("100.00"), stock_quantity=20)
    deal = DealFactory.create(
        variant=variant,
        deal_price=Decimal("70.00"),
        quantity_cap=None,
        per_customer_limit=1,
        starts_at=NOW - timedelta(hours=1),
        ends_at=NOW + timedelta(hours=5),
    )
    shopper = shopper_ready(variant=variant, now=NOW)

    # when every tab submits the checkout at once, each with its own idempotency key
    outcomes = _in_parallel(_tabs(shopper, 5))

    # then exactly one unit was sold at the deal price, to this customer
    assert DealCustomerUsage.objects.get(deal=deal, user=shopper.user).units == 1
    assert Deal.objects.get(pk=deal.pk).units_sold == 1
    lines = OrderLine.objects.filter(order__user=shopper.user)
    assert sum(lines.values_list("deal_units", flat=True)) == 1
    assert lines.filter(deal_units=1, total=Decimal("70.00")).count() == 1
    # and every other tab was refused (limit reached, cart emptied or being paid for) or, pricing after the first tab's
    # order was placed, was a separate checkout of the same cart at the regular price
    codes = _refusal_codes(outcomes)
    assert set(codes) <= {"cart_empty", "deal_limit_reached", "checkout_in_progress"}
    limits = [o for o in outcomes if isinstance(o, ApplicationError) and o.code == "deal_limit_reached"]
    assert all(isinstance(o, DealLimitReached) for o in limits)
    regular = [p.order for p in _placed(outcomes) if p.order.total != Decimal("70.00")]
    assert {order.total for order in regular} <= {Decimal("100.00")}
    assert len(_placed(outcomes)) + sum(codes.values()) == 5


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@on_postgres
def test_ten_parallel_copies_of_one_checkout_make_one_order_and_one_charge(mails):
    # given a shopper, and one checkout (one idempotency key) sent ten times at once
    variant = VariantFactory.create(price=Decimal("100.00"), stock_quantity=10)
    shopper = shopper_ready(variant=variant, quantity=2, now=NOW)

    # when the ten copies arrive together
    outcomes = _in_parallel([_request(shopper, "double-submit-0001") for _ in range(10)])

    # then none failed, all ten answer with the same, paid order, and the card was charged once
    assert _refusal_codes(outcomes) == Counter()
    placed = _placed(outcomes)
    assert len(placed) == 10
    order = Order.objects.get()
    assert {p.order.pk for p in placed} == {order.pk}
    assert sum(p.created for p in placed) == 1
    assert order.status == OrderStatus.PAID
    assert TestGatewayCharge.objects.count() == 1
    assert TestGatewayCharge.objects.get().captured_amount == Decimal("200.00")
    assert order.payments.count() == 1
    assert [e.to_status for e in order.events.all()] == ["placed", "paid"]
    assert mails == [(order.pk, "paid")]
    assert _stock(variant) == 8


# --- all or nothing, sequentially, on both databases -----------------------------------------------------------


def _customer_usage(coupon: Coupon, user: User) -> int:
    return CouponCustomerUsage.objects.filter(coupon=coupon, user=user).values_list("uses", flat=True).first() or 0


@pytest.mark.django_db
@pytest.mark.parametrize("step", ["coupon", "deal"])
def test_a_refusal_after_the_stock_was_taken_rolls_the_whole_checkout_back(monkeypatch, step):
    # given a shopper whose cart holds a deal unit and a once-per-customer coupon
    from allbuy.cart import quoting
    from allbuy.orders import services

    variant = VariantFactory.create(price=Decimal("100.00"), stock_quantity=5)
    deal = DealFactory.create(
        variant=variant,
        deal_price=Decimal("80.00"),
        quantity_cap=2,
        starts_at=NOW - timedelta(hours=1),
        ends_at=NOW + timedelta(hours=5),
    )
    coupon = CouponFactory.create(code="LASTONE", total_cap=1, per_customer_cap=1, stacks_with_deals=True)
    shopper = shopper_ready(variant=variant, now=NOW)
    cart_coupon_set(cart=shopper.cart, code="lastone", now=NOW)
    # and the checkout prices the cart from a read made just before another checkout took the last coupon use
    # (or the last deal units): the price says it fits, the conditional take then finds nothing left
    if step == "coupon":
        view = quoting.coupon_view_for_code(code="LASTONE")
        monkeypatch.setattr(quoting, "coupon_view_for_code", lambda *, code: view)
        Coupon.objects.filter(pk=coupon.pk).update(uses=1)
    else:
        rows = quoting.deal_active_for_variants(variant_ids=[variant.pk], now=NOW)
        monkeypatch.setattr(quoting, "deal_active_for_variants", lambda **_: rows)
        Deal.objects.filter(pk=deal.pk).update(units_sold=2)
    stock_seen: list[int] = []
    real_stock_take = services._stock_take

    def stock_take_spied(lines: Any) -> None:
        real_stock_take(lines)
        stock_seen.append(_stock(variant))

    monkeypatch.setattr(services, "_stock_take", stock_take_spied)

    # when the shopper checks out
    with pytest.raises((CouponError, PriceChanged)) as refused:
        _request(shopper, "sequential-0001")()

    # then the step after the stock refused, though the stock had been taken in the same transaction …
    assert refused.value.code == {"coupon": "cap_reached", "deal": "deal_sold_out"}[step]
    assert stock_seen == [4]
    # … and nothing of this checkout is left: stock, deal units, coupon uses, order, lines, charge
    assert _stock(variant) == 5
    assert Deal.objects.get(pk=deal.pk).units_sold == (0 if step == "coupon" else 2)
    assert not DealCustomerUsage.objects.filter(user=shopper.user, units__gt=0).exists()
    assert Coupon.objects.get(pk=coupon.pk).uses == (1 if step == "coupon" else 0)
    assert _customer_usage(coupon, shopper.user) == 0
    assert not CouponRedemption.objects.exists()
    assert not Order.objects.exists()
    assert not OrderLine.objects.exists()
    assert TestGatewayCharge.objects.count() == 0
    assert CartLine.objects.filter(cart=shopper.cart).count() == 1
