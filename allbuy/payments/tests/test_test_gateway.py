"""The test gateway answers by card number like a real provider, keeps its own ledger, and honours idempotency keys."""

import re
from decimal import Decimal

import pytest

from allbuy.core.money import Money
from allbuy.payments.exceptions import (
    GatewayTimeout,
    GatewayUnavailable,
    IdempotencyKeyReused,
    PaymentAmountInvalid,
    PaymentNotFound,
    PaymentStateInvalid,
    RefundTooLarge,
)
from allbuy.payments.gateway import PaymentStatus
from allbuy.payments.models import TestGatewayCharge, TestGatewayOperation
from allbuy.payments.tests.conftest import (
    DECLINED,
    INSUFFICIENT_FUNDS,
    MASTERCARD_OK,
    PENDING,
    TIMEOUT,
    UNAVAILABLE,
    eur,
    request_make,
)

pytestmark = pytest.mark.django_db


# -- authorize ---------------------------------------------------------------------------------------------------


def test_the_standard_visa_is_authorized_and_recorded(authorize):
    result = authorize()
    assert result.status == PaymentStatus.AUTHORIZED
    assert re.fullmatch(r"tch_[0-9a-f]{24}", result.gateway_ref)
    assert result.amount == eur("99.90")
    assert (result.card_brand, result.card_last4, result.decline_code, result.message) == ("visa", "4242", "", "")
    charge = TestGatewayCharge.objects.get()
    assert charge.gateway_ref == result.gateway_ref
    assert (charge.reference, charge.amount, charge.currency, charge.status) == ("AB-1001", Decimal("99.90"), "EUR", "authorized")
    assert (charge.card_brand, charge.card_last4) == ("visa", "4242")


def test_mastercard_and_any_other_valid_number_are_authorized(authorize):
    assert authorize(MASTERCARD_OK, key="k1").card_brand == "mastercard"
    other = authorize("6011 1111 1111 1117", key="k2")
    assert (other.status, other.card_brand, other.card_last4) == (PaymentStatus.AUTHORIZED, "card", "1117")


@pytest.mark.parametrize(
    ("number", "code", "message"),
    [
        (DECLINED, "card_declined", "Your card was declined."),
        (INSUFFICIENT_FUNDS, "insufficient_funds", "Your card has insufficient funds."),
    ],
)
def test_declining_cards_are_declined_with_a_code_and_a_message(authorize, number, code, message):
    result = authorize(number)
    assert result.status == PaymentStatus.DECLINED
    assert result.is_declined
    assert (result.decline_code, result.message) == (code, message)
    assert TestGatewayCharge.objects.get().status == "declined"


def test_the_pending_card_waits_for_a_webhook(authorize):
    result = authorize(PENDING)
    assert result.status == PaymentStatus.PENDING
    assert result.message == ""
    assert TestGatewayCharge.objects.get().status == "pending"


def test_the_unavailable_card_records_nothing(authorize):
    with pytest.raises(GatewayUnavailable) as caught:
        authorize(UNAVAILABLE)
    assert (caught.value.code, caught.value.status) == ("payment_unavailable", 503)
    assert not TestGatewayCharge.objects.exists()


def test_the_same_key_returns_the_same_result_without_a_second_charge(authorize):
    first = authorize(key="same")
    again = authorize(key="same")
    assert again == first
    assert TestGatewayCharge.objects.count() == 1
    declined = authorize(DECLINED, key="declined-once")
    assert authorize(DECLINED, key="declined-once") == declined
    assert TestGatewayCharge.objects.count() == 2


def test_a_new_key_is_a_new_charge(authorize):
    assert authorize(key="a").gateway_ref != authorize(key="b").gateway_ref
    assert TestGatewayCharge.objects.count() == 2


@pytest.mark.parametrize("changed", [{"amount": "10.00"}, {"reference": "AB-9999"}, {"number": MASTERCARD_OK}])
def test_the_same_key_with_a_different_request_is_refused(authorize, changed):
    authorize(key="once")
    with pytest.raises(IdempotencyKeyReused) as caught:
        authorize(key="once", **changed)
    assert (caught.value.code, caught.value.status) == ("idempotency_key_reused", 409)
    assert TestGatewayCharge.objects.count() == 1


