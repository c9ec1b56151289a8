"""Checkout and the customer's order pages, through the views as a shopper uses them."""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from allbuy.accounts.tests.factories import address_add, customer_create
from allbuy.cart.models import CartLine
from allbuy.cart.services import cart_line_add
from allbuy.catalog.models import Variant
from allbuy.catalog.tests.factories import ProductImageFactory, VariantFactory
from allbuy.core import clock
from allbuy.coupons.tests.factories import CouponFactory
from allbuy.orders.models import Order, OrderStatus, PaymentState
from allbuy.orders.selectors import orders_page
from allbuy.orders.services import order_place, order_status_set
from allbuy.orders.tests.factories import (
    CARD_DECLINED,
    CARD_OK,
    CARD_PENDING,
    CARD_TIMEOUT,
    NOW,
    Shopper,
    card,
    shopper_ready,
)
from allbuy.payments.models import TestGatewayCharge

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}
KEY = re.compile(r'name="idempotency_key" value="([0-9a-f]{32})"')
TOTAL = re.compile(r'name="expected_total" value="([0-9.]+)"')
# A card that works and that the page's test-mode hint does not print (the hint shows 4242 …).
SPACED_OK = "5555 5555 5555 4444"
_keys = iter(range(1, 1_000_000))


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: NOW)


@pytest.fixture
def shopper() -> Shopper:
    variant = VariantFactory.create(price=Decimal("100.00"), stock_quantity=5)
    ProductImageFactory.create(product=variant.product)
    return shopper_ready(variant=variant, quantity=1)


@pytest.fixture
def signed_in(client: Client, shopper: Shopper) -> Client:
    client.force_login(shopper.user)
    return client


def _form(client: Client) -> dict[str, str]:
    """Open the checkout and return what its form would send as it is (key, total, preselected choices)."""
    html = client.get("/checkout/").content.decode()
    key, total = KEY.search(html), TOTAL.search(html)
    address = re.search(r'name="address" value="(\d+)" checked', html)
    assert key, "the checkout page has no idempotency key"
    assert total, "the checkout page has no expected total"
    assert address, "the checkout page preselects no address"
    return {
        "idempotency_key": key.group(1),
        "expected_total": total.group(1),
        "address": address.group(1),
        "shipping": "standard",
    }


def _pay(number: str = SPACED_OK, **fields: str) -> dict[str, str]:
    return {"card_number": number, "card_exp_month": "12", "card_exp_year": str(NOW.year + 3), "card_cvc": "123", **fields}


def _stored_anywhere(text: str) -> list[str]:
    """Return the tables where `text` occurs in any column of any row."""
    found = []
    for model in apps.get_models():
        names = [field.attname for field in model._meta.concrete_fields]
        for row in model._default_manager.values_list(*names):
            if any(text in str(value) for value in row):
                found.append(model._meta.db_table)
    return found


# --- the checkout page -------------------------------------------------------------------------------------------


