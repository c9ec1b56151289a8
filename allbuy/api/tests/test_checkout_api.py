"""Checkout over the API: one order and one charge per idempotency key, every payment outcome, never the card back."""

import logging
import uuid
from decimal import Decimal

import pytest
from django.test import Client

from allbuy.accounts.tests.factories import address_add, customer_create
from allbuy.api.tests.assertions import error_of
from allbuy.cart.models import CartLine
from allbuy.cart.services import cart_coupon_set, cart_create, cart_line_add
from allbuy.catalog.models import Variant
from allbuy.catalog.tests.factories import VariantFactory
from allbuy.coupons.tests.factories import CouponFactory
from allbuy.orders.models import Order, OrderStatus, PaymentState
from allbuy.orders.tests.factories import CARD_DECLINED, CARD_NO_FUNDS, CARD_OK, CARD_PENDING, CARD_TIMEOUT, NOW, shopper_ready
from allbuy.payments.models import TestGatewayCharge

pytestmark = pytest.mark.django_db

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
JSON = "application/json"
CARD_UNAVAILABLE = "4000000000000036"
SPACED = "4242 4242 4242 4242"


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch):
    monkeypatch.setattr("allbuy.core.clock.now", lambda: NOW)


@pytest.fixture
def variant():
    return VariantFactory.create(price=Decimal("100.00"), stock_quantity=5)


def _body(shopper, *, number=SPACED, **overrides):
    body = {
        "cart_id": str(shopper.cart.pk),
        "address_id": shopper.address.pk,
        "shipping_method": "standard",
        "expected_total": "100.00",
        "card": {"number": number, "exp_month": 12, "exp_year": NOW.year + 3, "cvc": "123"},
    }
    body.update(overrides)
    return body


def _checkout(client, body, *, key="checkout-key-0001", **headers):
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return client.post("/api/checkout", body, content_type=JSON, **headers)


# --- the happy path and idempotency --------------------------------------------------------------------------------


def test_a_paid_checkout_is_a_201_with_the_order(browser, shopper, variant):
    # when
    response = _checkout(browser, _body(shopper))

    # then
    assert response.status_code == 201
    order = response.json()
    assert (order["status"], order["payment_state"], order["total"], order["currency"]) == ("paid", "captured", "100.00", "EUR")
    assert order["number"] == Order.objects.get().number
    assert [(line["sku"], line["quantity"], line["total"]) for line in order["lines"]] == [(variant.sku, 1, "100.00")]
    assert order["can_cancel"] is True
    assert TestGatewayCharge.objects.count() == 1
    assert Variant.objects.get(pk=variant.pk).stock_quantity == 4
    assert not CartLine.objects.filter(cart=shopper.cart).exists()


def test_the_same_key_twice_is_one_order_and_one_charge(browser, shopper):
    first = _checkout(browser, _body(shopper))
    second = _checkout(browser, _body(shopper))

    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["number"] == second.json()["number"]
    assert Order.objects.count() == 1
    assert TestGatewayCharge.objects.count() == 1


def test_the_same_key_with_other_details_is_a_422(browser, shopper):
    _checkout(browser, _body(shopper))

    body = error_of(_checkout(browser, _body(shopper, shipping_method="express")), 422)

    assert body["code"] == "idempotency_key_reused"
    assert Order.objects.count() == 1


@pytest.mark.parametrize(("key", "code"), [(None, "idempotency_key_missing"), ("", "idempotency_key_missing"),
                                           ("short", "idempotency_key_invalid"), ("bad key!", "idempotency_key_invalid"),
                                           ("k" * 81, "idempotency_key_invalid")])  # fmt: skip
def test_a_missing_or_malformed_key_is_a_400_and_nothing_is_charged(browser, shopper, key, code):
    body = error_of(_checkout(browser, _body(shopper), key=key), 400)

    assert body["code"] == code
    assert not Order.objects.exists()
    assert TestGatewayCharge.objects.count() == 0


# --- who may check out ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("enforce_csrf", [False, True])
def test_checking_out_without_signing_in_is_a_401(shopper, enforce_csrf):
    body = error_of(_checkout(Client(enforce_csrf_checks=enforce_csrf), _body(shopper)), 401)

    assert body["code"] == "not_authenticated"
    assert not Order.objects.exists()


def test_a_checkout_without_the_csrf_token_is_refused_and_charges_nothing(shopper):
    # given: a signed-in browser whose session cookie a foreign page could make it send
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(shopper.user, backend=MODEL_BACKEND)

    # when
    forged = _checkout(browser, _body(shopper))
    token = browser.get("/api/csrf").json()["csrf_token"]
    genuine = _checkout(browser, _body(shopper), HTTP_X_CSRFTOKEN=token)

    # then
    assert error_of(forged, 403)["code"] == "csrf_failed"
    assert genuine.status_code == 201
    assert TestGatewayCharge.objects.count() == 1