def test_a_timeout_after_the_charge_is_retried_without_charging_twice(authorize):
    # given: the provider records the charge, but its answer is lost
    with pytest.raises(GatewayTimeout) as caught:
        authorize(TIMEOUT, key="lost-answer")
    assert (caught.value.code, caught.value.status) == ("payment_timeout", 504)
    assert "nothing is charged twice" in caught.value.message
    assert TestGatewayCharge.objects.get().status == "authorized"
    # when: the shop retries with the same key
    result = authorize(TIMEOUT, key="lost-answer")
    # then: the charge that was made is returned, and there is still one
    assert result.status == PaymentStatus.AUTHORIZED
    assert result.gateway_ref == TestGatewayCharge.objects.get().gateway_ref
    assert TestGatewayCharge.objects.count() == 1


@pytest.mark.parametrize("amount", ["0.00", "-5.00", "1.005", "NaN"])
def test_an_amount_that_cannot_be_charged_is_refused(gateway, amount):
    with pytest.raises(PaymentAmountInvalid):
        gateway.authorize(request_make(amount=amount))
    assert not TestGatewayCharge.objects.exists()


# -- capture, void, refund ---------------------------------------------------------------------------------------


def test_capture_takes_the_authorized_amount(gateway, authorize):
    ref = authorize().gateway_ref
    result = gateway.capture(gateway_ref=ref, amount=eur("99.90"), idempotency_key="cap-1")
    assert (result.status, result.amount, result.gateway_ref, result.card_last4) == (
        PaymentStatus.CAPTURED,
        eur("99.90"),
        ref,
        "4242",
    )
    charge = TestGatewayCharge.objects.get()
    assert (charge.status, charge.captured_amount) == ("captured", Decimal("99.90"))


def test_capture_may_take_less_but_not_more_than_authorized(gateway, authorize):
    ref = authorize().gateway_ref
    with pytest.raises(PaymentAmountInvalid):
        gateway.capture(gateway_ref=ref, amount=eur("99.91"), idempotency_key="cap-too-much")
    with pytest.raises(PaymentAmountInvalid):
        gateway.capture(gateway_ref=ref, amount=Money(Decimal("99.90"), "USD"), idempotency_key="cap-usd")
    assert gateway.capture(gateway_ref=ref, amount=eur("80.00"), idempotency_key="cap-part").amount == eur("80.00")
    assert TestGatewayCharge.objects.get().captured_amount == Decimal("80.00")


def test_capture_is_idempotent(gateway, authorize):
    ref = authorize().gateway_ref
    first = gateway.capture(gateway_ref=ref, amount=eur("99.90"), idempotency_key="cap-1")
    assert gateway.capture(gateway_ref=ref, amount=eur("99.90"), idempotency_key="cap-1") == first
    assert TestGatewayOperation.objects.count() == 1
    with pytest.raises(PaymentStateInvalid):  # a second capture under a new key
        gateway.capture(gateway_ref=ref, amount=eur("99.90"), idempotency_key="cap-2")
    with pytest.raises(IdempotencyKeyReused):
        gateway.capture(gateway_ref=ref, amount=eur("50.00"), idempotency_key="cap-1")


@pytest.mark.parametrize("number", [DECLINED, PENDING])
def test_only_an_authorized_charge_can_be_captured(gateway, authorize, number):
    ref = authorize(number).gateway_ref
    with pytest.raises(PaymentStateInvalid) as caught:
        gateway.capture(gateway_ref=ref, amount=eur("99.90"), idempotency_key="cap")
    assert (caught.value.code, caught.value.status) == ("payment_state_invalid", 409)


def test_an_unknown_charge_is_not_found(gateway):
    with pytest.raises(PaymentNotFound) as caught:
        gateway.capture(gateway_ref="tch_000000000000000000000000", amount=eur("1.00"), idempotency_key="x")
    assert caught.value.status == 404