def test_checkout_requires_signing_in(client, shopper):
    response = client.get("/checkout/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/checkout/"


def test_an_empty_cart_goes_back_to_the_cart(signed_in, shopper):
    CartLine.objects.filter(cart=shopper.cart).delete()

    response = signed_in.get("/checkout/")

    assert response.status_code == 303
    assert response["Location"] == "/cart/"


def test_the_checkout_shows_every_section_with_the_default_address_chosen(signed_in, shopper):
    # given a second address that is not the default
    other = address_add(shopper.user, recipient_name="Grace Hopper", city="London", postcode="SW1A 2AA", country="GB",
                        phone="020 7925 0918")  # fmt: skip

    # when
    response = signed_in.get("/checkout/")

    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert f'name="address" value="{shopper.address.pk}" checked' in html
    assert f'name="address" value="{other.pk}"\n' in html or f'name="address" value="{other.pk}" ' in html
    assert 'href="/accounts/addresses/new/?next=%2Fcheckout%2F"' in html
    assert 'name="shipping" value="standard" checked' in html
    assert 'name="shipping" value="express"' in html
    assert "No coupon code." in html
    assert "4. Review your order" in html
    assert "€100.00" in html
    assert 'name="expected_total" value="100.00"' in html
    for attributes in (
        'autocomplete="cc-number"',
        'autocomplete="cc-exp-month"',
        'autocomplete="cc-exp-year"',
        'autocomplete="cc-csc"',
    ):
        assert attributes in html
    assert html.count('inputmode="numeric"') >= 4
    assert '<label for="card-number">Card number</label>' in html
    assert "Place order" in html


def test_every_render_of_the_checkout_carries_a_fresh_key(signed_in, shopper):
    first = KEY.search(signed_in.get("/checkout/").content.decode())
    second = KEY.search(signed_in.get("/checkout/").content.decode())

    assert first
    assert second
    assert first.group(1) != second.group(1)


def test_changing_address_or_method_updates_the_review_in_place(signed_in, shopper):
    other = address_add(shopper.user, recipient_name="Grace Hopper", city="London", postcode="SW1A 2AA", country="GB",
                        phone="020 7925 0918")  # fmt: skip

    response = signed_in.get(f"/checkout/review/?address={other.pk}&shipping=express", **HX)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith('<div id="checkout-review"')
    assert 'name="expected_total" value="109.99"' in html
    assert "Express delivery to United Kingdom" in html
    assert "card_number" not in html


def test_without_javascript_the_update_button_shows_the_new_total_and_places_nothing(signed_in, shopper):
    form = _form(signed_in)

    response = signed_in.post("/checkout/", {**form, "shipping": "express", "update": "1", **_pay()})

    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="shipping" value="express" checked' in html
    assert 'name="expected_total" value="109.99"' in html
    assert "5555" not in html
    assert not Order.objects.exists()
    assert signed_in.get("/checkout/review/?shipping=express")["Location"].startswith("/checkout/?")


def test_an_address_added_from_checkout_returns_to_checkout(signed_in, shopper):
    page = signed_in.get("/accounts/addresses/new/?next=/checkout/").content.decode()
    assert 'name="next" value="/checkout/"' in page

    response = signed_in.post(
        "/accounts/addresses/new/",
        {"recipient_name": "Ada Lovelace", "line1": "10 Downing Street", "line2": "", "city": "London", "region": "",
         "postcode": "sw1a2aa", "country": "GB", "phone": "020 7925 0918", "next": "/checkout/"},
    )  # fmt: skip

    assert response.status_code == 302
    assert response["Location"] == "/checkout/"


# --- placing the order -------------------------------------------------------------------------------------------


def test_placing_the_order_goes_to_the_order_page_with_a_confirmation(signed_in, shopper):
    # given
    form = _form(signed_in)

    # when
    response = signed_in.post("/checkout/", {**form, **_pay()})

    # then
    order = Order.objects.get()
    assert response.status_code == 303
    assert response["Location"] == f"/orders/{order.number}/"
    assert order.status == OrderStatus.PAID
    assert not CartLine.objects.filter(cart=shopper.cart).exists()
    page = signed_in.get(response["Location"]).content.decode()
    assert f"Thank you! Order {order.number} is confirmed and paid." in page
    assert "€100.00" in page


def test_a_double_submit_places_one_order(signed_in, shopper):
    form = _form(signed_in)

    first = signed_in.post("/checkout/", {**form, **_pay()})
    second = signed_in.post("/checkout/", {**form, **_pay()})

    assert first.status_code == second.status_code == 303
    assert first["Location"] == second["Location"]
    assert Order.objects.count() == 1
    assert TestGatewayCharge.objects.count() == 1


def test_a_declined_card_keeps_the_cart_and_offers_a_new_attempt(signed_in, shopper):
    # given
    form = _form(signed_in)

    # when
    response = signed_in.post("/checkout/", {**form, **_pay("4000 0000 0000 0002")})

    # then
    html = response.content.decode()
    assert response.status_code == 402
    assert '<p class="field-error" id="card-number-error" role="alert">Your card was declined. Try another card.</p>' in html
    assert 'aria-describedby="card-number-error"' in html
    assert CartLine.objects.filter(cart=shopper.cart).exists()
    new_key = KEY.search(html)
    assert new_key
    assert new_key.group(1) != form["idempotency_key"]
    assert CARD_DECLINED not in html
    assert "4000 0000 0000 0002" not in html
    # and another card on the new page goes through
    retry = signed_in.post("/checkout/", {**form, "idempotency_key": new_key.group(1), **_pay()})
    assert retry.status_code == 303
    assert Order.objects.filter(status=OrderStatus.PAID).count() == 1


def test_a_price_change_is_shown_with_the_new_total_and_a_new_key(signed_in, shopper):
    # given the page showed 100.00, then the price dropped
    form = _form(signed_in)
    Variant.objects.filter(pk=CartLine.objects.get(cart=shopper.cart).variant_id).update(price=Decimal("90.00"))

    # when
    response = signed_in.post("/checkout/", {**form, **_pay()})

    # then
    html = response.content.decode()
    assert response.status_code == 409
    assert "The total of your order changed from €100.00 to €90.00 since this page was shown." in html
    assert 'name="expected_total" value="90.00"' in html
    new_key = KEY.search(html)
    assert new_key
    assert new_key.group(1) != form["idempotency_key"]
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"card_number": "5555 5555 5555 4445"}, "card-number", "This card number is not valid."),
        ({"card_number": ""}, "card-number", "Enter the number of your card."),
        ({"card_number": "", "card_exp_month": "", "card_exp_year": "", "card_cvc": ""}, "card-number", "Enter the number"),
        ({"card_exp_month": "13"}, "card-expiry", "The expiry date is not valid."),
        ({"card_exp_year": str(NOW.year - 1)}, "card-expiry", "This card has expired."),
        ({"card_cvc": "12"}, "card-cvc", "The security code is not valid."),
    ],
)
def test_card_details_that_cannot_be_sent_are_shown_at_their_field(signed_in, shopper, fields, field, message):
    form = _form(signed_in)

    response = signed_in.post("/checkout/", {**form, **_pay(), **fields})

    html = response.content.decode()
    assert response.status_code == 400
    assert f'id="{field}-error" role="alert">{message}' in html
    assert not Order.objects.exists()
    assert "5555 5555 5555 444" not in html