def test_someone_elses_cart_is_a_404(browser, shopper, variant):
    other = shopper_ready(variant=variant)

    body = error_of(_checkout(browser, _body(shopper, cart_id=str(other.cart.pk))), 404)

    assert body["code"] == "cart_not_found"
    assert not Order.objects.exists()


def test_an_unknown_cart_is_a_404(browser, shopper):
    assert error_of(_checkout(browser, _body(shopper, cart_id=str(uuid.uuid4()))), 404)["code"] == "cart_not_found"


def test_an_anonymous_cart_held_by_the_shopper_can_be_checked_out(browser, shopper, variant):
    cart = cart_create(now=NOW)
    cart_line_add(cart=cart, variant_id=variant.pk, quantity=2, now=NOW)

    response = _checkout(browser, _body(shopper, cart_id=str(cart.pk), expected_total="200.00"))

    assert response.status_code == 201
    assert response.json()["total"] == "200.00"
    assert not CartLine.objects.filter(cart=cart).exists()


def test_someone_elses_address_is_a_404(browser, shopper):
    stranger = customer_create("stranger@example.org")
    theirs = address_add(stranger)

    body = error_of(_checkout(browser, _body(shopper, address_id=theirs.pk)), 404)

    assert body["code"] == "address_not_found"
    assert not Order.objects.exists()


# --- carts that cannot be bought as they are ------------------------------------------------------------------------


def test_an_empty_cart_is_a_400(browser, shopper):
    CartLine.objects.filter(cart=shopper.cart).delete()

    assert error_of(_checkout(browser, _body(shopper)), 400)["code"] == "cart_empty"


def test_a_stale_cart_is_a_409_with_the_new_total(browser, shopper, variant):
    # given: the price went up after the shopper saw 100.00
    Variant.objects.filter(pk=variant.pk).update(price=Decimal("120.00"))

    # when
    body = error_of(_checkout(browser, _body(shopper, expected_total="100.00")), 409)

    # then
    assert body["code"] == "price_changed"
    assert body["extra"] == {"total": "120.00"}
    assert not Order.objects.exists()
    assert TestGatewayCharge.objects.count() == 0


def test_a_tampered_expected_total_is_refused(browser, shopper):
    body = error_of(_checkout(browser, _body(shopper, expected_total="1.00")), 409)

    assert (body["code"], body["extra"]["total"]) == ("price_changed", "100.00")
    assert TestGatewayCharge.objects.count() == 0


@pytest.mark.parametrize("total", ["-100.00", "1e2", "abc", "100.001", 100])
def test_a_malformed_expected_total_is_a_400(browser, shopper, total):
    body = error_of(_checkout(browser, _body(shopper, expected_total=total)), 400)

    assert body["code"] == "invalid_input"
    assert body["detail"][0]["field"] == "expected_total"


def test_sold_out_stock_is_a_409(browser, shopper, variant):
    Variant.objects.filter(pk=variant.pk).update(stock_quantity=0)

    body = error_of(_checkout(browser, _body(shopper)), 409)

    assert (body["code"], body["extra"]["available"]) == ("out_of_stock", 0)
    assert TestGatewayCharge.objects.count() == 0


def test_a_coupon_used_up_meanwhile_is_a_409_with_its_reason(browser, shopper):
    CouponFactory.create(code="ONCE", total_cap=1, uses=1)
    cart_coupon_set(cart=shopper.cart, code="ONCE")

    assert error_of(_checkout(browser, _body(shopper)), 409)["code"] == "cap_reached"
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"shipping_method": "teleport"}, "shipping_method_unknown"),
        ({"total": "0.01"}, "invalid_input"),
        ({"address_id": "1; DROP TABLE"}, "invalid_input"),
        ({"cart_id": "not-a-uuid"}, "invalid_input"),
    ],
)
def test_bad_input_is_a_400(browser, shopper, overrides, code):
    assert error_of(_checkout(browser, _body(shopper, **overrides)), 400)["code"] == code
    assert not Order.objects.exists()


# --- payment outcomes ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("number", "code"), [(CARD_DECLINED, "card_declined"), (CARD_NO_FUNDS, "insufficient_funds")])
def test_a_declined_card_is_a_402_and_gives_the_stock_back(browser, shopper, variant, number, code):
    # when
    body = error_of(_checkout(browser, _body(shopper, number=number)), 402)

    # then
    order = Order.objects.get()
    assert body["code"] == code
    assert body["extra"] == {"order": order.number}
    assert "Try another card" in body["message"]
    assert order.status == OrderStatus.CANCELLED
    assert Variant.objects.get(pk=variant.pk).stock_quantity == 5
    assert CartLine.objects.filter(cart=shopper.cart).exists()