@pytest.mark.parametrize("number", ["4242 4242 4242 4242", PENDING])
def test_void_releases_an_authorized_or_pending_charge(gateway, authorize, number):
    ref = authorize(number).gateway_ref
    result = gateway.void(gateway_ref=ref, idempotency_key="void-1")
    assert (result.status, result.amount) == (PaymentStatus.VOIDED, eur("99.90"))
    assert gateway.void(gateway_ref=ref, idempotency_key="void-1") == result
    assert TestGatewayCharge.objects.get().status == "voided"
    with pytest.raises(PaymentStateInvalid):
        gateway.capture(gateway_ref=ref, amount=eur("99.90"), idempotency_key="cap-after-void")


def test_a_captured_charge_cannot_be_voided(gateway, authorize):
    ref = authorize().gateway_ref
    gateway.capture(gateway_ref=ref, amount=eur("99.90"), idempotency_key="cap")
    with pytest.raises(PaymentStateInvalid):
        gateway.void(gateway_ref=ref, idempotency_key="void")


def test_partial_refunds_add_up_and_a_full_refund_marks_the_charge_refunded(gateway, authorize):
    ref = authorize().gateway_ref
    gateway.capture(gateway_ref=ref, amount=eur("99.90"), idempotency_key="cap")
    first = gateway.refund(gateway_ref=ref, amount=eur("30.00"), idempotency_key="refund-1")
    assert (first.status, first.amount) == (PaymentStatus.CAPTURED, eur("30.00"))
    assert gateway.refund(gateway_ref=ref, amount=eur("30.00"), idempotency_key="refund-1") == first  # a retry
    second = gateway.refund(gateway_ref=ref, amount=eur("30.00"), idempotency_key="refund-2")
    assert second.status == PaymentStatus.CAPTURED
    assert TestGatewayCharge.objects.get().refunded_amount == Decimal("60.00")
    # more than is left is refused, and changes nothing
    with pytest.raises(RefundTooLarge) as caught:
        gateway.refund(gateway_ref=ref, amount=eur("39.91"), idempotency_key="refund-3")
    assert caught.value.code == "refund_too_large"
    assert caught.value.extra == {"refundable": "39.90"}
    assert TestGatewayCharge.objects.get().refunded_amount == Decimal("60.00")
    last = gateway.refund(gateway_ref=ref, amount=eur("39.90"), idempotency_key="refund-4")
    assert (last.status, last.amount) == (PaymentStatus.REFUNDED, eur("39.90"))
    charge = TestGatewayCharge.objects.get()
    assert (charge.status, charge.refunded_amount) == ("refunded", Decimal("99.90"))
    with pytest.raises(RefundTooLarge):
        gateway.refund(gateway_ref=ref, amount=eur("0.01"), idempotency_key="refund-5")


def test_a_refund_is_limited_to_what_was_captured(gateway, authorize):
    ref = authorize().gateway_ref
    with pytest.raises(PaymentStateInvalid):  # nothing captured yet: void instead
        gateway.refund(gateway_ref=ref, amount=eur("1.00"), idempotency_key="early")
    gateway.capture(gateway_ref=ref, amount=eur("50.00"), idempotency_key="cap")
    with pytest.raises(RefundTooLarge):
        gateway.refund(gateway_ref=ref, amount=eur("50.01"), idempotency_key="refund")
    assert gateway.refund(gateway_ref=ref, amount=eur("50.00"), idempotency_key="refund").status == PaymentStatus.REFUNDED


def test_an_operation_key_belongs_to_one_charge(gateway, authorize):
    one, two = authorize(key="a").gateway_ref, authorize(key="b").gateway_ref
    gateway.void(gateway_ref=one, idempotency_key="shared")
    with pytest.raises(IdempotencyKeyReused):
        gateway.void(gateway_ref=two, idempotency_key="shared")
    assert TestGatewayCharge.objects.get(gateway_ref=two).status == "authorized"