def test_a_gateway_timeout_keeps_the_key_so_the_retry_is_charged_once(signed_in, shopper):
    # given
    form = _form(signed_in)

    # when the provider does not answer
    response = signed_in.post("/checkout/", {**form, **_pay(CARD_TIMEOUT)})

    # then the page says retrying is safe and keeps the same key
    html = response.content.decode()
    assert response.status_code == 504
    assert "You will not be charged twice." in html
    assert f'name="idempotency_key" value="{form["idempotency_key"]}"' in html
    assert CartLine.objects.filter(cart=shopper.cart).exists()
    # and placing again with that page charges once
    retry = signed_in.post("/checkout/", {**form, **_pay(CARD_TIMEOUT)})
    assert retry.status_code == 303
    assert Order.objects.get().status == OrderStatus.PAID
    assert TestGatewayCharge.objects.count() == 1


def test_stock_sold_meanwhile_is_explained_on_the_checkout(signed_in, shopper):
    form = _form(signed_in)
    Variant.objects.filter(pk=CartLine.objects.get(cart=shopper.cart).variant_id).update(stock_quantity=0)

    response = signed_in.post("/checkout/", {**form, **_pay()})

    assert response.status_code == 409
    assert "has just sold out." in response.content.decode()
    assert not Order.objects.exists()


def test_a_coupon_that_no_longer_applies_is_explained_on_the_checkout(signed_in, shopper):
    CouponFactory.create(code="BIGSPEND", min_subtotal=Decimal("1000.00"), currency="EUR")
    shopper.cart.coupon_code = "BIGSPEND"
    shopper.cart.save()
    form = _form(signed_in)

    response = signed_in.post("/checkout/", {**form, **_pay()})

    html = response.content.decode()
    assert response.status_code == 409
    assert "Your cart doesn&#x27;t reach this code&#x27;s minimum amount yet." in html
    assert "Change or remove the code in your cart" in html


