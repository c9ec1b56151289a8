"""Cart endpoints: anonymous carts by their secret id, account carts by their owner only, the pages' rules and codes."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from allbuy.accounts.tests.factories import customer_create
from allbuy.api.tests.assertions import error_of
from allbuy.cart.models import Cart, CartLine
from allbuy.cart.services import cart_create, cart_for_user, cart_line_add
from allbuy.catalog.models import Variant
from allbuy.catalog.tests.factories import VariantFactory
from allbuy.coupons.tests.factories import CouponFactory
from allbuy.deals.tests.factories import DealFactory
from allbuy.orders.tests.factories import NOW

pytestmark = pytest.mark.django_db

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
JSON = "application/json"


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch):
    monkeypatch.setattr("allbuy.core.clock.now", lambda: NOW)


@pytest.fixture
def variant():
    return VariantFactory.create(price=Decimal("100.00"), stock_quantity=8, attributes={"colour": "Black"})


@pytest.fixture
def anonymous_cart():
    return cart_create(now=NOW)


@pytest.fixture
def ada():
    return customer_create("ada@example.org")


@pytest.fixture
def ada_client(ada):
    client = Client()
    client.force_login(ada, backend=MODEL_BACKEND)
    return client


def _url(cart, *rest):
    return "/".join([f"/api/carts/{cart.pk}", *map(str, rest)])


def _add(client, cart, variant_id, quantity=1):
    return client.post(_url(cart, "lines"), {"variant_id": variant_id, "quantity": quantity}, content_type=JSON)


# --- creating and reading ------------------------------------------------------------------------------------------


def test_an_anonymous_client_gets_a_new_cart_whose_id_is_its_key(client):
    # when
    response = client.post("/api/carts")

    # then
    assert response.status_code == 201
    body = response.json()
    cart = Cart.objects.get(pk=uuid.UUID(body["id"]))
    assert cart.user is None
    assert body["owner"] == "anonymous"
    assert (body["lines"], body["quote"], body["item_count"], body["can_checkout"]) == ([], None, 0, False)


def test_a_signed_in_client_gets_its_account_cart_once(ada, ada_client):
    first = ada_client.post("/api/carts")
    second = ada_client.post("/api/carts")

    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"] == str(Cart.objects.get(user=ada).pk)
    assert first.json()["owner"] == "account"


def test_a_cart_shows_its_lines_and_quote_with_money_as_strings(client, anonymous_cart, variant):
    # given
    cart_line_add(cart=anonymous_cart, variant_id=variant.pk, quantity=2, now=NOW)

    # when
    body = client.get(_url(anonymous_cart)).json()

    # then
    line = body["lines"][0]
    assert line["variant_id"] == variant.pk
    assert line["sku"] == variant.sku
    assert (line["product_name"], line["product_slug"]) == (variant.product.name, variant.product.slug)
    assert (line["quantity"], line["unit_price"], line["line_total"], line["currency"]) == (2, "100.00", "200.00", "EUR")
    assert line["options"] == "Black"
    assert line["deal"] is None
    assert line["stock"] == {"state": "in_stock", "available": 8, "enough": True}
    assert (line["price_changed"], line["price_was"]) == (False, None)
    quote = body["quote"]
    assert quote["base_subtotal"] == "200.00"
    assert quote["discounts"] == {"deal": "0.00", "promotion": "0.00", "coupon": "0.00", "shipping": "4.99"}
    assert (quote["shipping"], quote["total"], quote["currency"], quote["country"]) == ("0.00", "200.00", "EUR", "DE")
    assert quote["tax"] == "31.93"  # 19 % German VAT included in 200.00
    assert body["currency"] == "EUR"
    assert body["can_checkout"] is True


def test_a_cart_is_priced_for_the_destination_and_shipping_method_asked(client, anonymous_cart, variant):
    cart_line_add(cart=anonymous_cart, variant_id=variant.pk, now=NOW)

    quote = client.get(_url(anonymous_cart), {"country": "at", "shipping": "express"}).json()["quote"]

    assert (quote["country"], quote["shipping_method"], quote["shipping"]) == ("AT", "express", "9.99")
    assert quote["total"] == "109.99"
    assert quote["tax"] == "18.34"  # 20 % Austrian VAT: 16.67 in the goods, 1.67 in the shipping


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ({"country": "XX"}, "shipping_country_unsupported"),
        ({"country": "DEU"}, "invalid_input"),
        ({"country": "1"}, "invalid_input"),
        ({"shipping": "teleport"}, "shipping_method_unknown"),
        ({"colour": "red"}, "unknown_parameter"),
    ],
)
def test_a_bad_destination_or_parameter_is_a_400(client, anonymous_cart, variant, query, code):
    cart_line_add(cart=anonymous_cart, variant_id=variant.pk, now=NOW)

    assert error_of(client.get(_url(anonymous_cart), query), 400)["code"] == code


def test_a_deal_shows_its_title_price_and_units(client, anonymous_cart, variant):
    DealFactory.create(
        variant=variant, title="Deal of the day", deal_price=Decimal("80.00"), quantity_cap=1,
        starts_at=NOW - timedelta(hours=1), ends_at=NOW + timedelta(hours=5),
    )  # fmt: skip
    cart_line_add(cart=anonymous_cart, variant_id=variant.pk, quantity=2, now=NOW)

    line = client.get(_url(anonymous_cart)).json()["lines"][0]

    assert line["deal"] == {"title": "Deal of the day", "price": "80.00", "units": 1}
    assert (line["deal_discount"], line["line_total"]) == ("20.00", "180.00")


def test_a_price_that_moved_since_the_line_was_added_says_so(client, anonymous_cart, variant):
    cart_line_add(cart=anonymous_cart, variant_id=variant.pk, now=NOW)
    Variant.objects.filter(pk=variant.pk).update(price=Decimal("90.00"), stock_quantity=3)

    body = client.get(_url(anonymous_cart)).json()

    line = body["lines"][0]
    assert (line["price_changed"], line["price_was"], line["unit_price"]) == (True, "100.00", "90.00")
    assert line["stock"]["state"] == "low_stock"
    assert any("dropped" in notice for notice in body["notices"])


def test_a_line_that_cannot_be_bought_blocks_checkout(client, anonymous_cart, variant):
    cart_line_add(cart=anonymous_cart, variant_id=variant.pk, quantity=2, now=NOW)
    Variant.objects.filter(pk=variant.pk).update(stock_quantity=0)

    body = client.get(_url(anonymous_cart)).json()

    assert body["lines"][0]["stock"] == {"state": "out_of_stock", "available": 0, "enough": False}
    assert body["can_checkout"] is False


def test_reading_a_cart_costs_the_same_queries_for_one_line_or_six(client, anonymous_cart, django_assert_num_queries):
    # given: the cost with one line
    variants = VariantFactory.create_batch(6, price=Decimal("10.00"))
    cart_line_add(cart=anonymous_cart, variant_id=variants[0].pk, now=NOW)
    client.get(_url(anonymous_cart))  # warm the per-process memos (promotions, deal keys)
    with CaptureQueriesContext(connection) as one_line:
        assert client.get(_url(anonymous_cart)).status_code == 200
    for other in variants[1:]:
        cart_line_add(cart=anonymous_cart, variant_id=other.pk, now=NOW)

    # then: six lines cost no more
    with django_assert_num_queries(len(one_line.captured_queries)):
        assert len(client.get(_url(anonymous_cart)).json()["lines"]) == 6


# --- who can reach a cart ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("cart_id", ["not-a-uuid", "1", "%20", "0b7e1c57-3f1e-4d8a-9c2b-5a6d7e8f9a0b", "0" * 200])
def test_a_malformed_or_unknown_cart_id_is_a_json_404(client, cart_id):
    body = error_of(client.get(f"/api/carts/{cart_id}"), 404)

    assert body["code"] == "cart_not_found"


def test_an_account_cart_is_not_found_by_anyone_but_its_owner(ada, ada_client, variant):
    # given
    cart = cart_for_user(user=ada, now=NOW)
    line = cart_line_add(cart=cart, variant_id=variant.pk, now=NOW)
    bob = Client()
    bob.force_login(customer_create("bob@example.org"), backend=MODEL_BACKEND)

    # when / then: nobody else can read or change it, and learns nothing
    for other in (Client(), bob):
        assert error_of(other.get(_url(cart)), 404)["code"] == "cart_not_found"
        assert error_of(_add(other, cart, variant.pk), 404)["code"] == "cart_not_found"
        assert error_of(other.patch(_url(cart, "lines", line.pk), {"quantity": 5}, content_type=JSON), 404)
        assert error_of(other.delete(_url(cart, "lines", line.pk)), 404)
        assert error_of(other.put(_url(cart, "coupon"), {"code": "X"}, content_type=JSON), 404)
    assert CartLine.objects.get(pk=line.pk).quantity == 1
    assert ada_client.get(_url(cart)).status_code == 200


def test_an_anonymous_cart_is_reachable_by_whoever_holds_its_id(ada_client, anonymous_cart, variant):
    assert _add(Client(), anonymous_cart, variant.pk).status_code == 201
    assert ada_client.get(_url(anonymous_cart)).json()["item_count"] == 1


# --- lines ---------------------------------------------------------------------------------------------------------


def test_adding_a_variant_twice_adds_to_its_line(client, anonymous_cart, variant):
    first = _add(client, anonymous_cart, variant.pk, 2)
    second = _add(client, anonymous_cart, variant.pk, 3)

    assert (first.status_code, second.status_code) == (201, 201)
    assert [line["quantity"] for line in second.json()["lines"]] == [5]
    assert CartLine.objects.get(cart=anonymous_cart).quantity == 5


@pytest.mark.parametrize(
    ("quantity", "status", "code"),
    [
        (-1, 400, "quantity_invalid"),
        (0, 400, "quantity_invalid"),
        (11, 400, "quantity_limit"),
        (10**30, 400, "quantity_limit"),
        (1.5, 400, "invalid_input"),
        ("2", 400, "invalid_input"),
        (True, 400, "invalid_input"),
        (None, 400, "invalid_input"),
    ],
)
def test_a_bad_quantity_is_refused_and_adds_nothing(client, anonymous_cart, variant, quantity, status, code):
    body = error_of(_add(client, anonymous_cart, variant.pk, quantity), status)

    assert body["code"] == code
    assert not CartLine.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "variant_id"),
        ({"quantity": 1}, "variant_id"),
        ({"variant_id": "abc"}, "variant_id"),
        ({"variant_id": 1, "quantity": 1, "price": "0.01"}, "price"),
        ([1, 2], "body"),
    ],
)
def test_a_malformed_line_is_a_400_naming_the_field(client, anonymous_cart, payload, field):
    body = error_of(client.post(_url(anonymous_cart, "lines"), payload, content_type=JSON), 400)

    assert body["code"] == "invalid_input"
    assert [entry["field"] for entry in body["detail"]] == [field]
    assert f"'{field}'" in body["message"]


def test_a_body_that_is_not_json_is_a_400(client, anonymous_cart):
    body = error_of(client.post(_url(anonymous_cart, "lines"), "{not json", content_type=JSON), 400)

    assert body["code"] == "bad_request"


def test_more_than_the_stock_is_a_409_saying_how_many_are_left(client, anonymous_cart, variant):
    body = error_of(_add(client, anonymous_cart, variant.pk, 9), 409)

    assert body["code"] == "out_of_stock"
    assert body["extra"] == {"variant_id": variant.pk, "available": 8}


def test_an_unknown_or_withdrawn_variant_is_a_404(client, anonymous_cart, variant):
    variant.product.is_active = False
    variant.product.save()

    assert error_of(_add(client, anonymous_cart, variant.pk), 404)["code"] == "product_unavailable"
    assert error_of(_add(client, anonymous_cart, 10**12), 404)["code"] == "product_unavailable"


def test_a_variant_in_another_currency_is_refused(client, anonymous_cart, variant):
    _add(client, anonymous_cart, variant.pk)
    dollars = VariantFactory.create(currency="USD")

    body = error_of(_add(client, anonymous_cart, dollars.pk), 400)

    assert body["code"] == "currency_mismatch"
    assert CartLine.objects.filter(cart=anonymous_cart).count() == 1


def test_changing_a_quantity_answers_with_the_new_cart(client, anonymous_cart, variant):
    line = cart_line_add(cart=anonymous_cart, variant_id=variant.pk, now=NOW)

    response = client.patch(_url(anonymous_cart, "lines", line.pk), {"quantity": 4}, content_type=JSON)

    assert response.status_code == 200
    assert response.json()["lines"][0]["quantity"] == 4
    assert response.json()["quote"]["total"] == "400.00"


def test_a_quantity_of_zero_removes_the_line(client, anonymous_cart, variant):
    line = cart_line_add(cart=anonymous_cart, variant_id=variant.pk, now=NOW)

    response = client.patch(_url(anonymous_cart, "lines", line.pk), {"quantity": 0}, content_type=JSON)

    assert response.status_code == 200
    assert response.json()["lines"] == []
    assert not CartLine.objects.exists()


@pytest.mark.parametrize(("quantity", "code"), [(-3, "quantity_invalid"), (50, "quantity_limit"), (2.5, "invalid_input")])
def test_a_bad_new_quantity_changes_nothing(client, anonymous_cart, variant, quantity, code):
    line = cart_line_add(cart=anonymous_cart, variant_id=variant.pk, now=NOW)

    body = error_of(client.patch(_url(anonymous_cart, "lines", line.pk), {"quantity": quantity}, content_type=JSON), 400)

    assert body["code"] == code
    assert CartLine.objects.get(pk=line.pk).quantity == 1


@pytest.mark.parametrize("line_id", ["abc", "-1", "99999999999999999999999", "1.0"])
def test_a_tampered_line_id_is_a_404(client, anonymous_cart, variant, line_id):
    cart_line_add(cart=anonymous_cart, variant_id=variant.pk, now=NOW)

    patched = client.patch(_url(anonymous_cart, "lines", line_id), {"quantity": 2}, content_type=JSON)
    deleted = client.delete(_url(anonymous_cart, "lines", line_id))

    assert error_of(patched, 404)["code"] == error_of(deleted, 404)["code"] == "cart_line_not_found"


def test_another_carts_line_is_not_found_through_this_cart(client, anonymous_cart, variant):
    other_cart = cart_create(now=NOW)
    theirs = cart_line_add(cart=other_cart, variant_id=variant.pk, quantity=2, now=NOW)

    patched = client.patch(_url(anonymous_cart, "lines", theirs.pk), {"quantity": 5}, content_type=JSON)
    deleted = client.delete(_url(anonymous_cart, "lines", theirs.pk))

    assert error_of(patched, 404)["code"] == error_of(deleted, 404)["code"] == "cart_line_not_found"
    assert CartLine.objects.get(pk=theirs.pk).quantity == 2


def test_deleting_a_line_is_a_204_and_a_second_delete_a_404(client, anonymous_cart, variant):
    line = cart_line_add(cart=anonymous_cart, variant_id=variant.pk, now=NOW)

    first = client.delete(_url(anonymous_cart, "lines", line.pk))
    second = client.delete(_url(anonymous_cart, "lines", line.pk))

    assert first.status_code == 204
    assert first.content == b""
    assert error_of(second, 404)["code"] == "cart_line_not_found"


@pytest.mark.parametrize(
    ("method", "path"), [("put", "lines"), ("get", "lines"), ("post", "coupon"), ("put", ""), ("get", "lines/1")]
)
def test_a_method_a_cart_path_does_not_take_is_a_json_405(client, anonymous_cart, method, path):
    url = _url(anonymous_cart, path) if path else _url(anonymous_cart)

    body = error_of(getattr(client, method)(url, {}, content_type=JSON), 405)

    assert body["code"] == "method_not_allowed"


# --- coupons -------------------------------------------------------------------------------------------------------


def test_a_coupon_that_applies_is_kept_and_priced(client, anonymous_cart, variant):
    CouponFactory.create(code="TENOFF", value=Decimal("10"))
    cart_line_add(cart=anonymous_cart, variant_id=variant.pk, now=NOW)

    response = client.put(_url(anonymous_cart, "coupon"), {"code": "tenoff"}, content_type=JSON)

    assert response.status_code == 200
    body = response.json()
    assert body["coupon"] == {"code": "TENOFF", "applied": True, "reason": None, "message": ""}
    assert (body["quote"]["discounts"]["coupon"], body["quote"]["total"]) == ("10.00", "90.00")
    assert Cart.objects.get(pk=anonymous_cart.pk).coupon_code == "TENOFF"


@pytest.mark.parametrize(
    ("coupon", "status", "reason"),
    [
        (None, 404, "unknown"),
        ({"min_subtotal": Decimal("500.00"), "currency": "EUR"}, 409, "minimum_not_met"),
        ({"min_subtotal": Decimal("5.00"), "currency": "USD"}, 409, "currency_mismatch"),
        ({"valid_until": NOW - timedelta(days=1)}, 409, "expired"),
        ({"total_cap": 1, "uses": 1}, 409, "cap_reached"),
    ],
)
def test_a_coupon_that_does_not_apply_is_refused_with_its_reason(client, anonymous_cart, variant, coupon, status, reason):
    if coupon is not None:
        CouponFactory.create(code="TENOFF", **coupon)
    cart_line_add(cart=anonymous_cart, variant_id=variant.pk, now=NOW)

    body = error_of(client.put(_url(anonymous_cart, "coupon"), {"code": "TENOFF"}, content_type=JSON), status)

    assert body["code"] == reason
    assert Cart.objects.get(pk=anonymous_cart.pk).coupon_code == ""


def test_a_coupon_on_an_empty_cart_is_refused(client, anonymous_cart):
    CouponFactory.create(code="TENOFF")

    response = client.put(_url(anonymous_cart, "coupon"), {"code": "TENOFF"}, content_type=JSON)

    assert error_of(response, 400)["code"] == "cart_empty"


def test_removing_the_coupon_reprices_the_cart(client, anonymous_cart, variant):
    CouponFactory.create(code="TENOFF")
    cart_line_add(cart=anonymous_cart, variant_id=variant.pk, now=NOW)
    client.put(_url(anonymous_cart, "coupon"), {"code": "TENOFF"}, content_type=JSON)

    response = client.delete(_url(anonymous_cart, "coupon"))

    assert response.status_code == 200
    assert (response.json()["coupon"], response.json()["quote"]["total"]) == (None, "100.00")


def test_guessing_codes_is_rate_limited_with_a_retry_after(client, anonymous_cart, variant, settings):
    # given
    settings.ALLBUY_COUPON_FAILURES_PER_IP = 3
    CouponFactory.create(code="REALCODE")
    cart_line_add(cart=anonymous_cart, variant_id=variant.pk, now=NOW)

    def attempt(code):
        return client.put(_url(anonymous_cart, "coupon"), {"code": code}, content_type=JSON, REMOTE_ADDR="203.0.113.9")

    # when
    guesses = [attempt(f"GUESS{n}") for n in range(3)]
    refused = attempt("GUESS4")
    real = attempt("REALCODE")

    # then
    assert [error_of(r, 404)["code"] for r in guesses] == ["unknown"] * 3
    for response in (refused, real):
        body = error_of(response, 429)
        assert body["code"] == "coupon_rate_limited"
        assert int(response["Retry-After"]) == body["extra"]["retry_after"] > 0
    elsewhere = client.put(_url(anonymous_cart, "coupon"), {"code": "REALCODE"}, content_type=JSON, REMOTE_ADDR="198.51.100.1")
    assert elsewhere.status_code == 200


def test_a_real_code_refused_because_of_the_cart_does_not_count_as_a_guess(client, anonymous_cart, variant, settings):
    settings.ALLBUY_COUPON_FAILURES_PER_IP = 2
    CouponFactory.create(code="BIGSPENDER", min_subtotal=Decimal("500.00"), currency="EUR")
    cart_line_add(cart=anonymous_cart, variant_id=variant.pk, now=NOW)

    def attempt(code):
        return client.put(_url(anonymous_cart, "coupon"), {"code": code}, content_type=JSON, REMOTE_ADDR="203.0.113.9")

    refusals = [attempt("BIGSPENDER") for _ in range(3)]
    guess = attempt("GUESS1")

    assert [error_of(r, 409)["code"] for r in refusals] == ["minimum_not_met"] * 3
    assert error_of(guess, 404)["code"] == "unknown"


def test_a_signed_in_guesser_is_limited_per_account_across_addresses(ada, ada_client, variant, settings):
    settings.ALLBUY_COUPON_FAILURES_PER_ACCOUNT = 2
    cart = cart_for_user(user=ada, now=NOW)
    cart_line_add(cart=cart, variant_id=variant.pk, now=NOW)

    for n in range(2):
        ada_client.put(_url(cart, "coupon"), {"code": f"GUESS{n}"}, content_type=JSON, REMOTE_ADDR=f"203.0.113.{n}")
    response = ada_client.put(_url(cart, "coupon"), {"code": "GUESS9"}, content_type=JSON, REMOTE_ADDR="198.51.100.7")

    assert error_of(response, 429)["code"] == "coupon_rate_limited"


# --- CSRF ----------------------------------------------------------------------------------------------------------


def test_a_signed_in_change_without_the_csrf_token_is_refused(ada, variant):
    # given
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(ada, backend=MODEL_BACKEND)
    cart = cart_for_user(user=ada, now=NOW)

    # when
    forged = _add(browser, cart, variant.pk)
    forged_create = browser.post("/api/carts")

    # then
    assert error_of(forged, 403)["code"] == "csrf_failed"
    assert error_of(forged_create, 403)["code"] == "csrf_failed"
    assert "/api/csrf" in forged.json()["message"]
    assert not CartLine.objects.exists()
    assert browser.get(_url(cart)).status_code == 200  # reading needs no token


def test_a_signed_in_change_with_the_csrf_token_from_the_api_goes_through(ada, variant):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(ada, backend=MODEL_BACKEND)
    cart = cart_for_user(user=ada, now=NOW)

    answer = browser.get("/api/csrf")
    token = answer.json()["csrf_token"]
    response = browser.post(
        _url(cart, "lines"), {"variant_id": variant.pk, "quantity": 1}, content_type=JSON, HTTP_X_CSRFTOKEN=token
    )

    assert answer.json()["header"] == "X-CSRFToken"
    assert "csrftoken" in answer.cookies
    assert response.status_code == 201


def test_an_anonymous_cart_needs_no_csrf_token(variant):
    app = Client(enforce_csrf_checks=True)

    created = app.post("/api/carts")
    cart = Cart.objects.get(pk=created.json()["id"])
    added = _add(app, cart, variant.pk)

    assert (created.status_code, added.status_code) == (201, 201)


# --- OpenAPI -------------------------------------------------------------------------------------------------------


def test_the_schema_documents_the_cart_endpoints_and_their_errors(client):
    schema = client.get("/api/openapi.json").json()
    paths = schema["paths"]

    assert set(paths["/api/carts"]) == {"post"}
    assert set(paths["/api/carts/{cart_id}"]) == {"get"}
    assert set(paths["/api/carts/{cart_id}/lines"]) == {"post"}
    assert set(paths["/api/carts/{cart_id}/lines/{line_id}"]) == {"patch", "delete"}
    assert set(paths["/api/carts/{cart_id}/coupon"]) == {"put", "delete"}
    coupon = paths["/api/carts/{cart_id}/coupon"]["put"]
    assert {"200", "400", "403", "404", "409", "429"} <= set(coupon["responses"])
    assert "ErrorOut" in str(coupon["responses"]["429"])
    assert {} in coupon["security"]  # a session is optional
    assert {p["name"] for p in paths["/api/carts/{cart_id}"]["get"]["parameters"]} == {"cart_id", "country", "shipping"}
    assert schema["components"]["schemas"]["QuoteOut"]["properties"]["total"]["type"] == "string"
