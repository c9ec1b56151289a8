"""The signed-in customer's orders over the API: their own only, paged, with the address, and cancellable."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from allbuy.api.tests.assertions import error_of
from allbuy.cart.services import cart_line_add
from allbuy.catalog.models import Variant
from allbuy.catalog.tests.factories import VariantFactory
from allbuy.orders.models import Order, OrderStatus
from allbuy.orders.services import order_place, order_status_set
from allbuy.orders.tests.factories import NOW, card, shopper_ready
from allbuy.payments.models import TestGatewayCharge

pytestmark = pytest.mark.django_db

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch):
    monkeypatch.setattr("allbuy.core.clock.now", lambda: NOW)


@pytest.fixture
def variant():
    return VariantFactory.create(price=Decimal("100.00"), stock_quantity=50)


_keys = iter(range(1, 1_000_000))


def _order(shopper, *, minutes=0, variants=()):
    """Place and pay what the shopper's cart holds (plus `variants`), `minutes` after NOW."""
    moment = NOW + timedelta(minutes=minutes)
    for extra in variants:
        cart_line_add(cart=shopper.cart, variant_id=extra.pk, now=moment)
    placement = order_place(
        user=shopper.user, cart=shopper.cart, address_id=shopper.address.pk, shipping_code="standard",
        idempotency_key=f"order-key-{next(_keys):06d}", card=card(), now=moment,
    )  # fmt: skip
    return placement.order


def _refill(shopper, variant, *, minutes):
    cart_line_add(cart=shopper.cart, variant_id=variant.pk, now=NOW + timedelta(minutes=minutes))


# --- the list ------------------------------------------------------------------------------------------------------


def test_the_list_shows_only_my_orders_newest_first(browser, shopper, variant):
    # given
    first = _order(shopper)
    _refill(shopper, variant, minutes=5)
    second = _order(shopper, minutes=5)
    someone_else = _order(shopper_ready(variant=variant))

    # when
    body = browser.get("/api/orders").json()

    # then
    assert [item["number"] for item in body["items"]] == [second.number, first.number]
    assert someone_else.number not in str(body)
    assert (body["total"], body["limit"], body["offset"]) == (2, 20, 0)
    assert body["items"][0]["lines"][0]["product_name"] == variant.product.name
    assert body["items"][0]["total"] == "100.00"


def test_the_list_pages_by_limit_and_offset(browser, shopper, variant):
    numbers = []
    for minute in range(3):
        if minute:
            _refill(shopper, variant, minutes=minute)
        numbers.append(_order(shopper, minutes=minute).number)

    body = browser.get("/api/orders", {"limit": 1, "offset": 1}).json()

    assert [item["number"] for item in body["items"]] == [numbers[1]]
    assert (body["total"], body["limit"], body["offset"]) == (3, 1, 1)
    assert browser.get("/api/orders", {"offset": 3}).json()["items"] == []


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ({"limit": 0}, "invalid_input"),
        ({"limit": 51}, "invalid_input"),
        ({"limit": "ten"}, "invalid_input"),
        ({"offset": -1}, "invalid_input"),
        ({"offset": 10**12}, "invalid_input"),
        ({"page": 2}, "unknown_parameter"),
    ],
)
def test_limits_out_of_bounds_are_a_400(browser, query, code):
    assert error_of(browser.get("/api/orders", query), 400)["code"] == code


def test_the_list_costs_the_same_queries_for_one_order_or_five(browser, shopper, variant, django_assert_num_queries):
    # given: the cost with one order of one line
    _order(shopper)
    with CaptureQueriesContext(connection) as one:
        assert browser.get("/api/orders").status_code == 200
    more = VariantFactory.create_batch(2, price=Decimal("10.00"))
    for minute in range(1, 5):
        _refill(shopper, variant, minutes=minute)
        _order(shopper, minutes=minute, variants=more)

    # then: five orders with three lines each cost no more
    with django_assert_num_queries(len(one.captured_queries)):
        body = browser.get("/api/orders").json()
    assert len(body["items"]) == 5
    assert len(body["items"][0]["lines"]) == 3


@pytest.mark.parametrize("path", ["/api/orders", "/api/orders/AB2345678923", "/api/orders/AB2345678923/cancel"])
def test_orders_need_a_session(path, shopper):
    response = Client().post(path) if path.endswith("cancel") else Client().get(path)

    assert error_of(response, 401)["code"] == "not_authenticated"