def test_a_tampered_total_or_address_is_refused_without_an_order(signed_in, shopper):
    form = _form(signed_in)
    someone = customer_create("someone@example.org")
    their_address = address_add(someone)

    bad_total = signed_in.post("/checkout/", {**form, **_pay(), "expected_total": "1e999999"})
    their = signed_in.post("/checkout/", {**form, **_pay(), "address": str(their_address.pk)})
    bad_method = signed_in.post("/checkout/", {**form, **_pay(), "shipping": "teleport"})

    assert bad_total.status_code == 400
    assert their.status_code == 404
    assert "Choose one of the addresses in your address book." in their.content.decode()
    assert bad_method.status_code == 400
    assert not Order.objects.exists()


def test_a_pending_payment_shows_waiting_for_the_bank(signed_in, shopper):
    form = _form(signed_in)

    response = signed_in.post("/checkout/", {**form, **_pay(CARD_PENDING)})

    assert response.status_code == 303
    page = signed_in.get(response["Location"]).content.decode()
    assert "We’re waiting for your bank to confirm the payment" in page
    assert "Waiting for your bank to confirm the payment." in page


@pytest.mark.parametrize("number", [CARD_OK, CARD_DECLINED, CARD_TIMEOUT, "5555555555554445"])
def test_the_card_is_never_shown_stored_or_logged(signed_in, shopper, caplog, number):
    # given
    caplog.set_level(logging.DEBUG)
    form = _form(signed_in)
    spaced = " ".join(number[i : i + 4] for i in range(0, 16, 4))

    # when
    response = signed_in.post("/checkout/", {**form, **_pay(spaced, card_cvc="987")})
    followed = signed_in.get(response["Location"]) if response.status_code == 303 else response

    # then
    for html in (response.content.decode(), followed.content.decode()):
        assert number not in html
        assert spaced not in html
        assert 'value="987"' not in html
    assert _stored_anywhere(number) == []
    assert number not in caplog.text
    assert spaced not in caplog.text


def test_the_checkout_costs_the_same_queries_for_one_line_or_many(signed_in, shopper):
    signed_in.get("/checkout/")
    with CaptureQueriesContext(connection) as one:
        signed_in.get("/checkout/")
    for _ in range(5):
        variant = VariantFactory.create(price=Decimal("20.00"))
        ProductImageFactory.create(product=variant.product)
        cart_line_add(cart=shopper.cart, variant_id=variant.pk, quantity=1)
    signed_in.get("/checkout/")

    with CaptureQueriesContext(connection) as six:
        html = signed_in.get("/checkout/").content.decode()

    assert html.count('class="review-line"') == 6
    assert len(six.captured_queries) == len(one.captured_queries)


# --- the order pages ---------------------------------------------------------------------------------------------


def _orders(shopper: Shopper, count: int, *, lines: int = 1) -> list[Order]:
    placed = []
    for index in range(count):
        for _ in range(lines):
            variant = VariantFactory.create(price=Decimal("30.00"))
            cart_line_add(cart=shopper.cart, variant_id=variant.pk, quantity=1, now=NOW)
        placement = order_place(
            user=shopper.user, cart=shopper.cart, address_id=shopper.address.pk, shipping_code="standard",
            idempotency_key=f"history-{next(_keys):04d}", card=card(), now=NOW + timedelta(minutes=index),
        )  # fmt: skip
        placed.append(placement.order)
    return placed


def test_the_history_lists_orders_newest_first(signed_in, shopper):
    orders = _orders(shopper, 3)  # plus the phone still in the cart, in the first one

    html = signed_in.get("/orders/").content.decode()

    positions = [html.index(order.number) for order in orders]
    assert positions == sorted(positions, reverse=True)
    assert "Paid" in html
    assert "1 × " in html
    assert 'href="/orders/"' in html  # the account navigation links here


def test_the_history_costs_the_same_queries_for_few_or_many_orders(signed_in, shopper, django_assert_num_queries):
    _orders(shopper, 2, lines=1)
    signed_in.get("/orders/")  # warms the per-process caches (the policy in effect)
    with CaptureQueriesContext(connection) as few:
        signed_in.get("/orders/")
    _orders(shopper, 4, lines=3)

    with CaptureQueriesContext(connection) as many:
        html = signed_in.get("/orders/").content.decode()

    assert html.count('class="order-card"') == 6
    assert len(many.captured_queries) == len(few.captured_queries)
    with django_assert_num_queries(3):  # the count, the page of orders, their lines
        page = orders_page(user=shopper.user)
        [list(order.lines.all()) for order in page.object_list]


