"""After the sale: the status machine, fulfilment steps, cancelling, refunding, and expiring unpaid orders."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from allbuy.cart.services import cart_coupon_set
from allbuy.catalog.models import Variant
from allbuy.catalog.tests.factories import VariantFactory
from allbuy.core.money import Money
from allbuy.coupons.models import Coupon, CouponRedemption
from allbuy.coupons.tests.factories import CouponFactory
from allbuy.deals.models import Deal
from allbuy.deals.tests.factories import DealFactory
from allbuy.orders.exceptions import RefundInvalid, TransitionNotAllowed
from allbuy.orders.models import Order, OrderEvent, OrderStatus, PaymentState, Refund, WebhookReceipt
from allbuy.orders.services import order_cancel, order_place, order_refund, order_status_set, orders_unpaid_expire
from allbuy.orders.states import CUSTOMER_CANCELLABLE, TRANSITIONS, transition_allowed
from allbuy.orders.tests.factories import CARD_OK, CARD_PENDING, CARD_TIMEOUT, NOW, Shopper, card, shopper_ready
from allbuy.payments.exceptions import GatewayTimeout
from allbuy.payments.gateway import (
    AuthorizeRequest,
    PaymentGateway,
    PaymentResult,
    PaymentStatus,
    WebhookEvent,
    gateway_get,
)
from allbuy.payments.models import TestGatewayCharge

pytestmark = pytest.mark.django_db

LATER = NOW + timedelta(hours=2)
S = OrderStatus


# --- helpers (also used by the admin, email and command tests) -----------------------------------------------------


def place(shopper: Shopper, *, number: str = CARD_OK, key: str = "checkout-0001") -> Order:
    return order_place(
        user=shopper.user,
        cart=shopper.cart,
        address_id=shopper.address.pk,
        shipping_code="standard",
        idempotency_key=key,
        card=card(number),
        now=NOW,
    ).order


def paid_order(**shopper: object) -> Order:
    order = place(shopper_ready(**shopper))  # type: ignore[arg-type]
    assert order.status == S.PAID
    return order


def pending_order(**shopper: object) -> Order:
    order = place(shopper_ready(**shopper), number=CARD_PENDING)  # type: ignore[arg-type]
    assert (order.status, order.payment_state) == (S.PLACED, PaymentState.PENDING)
    return order


def unanswered_order(**shopper: object) -> Order:
    """An order whose payment got no answer (a gateway timeout nobody retried): placed, payment state unknown."""
    with pytest.raises(GatewayTimeout):
        place(shopper_ready(**shopper), number=CARD_TIMEOUT)  # type: ignore[arg-type]
    order = Order.objects.latest("id")
    assert (order.status, order.payment_state) == (S.PLACED, PaymentState.UNKNOWN)
    return order


def status_force(order: Order, status: str) -> Order:
    Order.objects.filter(pk=order.pk).update(status=status)
    order.refresh_from_db()
    return order


def charge_of(order: Order) -> TestGatewayCharge:
    return TestGatewayCharge.objects.get(reference=order.number)


def stock_of(variant: Variant) -> int:
    return Variant.objects.values_list("stock_quantity", flat=True).get(pk=variant.pk)


# --- the status machine ---------------------------------------------------------------------------------------------

ALLOWED = {
    (S.PLACED, S.PAID),
    (S.PLACED, S.CANCELLED),
    (S.PAID, S.FULFILLING),
    (S.PAID, S.CANCELLED),
    (S.PAID, S.REFUNDED),
    (S.FULFILLING, S.SHIPPED),
    (S.FULFILLING, S.CANCELLED),
    (S.FULFILLING, S.REFUNDED),
    (S.SHIPPED, S.DELIVERED),
    (S.SHIPPED, S.REFUNDED),
    (S.DELIVERED, S.REFUNDED),
}
EVERY_PAIR = [(current, target) for current in S.values for target in S.values]


def test_the_table_names_every_status_and_only_known_ones():
    assert set(TRANSITIONS) == set(S.values)
    assert set().union(*TRANSITIONS.values()) <= set(S.values)


@pytest.mark.parametrize(("current", "target"), EVERY_PAIR, ids=[f"{c}->{t}" for c, t in EVERY_PAIR])
def test_every_transition_is_allowed_or_refused_as_the_table_says(current, target):
    # then
    assert transition_allowed(current, target) is ((current, target) in ALLOWED)


def test_an_unknown_status_allows_nothing():
    assert not transition_allowed("lost", S.PAID)
    assert not transition_allowed(S.PAID, "lost")


def test_the_customer_may_cancel_only_before_packing():
    assert set(CUSTOMER_CANCELLABLE) == {S.PLACED, S.PAID}


# --- fulfilment steps -----------------------------------------------------------------------------------------------


def test_a_paid_order_moves_through_fulfilment_and_each_step_is_recorded():
    # given
    order = paid_order()

    # when
    for step, moment in ((S.FULFILLING, LATER), (S.SHIPPED, LATER + timedelta(days=1)), (S.DELIVERED, LATER + timedelta(days=3))):
        order_status_set(order=order, to_status=step, actor="staff", note=f"step {step}", now=moment)

    # then
    order.refresh_from_db()
    assert order.status == S.DELIVERED
    assert order.updated_at == LATER + timedelta(days=3)
    events = list(order.events.values_list("from_status", "to_status", "actor", "note"))
    assert events[2:] == [
        (S.PAID, S.FULFILLING, "staff", "step fulfilling"),
        (S.FULFILLING, S.SHIPPED, "staff", "step shipped"),
        (S.SHIPPED, S.DELIVERED, "staff", "step delivered"),
    ]


STAFF_STEPS = (S.FULFILLING, S.SHIPPED, S.DELIVERED)
STEP_CASES = [(current, target) for current in S.values for target in STAFF_STEPS]


@pytest.mark.parametrize(("current", "target"), STEP_CASES, ids=[f"{c}->{t}" for c, t in STEP_CASES])
def test_order_status_set_applies_exactly_the_allowed_fulfilment_steps(current, target):
    # given
    order = status_force(paid_order(), current)
    events = order.events.count()

    # when
    if (current, target) in ALLOWED:
        order_status_set(order=order, to_status=target, actor="staff", now=LATER)
        expected = target
    else:
        with pytest.raises(TransitionNotAllowed):
            order_status_set(order=order, to_status=target, actor="staff", now=LATER)
        expected = current

    # then
    assert Order.objects.get(pk=order.pk).status == expected
    assert order.events.count() == events + (expected != current)


@pytest.mark.parametrize("target", [S.PAID, S.CANCELLED, S.REFUNDED, S.PLACED, "lost"])
def test_order_status_set_refuses_what_cancel_refund_or_payment_do(target):
    order = paid_order()
    with pytest.raises(TransitionNotAllowed):
        order_status_set(order=order, to_status=target, actor="staff", now=LATER)
    assert Order.objects.get(pk=order.pk).status == S.PAID


def test_a_step_from_a_stale_copy_is_refused_when_someone_else_moved_the_order():
    # given two staff members looking at the same paid order
    order = paid_order()
    mine, theirs = Order.objects.get(pk=order.pk), Order.objects.get(pk=order.pk)
    order_status_set(order=theirs, to_status=S.FULFILLING, actor="staff", now=LATER)

    # when I start packing it too, from my stale copy
    with pytest.raises(TransitionNotAllowed):
        order_status_set(order=mine, to_status=S.FULFILLING, actor="staff", now=LATER)

    # then it moved once
    assert OrderEvent.objects.filter(order=order, to_status=S.FULFILLING).count() == 1


# --- cancelling -----------------------------------------------------------------------------------------------------


@pytest.fixture
def held():
    """A variant on a deal, a coupon: an order holds stock, deal units and a coupon use until it is cancelled."""
    variant = VariantFactory.create(price=Decimal("100.00"), stock_quantity=5)
    deal = DealFactory.create(
        variant=variant,
        deal_price=Decimal("80.00"),
        quantity_cap=10,
        starts_at=NOW - timedelta(hours=1),
        ends_at=NOW + timedelta(hours=5),
    )
    coupon = CouponFactory.create(code="TENOFF", total_cap=5, stacks_with_deals=True)
    return variant, deal, coupon


def _shopper_holding(held) -> Shopper:
    variant, _, _ = held
    shopper = shopper_ready(variant=variant, quantity=2)
    cart_coupon_set(cart=shopper.cart, code="tenoff")
    return shopper


def _assert_all_released(held) -> None:
    variant, deal, coupon = held
    assert stock_of(variant) == 5
    assert Deal.objects.get(pk=deal.pk).units_sold == 0
    assert Coupon.objects.get(pk=coupon.pk).uses == 0


def test_cancelling_a_pending_order_voids_the_payment_and_releases_everything(held):
    # given
    variant, deal, coupon = held
    order = place(_shopper_holding(held), number=CARD_PENDING)
    assert stock_of(variant) == 3
    assert Deal.objects.get(pk=deal.pk).units_sold == 2
    assert Coupon.objects.get(pk=coupon.pk).uses == 1

    # when
    order = order_cancel(order=order, actor="staff", reason="customer called", now=LATER)

    # then
    assert (order.status, order.payment_state) == (S.CANCELLED, PaymentState.VOIDED)
    assert order.cancel_reason == "customer called"
    assert order.released_at == LATER
    assert order.payments.get().status == PaymentStatus.VOIDED
    assert charge_of(order).status == PaymentStatus.VOIDED
    assert not Refund.objects.exists()
    _assert_all_released(held)
    assert CouponRedemption.objects.get(order_ref=order.number).released_at == LATER
    assert order.events.latest("id").to_status == S.CANCELLED


def test_cancelling_a_paid_order_refunds_it_in_full_and_releases_everything(held):
    # given
    order = place(_shopper_holding(held))
    assert order.status == S.PAID

    # when
    order = order_cancel(order=order, actor="staff", reason="out of stock at the warehouse", now=LATER)

    # then
    assert order.status == S.CANCELLED
    assert order.refunded == order.total
    refund = Refund.objects.get()
    assert (refund.amount, refund.reason, refund.created_at) == (order.total, "order cancelled", LATER)
    charge = charge_of(order)
    assert charge.refunded_amount == charge.captured_amount == order.total
    assert charge.status == PaymentStatus.REFUNDED
    _assert_all_released(held)


def test_the_customer_may_cancel_a_paid_order():
    order = order_cancel(order=paid_order(), actor="customer", by_customer=True, now=LATER)
    assert order.status == S.CANCELLED


@pytest.mark.parametrize("status", [S.FULFILLING, S.SHIPPED, S.DELIVERED])
def test_the_customer_cannot_cancel_once_packing_started(status):
    # given
    variant = VariantFactory.create(stock_quantity=5)
    order = paid_order(variant=variant)
    order_status_set(order=order, to_status=S.FULFILLING, actor="staff", now=LATER)
    status_force(order, status)

    # when
    with pytest.raises(TransitionNotAllowed) as refused:
        order_cancel(order=order, actor="customer", by_customer=True, now=LATER)

    # then nothing was given back or refunded
    assert "contact us" in refused.value.message
    order.refresh_from_db()
    assert (order.status, order.refunded, order.released_at) == (status, Decimal("0"), None)
    assert stock_of(variant) == 4
    assert not Refund.objects.exists()


def test_staff_may_cancel_while_packing_but_not_once_shipped():
    order = paid_order()
    order_status_set(order=order, to_status=S.FULFILLING, actor="staff", now=LATER)
    assert order_cancel(order=order, actor="staff", now=LATER).status == S.CANCELLED

    shipped = status_force(paid_order(email="second@example.org"), S.SHIPPED)
    with pytest.raises(TransitionNotAllowed):
        order_cancel(order=shipped, actor="staff", now=LATER)


@pytest.mark.parametrize("kind", ["paid", "pending"])
def test_cancelling_twice_refuses_the_second_and_releases_and_refunds_once(held, kind):
    # given a cancelled order
    order = place(_shopper_holding(held), number=CARD_OK if kind == "paid" else CARD_PENDING)
    order_cancel(order=order, actor="staff", reason="first", now=LATER)

    # when someone cancels it again
    with pytest.raises(TransitionNotAllowed):
        order_cancel(order=Order.objects.get(pk=order.pk), actor="customer", reason="second", now=LATER + timedelta(minutes=1))

    # then everything came back exactly once
    _assert_all_released(held)
    order.refresh_from_db()
    assert order.released_at == LATER
    assert Refund.objects.count() == (1 if kind == "paid" else 0)
    assert order.refunded == (order.total if kind == "paid" else 0)
    assert OrderEvent.objects.filter(order=order, to_status=S.CANCELLED).count() == 1


def test_cancelling_after_a_partial_refund_refunds_only_what_is_left():
    order = paid_order()  # 100.00
    order_refund(order=order, amount=Decimal("30.00"), actor="staff", reason="scratch", now=LATER)

    order = order_cancel(order=order, actor="staff", now=LATER)

    assert order.refunded == Decimal("100.00")
    assert sorted(Refund.objects.values_list("amount", flat=True)) == [Decimal("30.00"), Decimal("70.00")]
    assert charge_of(order).refunded_amount == Decimal("100.00")


# --- refunds --------------------------------------------------------------------------------------------------------


def test_a_partial_refund_keeps_the_status_and_the_rest_makes_the_order_refunded():
    # given a paid order of 100.00
    order = paid_order()

    # when part is refunded
    order = order_refund(order=order, amount=Decimal("25.50"), actor="staff", reason="dented box", now=LATER)

    # then the order keeps its status, and says what was refunded
    assert (order.status, order.refunded) == (S.PAID, Decimal("25.50"))
    assert order.payments.get().status == PaymentStatus.CAPTURED
    assert order.events.latest("id").note == "partial refund of 25.50 EUR"
    assert charge_of(order).refunded_amount == Decimal("25.50")

    # when the rest is refunded
    order = order_refund(order=order, amount=Decimal("74.50"), actor="staff", reason="returned", now=LATER)

    # then it is refunded in full
    assert (order.status, order.refunded) == (S.REFUNDED, Decimal("100.00"))
    assert order.payments.get().status == PaymentStatus.REFUNDED
    assert list(Refund.objects.order_by("id").values_list("amount", "reason")) == [
        (Decimal("25.50"), "dented box"),
        (Decimal("74.50"), "returned"),
    ]
    assert charge_of(order).status == PaymentStatus.REFUNDED


def test_a_delivered_order_can_be_refunded_in_full():
    order = status_force(paid_order(), S.DELIVERED)
    order = order_refund(order=order, amount=Decimal("100.00"), actor="staff", now=LATER)
    assert order.status == S.REFUNDED


def test_more_than_is_left_is_refused_and_nothing_moves():
    # given
    order = paid_order()
    order_refund(order=order, amount=Decimal("60.00"), actor="staff", now=LATER)

    # when
    with pytest.raises(RefundInvalid) as refused:
        order_refund(order=order, amount=Decimal("40.01"), actor="staff", now=LATER)

    # then
    assert "40.00" in refused.value.message
    assert refused.value.status == 400
    assert Order.objects.get(pk=order.pk).refunded == Decimal("60.00")
    assert Refund.objects.count() == 1
    assert charge_of(order).refunded_amount == Decimal("60.00")


@pytest.mark.parametrize(
    "amount",
    [
        Decimal("0"),
        Decimal("0.00"),
        Decimal("-5.00"),
        Decimal("0.001"),
        Decimal("10.005"),
        Decimal("NaN"),
        Decimal("Infinity"),
        10,
        10.0,
        "10.00",
    ],
    ids=str,
)
def test_an_amount_that_is_not_a_positive_number_of_cents_is_refused(amount):
    order = paid_order()
    with pytest.raises(RefundInvalid):
        order_refund(order=order, amount=amount, actor="staff", now=LATER)
    assert Order.objects.get(pk=order.pk).refunded == 0
    assert not Refund.objects.exists()


def test_an_order_that_was_never_paid_cannot_be_refunded():
    order = pending_order()
    with pytest.raises(RefundInvalid, match="Only a paid order"):
        order_refund(order=order, amount=Decimal("10.00"), actor="staff", now=LATER)
    assert not Refund.objects.exists()


def test_a_cancelled_or_refunded_order_cannot_be_refunded_again():
    cancelled = order_cancel(order=paid_order(), actor="staff", now=LATER)
    with pytest.raises(RefundInvalid):
        order_refund(order=cancelled, amount=Decimal("1.00"), actor="staff", now=LATER)

    voided = order_cancel(order=pending_order(email="other@example.org"), actor="staff", now=LATER)
    with pytest.raises(RefundInvalid, match="Only a paid order"):
        order_refund(order=voided, amount=Decimal("1.00"), actor="staff", now=LATER)
    assert Refund.objects.count() == 1  # the first cancellation's


# --- expiring unpaid orders -----------------------------------------------------------------------------------------


def test_unpaid_orders_expire_after_the_cutoff_with_the_clock_moved(monkeypatch):
    # given an order whose payment never got an answer, placed at NOW, and one waiting for the bank
    variant = VariantFactory.create(stock_quantity=5)
    stale = unanswered_order(variant=variant)
    waiting = pending_order(email="waiting@example.org")
    paid = paid_order(email="paid@example.org")
    assert stock_of(variant) == 4

    # when the clock is 29 minutes, then exactly 30, later
    monkeypatch.setattr("allbuy.core.clock.now", lambda: NOW + timedelta(minutes=29))
    assert orders_unpaid_expire() == 0
    monkeypatch.setattr("allbuy.core.clock.now", lambda: NOW + timedelta(minutes=30))
    assert orders_unpaid_expire() == 0

    # when a minute more has passed
    monkeypatch.setattr("allbuy.core.clock.now", lambda: NOW + timedelta(minutes=31))
    assert orders_unpaid_expire() == 1

    # then only the unanswered order was cancelled, by the system, and its stock is back
    stale.refresh_from_db()
    assert (stale.status, stale.cancel_reason, stale.released_at) == (
        S.CANCELLED,
        "payment not completed",
        NOW + timedelta(minutes=31),
    )
    assert stale.events.latest("id").actor == "system"
    assert stock_of(variant) == 5
    assert Order.objects.get(pk=waiting.pk).status == S.PLACED
    assert Order.objects.get(pk=paid.pk).status == S.PAID

    # when it runs again, nothing is left to do
    assert orders_unpaid_expire() == 0


def test_the_age_is_configurable_and_the_time_can_be_passed():
    order = unanswered_order()
    Order.objects.filter(pk=order.pk).update(payment_state=PaymentState.NONE)  # never reached the gateway
    assert orders_unpaid_expire(older_than_minutes=10, now=NOW + timedelta(minutes=9)) == 0
    assert orders_unpaid_expire(older_than_minutes=10, now=NOW + timedelta(minutes=11)) == 1
    assert Order.objects.get(pk=order.pk).status == S.CANCELLED


def test_expiring_skips_an_order_cancelled_meanwhile():
    order = unanswered_order()
    order_cancel(order=order, actor="customer", by_customer=True, now=NOW + timedelta(minutes=5))
    assert orders_unpaid_expire(now=NOW + timedelta(hours=1)) == 0


# --- the jobs: manage.py orders_expire_unpaid and test_gateway_settle -----------------------------------------------


def _command(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_the_expiry_command_cancels_unpaid_orders_and_says_how_many(monkeypatch):
    # given an unanswered order placed at NOW
    variant = VariantFactory.create(stock_quantity=3)
    order = unanswered_order(variant=variant)
    monkeypatch.setattr("allbuy.core.clock.now", lambda: NOW + timedelta(minutes=45))

    # when / then: not yet an hour old
    assert _command("orders_expire_unpaid", "--minutes", "60") == "Cancelled 0 unpaid orders older than 60 minutes.\n"
    assert Order.objects.get(pk=order.pk).status == S.PLACED

    # when / then: older than the default half hour
    assert _command("orders_expire_unpaid") == "Cancelled 1 unpaid order older than 30 minutes.\n"
    assert Order.objects.get(pk=order.pk).status == S.CANCELLED
    assert stock_of(variant) == 3


@pytest.mark.parametrize("minutes", ["0", "-5", "abc", "1.5", "", "43201"])
def test_the_expiry_command_refuses_a_bad_age_in_one_line(minutes):
    order = unanswered_order()
    with pytest.raises(CommandError) as refused:
        call_command("orders_expire_unpaid", "--minutes", minutes)
    assert str(refused.value) == f"--minutes must be a whole number from 1 to 43200, not {minutes!r}."
    assert Order.objects.get(pk=order.pk).status == S.PLACED


def test_from_the_shell_a_bad_age_exits_non_zero_with_one_readable_line():
    # given the command as an operator runs it (no database is needed to refuse the input)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    manage = Path(settings.BASE_DIR) / "manage.py"

    # when
    result = subprocess.run(
        [sys.executable, str(manage), "orders_expire_unpaid", "--minutes", "soon"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )

    # then
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == ["CommandError: --minutes must be a whole number from 1 to 43200, not 'soon'."]
    assert result.stdout == ""


@pytest.mark.parametrize(("flag", "status", "outcome"), [("--succeed", S.PAID, "paid"), ("--fail", S.CANCELLED, "cancelled")])
def test_settling_a_pending_test_payment_applies_the_signed_webhook(flag, status, outcome):
    # given an order waiting for the bank
    variant = VariantFactory.create(stock_quantity=2)
    order = pending_order(variant=variant)

    # when the developer plays the bank (typing the number in lower case)
    out = _command("test_gateway_settle", order.number.lower(), flag)

    # then the order is paid, or cancelled with its stock back
    assert out.startswith(f"Order {order.number}: {outcome}")
    order.refresh_from_db()
    assert order.status == status
    assert stock_of(variant) == (1 if status == S.PAID else 2)
    assert WebhookReceipt.objects.count() == 1
    assert charge_of(order).status == (PaymentStatus.CAPTURED if status == S.PAID else PaymentStatus.DECLINED)


def test_settling_refuses_an_unknown_order_or_one_not_waiting_for_the_bank():
    paid = paid_order()
    with pytest.raises(CommandError, match=r"^There is no order ABNOSUCHORDE\.$"):
        call_command("test_gateway_settle", "ABNOSUCHORDE", "--succeed")
    with pytest.raises(CommandError, match=f"^Order {paid.number} has no pending payment to settle"):
        call_command("test_gateway_settle", paid.number, "--fail")
    assert Order.objects.get(pk=paid.pk).status == S.PAID


def test_settling_twice_is_refused_the_second_time():
    order = pending_order()
    _command("test_gateway_settle", order.number, "--succeed")
    with pytest.raises(CommandError, match="no pending payment"):
        call_command("test_gateway_settle", order.number, "--fail")
    assert Order.objects.get(pk=order.pk).status == S.PAID


def test_settling_a_payment_the_gateway_already_decided_says_why_in_one_line():
    # given a pending order whose payment the gateway already decided (a bank answer lost on its way)
    order = pending_order()
    gateway_get().webhook_build(gateway_ref=order.payments.get().gateway_ref, succeed=True, now=NOW)  # type: ignore[attr-defined]

    # when / then
    with pytest.raises(CommandError, match=f"^Order {order.number}: Only a pending payment is decided by webhook"):
        call_command("test_gateway_settle", order.number, "--succeed")


@pytest.mark.parametrize("flags", [[], ["--succeed", "--fail"]], ids=["no outcome", "both outcomes"])
def test_settling_needs_exactly_one_outcome(flags):
    order = pending_order()
    with pytest.raises(CommandError):
        call_command("test_gateway_settle", order.number, *flags)
    assert Order.objects.get(pk=order.pk).status == S.PLACED


class RealGateway(PaymentGateway):
    """Stands for a real provider's gateway: the settle command must not touch it."""

    code = "real"

    def authorize(self, request: AuthorizeRequest) -> PaymentResult:
        raise NotImplementedError

    def capture(self, *, gateway_ref: str, amount: Money, idempotency_key: str) -> PaymentResult:
        raise NotImplementedError

    def void(self, *, gateway_ref: str, idempotency_key: str) -> PaymentResult:
        raise NotImplementedError

    def refund(self, *, gateway_ref: str, amount: Money, idempotency_key: str) -> PaymentResult:
        raise NotImplementedError

    def webhook_parse(self, *, body: bytes, headers: Mapping[str, str], now: datetime) -> WebhookEvent:
        raise NotImplementedError


def test_settling_is_refused_unless_the_gateway_is_the_test_gateway(settings):
    # given an order waiting for the bank, and then a real provider configured
    order = pending_order()
    settings.ALLBUY_PAYMENT_GATEWAY = f"{__name__}.RealGateway"

    # when / then
    with pytest.raises(CommandError, match=r"^The configured payment gateway is not the test gateway"):
        call_command("test_gateway_settle", order.number, "--succeed")
    assert Order.objects.get(pk=order.pk).status == S.PLACED