def test_after_a_decline_another_card_with_a_new_key_is_paid(browser, shopper):
    _checkout(browser, _body(shopper, number=CARD_DECLINED), key="attempt-0001")

    response = _checkout(browser, _body(shopper, number=CARD_OK), key="attempt-0002")

    assert response.status_code == 201
    assert response.json()["status"] == "paid"


def test_a_pending_payment_is_a_202(browser, shopper):
    response = _checkout(browser, _body(shopper, number=CARD_PENDING))

    assert response.status_code == 202
    assert (response.json()["status"], response.json()["payment_state"]) == ("placed", "pending")


def test_a_timeout_is_a_504_and_the_retry_with_the_same_key_charges_once(browser, shopper):
    # when
    timed_out = _checkout(browser, _body(shopper, number=CARD_TIMEOUT))
    retried = _checkout(browser, _body(shopper, number=CARD_TIMEOUT))

    # then
    assert error_of(timed_out, 504)["code"] == "payment_timeout"
    assert retried.status_code == 200
    assert retried.json()["status"] == "paid"
    assert Order.objects.get().payment_state == PaymentState.CAPTURED
    assert TestGatewayCharge.objects.count() == 1


def test_a_gateway_that_is_down_is_a_503(browser, shopper):
    assert error_of(_checkout(browser, _body(shopper, number=CARD_UNAVAILABLE)), 503)["code"] == "payment_unavailable"
    assert TestGatewayCharge.objects.count() == 0


@pytest.mark.parametrize(
    ("card", "code"),
    [
        ({"number": "4242 4242 4242 4241"}, "card_number_invalid"),
        ({"exp_year": NOW.year - 1}, "card_expired"),
        ({"exp_month": 13}, "card_expiry_invalid"),
        ({"cvc": "12"}, "card_cvc_invalid"),
    ],
)
def test_bad_card_details_are_a_400_naming_them(browser, shopper, card, code):
    body = _body(shopper)
    body["card"].update(card)

    assert error_of(_checkout(browser, body), 400)["code"] == code
    assert TestGatewayCharge.objects.count() == 0


@pytest.mark.parametrize("card", [{"number": 4242424242424242}, {"cvc": 123}, {"pin": "0000"}, {"number": "4" * 41}])
def test_a_malformed_card_is_a_400_that_does_not_echo_it(browser, shopper, card):
    body = _body(shopper)
    body["card"].update(card)

    response = _checkout(browser, body)

    assert error_of(response, 400)["code"] == "invalid_input"
    assert "4242424242424242" not in response.content.decode()
    assert "4" * 41 not in response.content.decode()


def test_a_checkout_without_a_card_is_a_400(browser, shopper):
    assert error_of(_checkout(browser, _body(shopper, card=None)), 400)["code"] == "card_required"
    assert TestGatewayCharge.objects.count() == 0


def test_the_card_appears_in_no_answer_and_no_log(browser, shopper, caplog):
    # given
    caplog.set_level(logging.DEBUG)
    answers = []

    # when: a decline, an invalid card, a success and a repeat
    answers.append(_checkout(browser, _body(shopper, number="4000 0000 0000 0002"), key="attempt-0001"))
    bad = _body(shopper, number="4242 4242 4242 4241")
    answers.append(_checkout(browser, bad, key="attempt-0002"))
    answers.append(_checkout(browser, _body(shopper), key="attempt-0003"))
    answers.append(_checkout(browser, _body(shopper), key="attempt-0003"))

    # then
    assert [answer.status_code for answer in answers] == [402, 400, 201, 200]
    for text in ["4000000000000002", "4000 0000 0000 0002", "4242424242424241", "4242424242424242", SPACED]:
        assert all(text not in answer.content.decode() for answer in answers)
        assert text not in caplog.text
    assert "4242" in caplog.text  # the gateway logs the last four digits, which every receipt prints


def test_the_schema_documents_checkout_with_its_header_and_outcomes(client):
    operation = client.get("/api/openapi.json").json()["paths"]["/api/checkout"]["post"]

    assert {"200", "201", "202", "400", "401", "402", "403", "404", "409", "422", "503", "504"} <= set(operation["responses"])
    assert "Idempotency-Key" in {parameter["name"] for parameter in operation["parameters"]}
    assert operation["security"] == [{"SessionCookie": []}]