def test_the_history_is_paginated(signed_in, shopper, monkeypatch):
    monkeypatch.setattr("allbuy.orders.selectors.HISTORY_PAGE_SIZE", 2)
    _orders(shopper, 3)

    first = signed_in.get("/orders/").content.decode()
    second = signed_in.get("/orders/?page=2").content.decode()

    assert "Page 1 of 2" in first
    assert 'href="?page=2"' in first
    assert "Page 2 of 2" in second
    assert signed_in.get("/orders/?page=abc").status_code == 200


def test_the_order_page_shows_lines_totals_address_progress_and_history(signed_in, shopper):
    order = _orders(shopper, 1)[0]

    html = signed_in.get(f"/orders/{order.number}/").content.decode()

    assert f"Order {order.number}" in html
    assert "€130.00" in html  # the phone and one more item
    assert "Including VAT" in html
    assert "Unter den Linden 1" in html
    assert "Germany" in html
    assert '<li class="order-step is-done is-current" aria-current="step"><span class="order-step-label">Paid</span>' in html
    assert "Placed, awaiting payment" in html  # the history
    assert "Paid by Visa." in html
    assert f'href="/orders/{order.number}/cancel/"' in html


def test_a_coupon_shows_on_the_checkout_and_on_the_order(signed_in, shopper):
    # given a code on the cart
    CouponFactory.create(code="TENOFF", value=Decimal("10"))
    shopper.cart.coupon_code = "TENOFF"
    shopper.cart.save()

    # when the shopper checks out
    checkout = signed_in.get("/checkout/").content.decode()
    response = signed_in.post("/checkout/", {**_form(signed_in), **_pay()})

    # then the checkout and the order show the code and what it saved
    assert 'Code <strong class="totals-code">TENOFF</strong> is applied.' in checkout
    assert 'name="expected_total" value="90.00"' in checkout
    order = signed_in.get(response["Location"]).content.decode()
    assert '<dt>Coupon <span class="totals-code">TENOFF</span></dt><dd>−€10.00</dd>' in order
    assert "(you saved €10.00)" in order
    assert "€90.00" in order


def test_the_order_page_shows_a_refund_after_cancelling(signed_in, shopper):
    order = _orders(shopper, 1)[0]

    confirm = signed_in.get(f"/orders/{order.number}/cancel/")
    response = signed_in.post(f"/orders/{order.number}/cancel/")

    assert confirm.status_code == 200
    assert "Yes, cancel the order" in confirm.content.decode()
    assert response.status_code == 303
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert order.refunded == order.total
    html = signed_in.get(response["Location"]).content.decode()
    assert f"Order {order.number} is cancelled. €130.00 is refunded to your card." in html
    assert "Refunded" in html
    assert f'href="/orders/{order.number}/cancel/"' not in html


def test_an_order_being_packed_can_no_longer_be_cancelled_here(signed_in, shopper):
    order = _orders(shopper, 1)[0]
    order_status_set(order=order, to_status=OrderStatus.FULFILLING, actor="warehouse")

    response = signed_in.post(f"/orders/{order.number}/cancel/")

    assert response.status_code == 409
    assert "can no longer be cancelled" in response.content.decode()
    assert Order.objects.get(pk=order.pk).status == OrderStatus.FULFILLING


def test_another_customers_order_is_not_found(client, shopper):
    order = _orders(shopper, 1)[0]
    client.force_login(customer_create("nosy@example.org"))

    for url in (f"/orders/{order.number}/", f"/orders/{order.number}/cancel/", "/orders/ABNOSUCHONE/"):
        assert client.get(url).status_code == 404
    assert client.post(f"/orders/{order.number}/cancel/").status_code == 404
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID
    assert Order.objects.get(pk=order.pk).payment_state == PaymentState.CAPTURED


def test_the_order_pages_require_signing_in(client, shopper):
    order = _orders(shopper, 1)[0]

    for url in ("/orders/", f"/orders/{order.number}/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")