# --- one order -----------------------------------------------------------------------------------------------------


def test_my_order_shows_its_lines_history_and_address(browser, shopper, variant):
    order = _order(shopper)

    body = browser.get(f"/api/orders/{order.number}").json()

    assert (body["number"], body["status"], body["status_label"]) == (order.number, "paid", "Paid")
    assert body["lines"][0]["sku"] == variant.sku
    assert [(event["from_status"], event["to_status"]) for event in body["events"]] == [("", "placed"), ("placed", "paid")]
    assert (body["ship_to"]["city"], body["ship_to"]["country"]) == ("Berlin", "DE")
    assert body["discounts"] == {"deal": "0.00", "promotion": "0.00", "coupon": "0.00"}


@pytest.mark.parametrize("number", ["AB2345678923", "x" * 300, "%20", "1"])
def test_an_unknown_order_is_a_404(browser, number):
    assert error_of(browser.get(f"/api/orders/{number}"), 404)["code"] == "order_not_found"


def test_someone_elses_order_is_a_404_to_read_and_to_cancel(browser, variant):
    theirs = _order(shopper_ready(variant=variant))

    assert error_of(browser.get(f"/api/orders/{theirs.number}"), 404)["code"] == "order_not_found"
    assert error_of(browser.post(f"/api/orders/{theirs.number}/cancel"), 404)["code"] == "order_not_found"
    assert Order.objects.get(pk=theirs.pk).status == OrderStatus.PAID


# --- cancelling ----------------------------------------------------------------------------------------------------


def test_cancelling_a_paid_order_refunds_it_and_gives_the_stock_back(browser, shopper, variant):
    # given
    order = _order(shopper)
    assert Variant.objects.get(pk=variant.pk).stock_quantity == 49

    # when
    response = browser.post(f"/api/orders/{order.number}/cancel")

    # then
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["refunded"], body["can_cancel"]) == ("cancelled", "100.00", False)
    assert Variant.objects.get(pk=variant.pk).stock_quantity == 50
    assert TestGatewayCharge.objects.get().refunded_amount == Decimal("100.00")


def test_an_order_cannot_be_cancelled_twice(browser, shopper):
    order = _order(shopper)
    browser.post(f"/api/orders/{order.number}/cancel")

    body = error_of(browser.post(f"/api/orders/{order.number}/cancel"), 409)

    assert body["code"] == "transition_not_allowed"
    assert TestGatewayCharge.objects.get().refunded_amount == Decimal("100.00")


def test_an_order_being_packed_cannot_be_cancelled_by_its_customer(browser, shopper):
    order = _order(shopper)
    order_status_set(order=order, to_status=OrderStatus.FULFILLING, actor="warehouse", now=NOW)

    assert error_of(browser.post(f"/api/orders/{order.number}/cancel"), 409)["code"] == "transition_not_allowed"
    assert Order.objects.get(pk=order.pk).status == OrderStatus.FULFILLING


def test_cancelling_needs_the_csrf_token(shopper):
    order = _order(shopper)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(shopper.user, backend=MODEL_BACKEND)

    forged = browser.post(f"/api/orders/{order.number}/cancel")
    token = browser.get("/api/csrf").json()["csrf_token"]
    genuine = browser.post(f"/api/orders/{order.number}/cancel", HTTP_X_CSRFTOKEN=token)

    assert error_of(forged, 403)["code"] == "csrf_failed"
    assert genuine.status_code == 200


@pytest.mark.parametrize(("method", "path"), [("get", "/cancel"), ("delete", ""), ("post", "")])
def test_a_method_an_order_path_does_not_take_is_a_json_405(browser, shopper, method, path):
    order = _order(shopper)

    assert error_of(getattr(browser, method)(f"/api/orders/{order.number}{path}"), 405)["code"] == "method_not_allowed"


def test_the_schema_documents_the_order_endpoints(client):
    paths = client.get("/api/openapi.json").json()["paths"]

    assert set(paths["/api/orders"]) == {"get"}
    assert set(paths["/api/orders/{number}"]) == {"get"}
    assert set(paths["/api/orders/{number}/cancel"]) == {"post"}
    assert set(paths["/api/csrf"]) == {"get"}
    assert {parameter["name"] for parameter in paths["/api/orders"]["get"]["parameters"]} == {"limit", "offset"}
    assert {"200", "401", "404", "409"} <= set(paths["/api/orders/{number}/cancel"]["post"]["responses"])
