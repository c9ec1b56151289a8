"""The cart pages: add to cart from the cached product page, the cart, quantities, coupon, and on to checkout."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from allbuy.accounts.tests.factories import PASSWORD, customer_create
from allbuy.cart.models import Cart, CartLine
from allbuy.cart.services import cart_coupon_set, cart_create, cart_for_user, cart_line_add
from allbuy.catalog.models import Variant
from allbuy.catalog.tests.factories import ProductFactory, ProductImageFactory, VariantFactory
from allbuy.core import clock
from allbuy.coupons.tests.factories import CouponFactory
from allbuy.deals.tests.factories import DealFactory
from allbuy.orders.tests.factories import NOW

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}
PRODUCT_URL = "/products/redmi-note-13-pro/"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: NOW)


@pytest.fixture
def phone():
    product = ProductFactory.create(name="Redmi Note 13 Pro", slug="redmi-note-13-pro")
    VariantFactory.create(
        product=product,
        sku="RN-BLK",
        attributes={"colour": "Black", "storage": "256 GB"},
        price=Decimal("299.00"),
        stock_quantity=20,
    )
    VariantFactory.create(
        product=product,
        sku="RN-BLU",
        attributes={"colour": "Blue", "storage": "256 GB"},
        price=Decimal("309.00"),
        stock_quantity=2,
    )
    ProductImageFactory.create(product=product, colour="Black", alt_text="Redmi Note 13 Pro in black, front")
    ProductImageFactory.create(product=product, colour="Blue", alt_text="Redmi Note 13 Pro in blue, front")
    return product


@pytest.fixture
def black(phone) -> Variant:
    return phone.variants.get(sku="RN-BLK")


@pytest.fixture
def blue(phone) -> Variant:
    return phone.variants.get(sku="RN-BLU")


def _session_cart(client: Client) -> Cart:
    return Cart.objects.get(pk=client.session["cart_id"])


def _quantities(cart: Cart) -> dict[str, int]:
    return {line.variant.sku: line.quantity for line in CartLine.objects.filter(cart=cart).select_related("variant")}


def _header_count(html: str) -> int:
    found = re.search(r'class="header-cart-count">(\d+)<', html)
    assert found, "the header has no cart link"
    return int(found.group(1))


def _add(client: Client, variant: Variant, quantity: object = 1, **extra: Any):
    return client.post("/cart/add/", {"variant": variant.pk, "quantity": quantity, "next": PRODUCT_URL}, **extra)


def _line(client: Client, variant: Variant) -> CartLine:
    return CartLine.objects.get(cart=_session_cart(client), variant=variant)


# --- add to cart -------------------------------------------------------------------------------------------------


def test_the_product_page_offers_a_labelled_quantity_and_the_chosen_variant(client, phone, black):
    # when
    html = client.get(PRODUCT_URL).content.decode()

    # then
    assert 'action="/cart/add/"' in html
    assert '<label for="add-to-cart-quantity">Quantity</label>' in html
    assert 'min="1" max="10"' in html
    assert f'name="variant" value="{black.pk}"' in html
    assert "<!--csrf-token-->" not in html
    assert "<!--add-to-cart-status-->" not in html


def test_the_variant_panel_swaps_the_variant_into_the_form(client, phone, blue):
    html = client.get(f"{PRODUCT_URL}variant?colour=Blue&storage=256+GB", **HX).content.decode()

    assert 'id="add-to-cart-choice" class="add-to-cart-choice" hx-swap-oob="true"' in html
    assert f'name="variant" value="{blue.pk}"' in html
    assert "csrfmiddlewaretoken" not in html  # the shared partial carries no visitor's token


def test_adding_without_javascript_redirects_back_with_a_message_and_the_new_count(phone, black):
    # given a visitor whose browser checks CSRF like a real one, on the cached product page
    client = Client(enforce_csrf_checks=True)
    token = TOKEN.search(client.get(PRODUCT_URL).content.decode())

    # when they add two
    assert token is not None
    response = client.post(
        "/cart/add/", {"variant": black.pk, "quantity": "2", "next": PRODUCT_URL, "csrfmiddlewaretoken": token.group(1)}
    )

    # then they are sent back to the product page, which says so and counts the items
    assert response.status_code == 303
    assert response["Location"] == PRODUCT_URL
    assert _quantities(_session_cart(client)) == {"RN-BLK": 2}
    html = client.get(PRODUCT_URL).content.decode()
    assert "Added 2 × Redmi Note 13 Pro (Black / 256 GB) to your cart." in html
    assert _header_count(html) == 2
    # and the message shows once
    assert "Added 2 ×" not in client.get(PRODUCT_URL).content.decode()


def test_adding_without_the_csrf_token_is_refused(phone, black):
    client = Client(enforce_csrf_checks=True)
    client.get(PRODUCT_URL)

    response = client.post("/cart/add/", {"variant": black.pk, "quantity": "1"})

    assert response.status_code == 403
    assert "cart_id" not in client.session


def test_adding_with_htmx_confirms_in_place_and_updates_the_header_count(client, phone, black):
    # when
    response = _add(client, black, 3, **HX)

    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert "Added 3 × Redmi Note 13 Pro (Black / 256 GB) to your cart." in html
    assert 'id="header-cart" class="header-cart" href="/cart/" hx-swap-oob="true"' in html
    assert _header_count(html) == 3


def test_adding_again_adds_to_the_same_line(client, phone, black):
    _add(client, black, 2)
    _add(client, black, 3)

    assert _quantities(_session_cart(client)) == {"RN-BLK": 5}


@pytest.mark.parametrize(
    ("quantity", "status", "message"),
    [
        ("0", 400, "The quantity must be at least 1."),
        ("-1", 400, "The quantity must be a whole number."),
        ("11", 400, "You can buy at most 10 of one item per order."),
        ("abc", 400, "The quantity must be a whole number."),
        ("1e9", 400, "The quantity must be a whole number."),
        ("3", 409, "Only 2 left in stock."),
    ],
)
def test_adding_a_bad_quantity_says_why_with_a_4xx(client, phone, blue, quantity, status, message):
    # without JavaScript: a page with the reason
    page = _add(client, blue, quantity)
    assert page.status_code == status
    assert message in page.content.decode()
    assert f'href="{PRODUCT_URL}"' in page.content.decode()
    # with htmx: the reason in place
    partial = _add(client, blue, quantity, **HX)
    assert partial.status_code == status
    assert message in partial.content.decode()
    assert not CartLine.objects.exists()


def test_adding_an_unknown_or_sold_out_variant_is_refused(client, phone, blue):
    Variant.objects.filter(pk=blue.pk).update(stock_quantity=0)

    assert client.post("/cart/add/", {"variant": "999999", "quantity": "1"}).status_code == 404
    assert client.post("/cart/add/", {"variant": "x", "quantity": "1"}).status_code == 404
    sold_out = _add(client, blue, 1, **HX)
    assert sold_out.status_code == 409
    assert "out of stock" in sold_out.content.decode()


def test_add_refuses_get_and_an_outside_next(client, phone, black):
    assert client.get("/cart/add/").status_code == 405
    response = client.post("/cart/add/", {"variant": black.pk, "quantity": "1", "next": "https://evil.example/"})
    assert response["Location"] == "/cart/"


# --- the header count and the page cache ---------------------------------------------------------------------------


def test_each_visitor_sees_their_own_count_on_the_shared_cached_product_page(phone, black, blue):
    # given three visitors: one filled a cart, one is new, one is signed in with a cart of their own
    filler, newcomer, member = Client(), Client(), Client()
    _add(filler, black, 3)
    user = customer_create("member@example.org")
    cart_line_add(cart=cart_for_user(user=user), variant_id=blue.pk, quantity=1)
    member.force_login(user)

    # when each opens the same (cached) product page, in turn and again
    counts = [_header_count(visitor.get(PRODUCT_URL).content.decode()) for visitor in (filler, newcomer, member)]
    again = [_header_count(visitor.get(PRODUCT_URL).content.decode()) for visitor in (newcomer, member, filler)]

    # then nobody's count leaks into another's page
    assert counts == [3, 0, 1]
    assert again == [0, 1, 3]


def test_the_anonymous_header_costs_no_cart_query_without_a_cart(client, phone):
    client.get(PRODUCT_URL)  # warm the page cache

    with CaptureQueriesContext(connection) as queries:
        html = client.get(PRODUCT_URL).content.decode()

    assert _header_count(html) == 0
    assert not [q for q in queries.captured_queries if "cart_" in q["sql"]]
    assert len(queries.captured_queries) <= 2  # catalog revision and the deals key, as before


def test_the_header_counts_items_on_pages_rendered_per_request(client, phone, black):
    _add(client, black, 4)

    assert _header_count(client.get("/cart/").content.decode()) == 4
    assert _header_count(client.get("/accounts/login/").content.decode()) == 4


# --- the cart page -------------------------------------------------------------------------------------------------


def test_the_empty_cart_says_so(client, db):
    html = client.get("/cart/").content.decode()

    assert "Your cart is empty" in html
    assert 'action="/cart/checkout/"' not in html


def test_the_cart_shows_each_line_with_its_picture_price_stock_and_totals(client, phone, black, blue):
    # given a deal on the black phone and two items in the cart
    DealFactory.create(variant=black, title="Summer deal", deal_price=Decimal("249.00"), starts_at=NOW - timedelta(hours=1),
                ends_at=NOW + timedelta(hours=5))  # fmt: skip
    _add(client, black, 1)
    _add(client, blue, 2)

    # when
    response = client.get("/cart/")

    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert 'alt="Redmi Note 13 Pro in black, front"' in html
    assert 'alt="Redmi Note 13 Pro in blue, front"' in html
    assert f'href="{PRODUCT_URL}?sku=RN-BLK"' in html
    assert "Black / 256 GB" in html
    assert "€249.00" in html
    assert "Summer deal" in html
    assert "€299.00" in html
    assert "Only 2 left" in html
    assert '<label for="quantity-' in html
    assert "Deal savings" in html
    assert "−€50.00" in html
    assert "€867.00" in html  # 249 + 2 × 309, shipping free over 50
    assert "Including VAT" in html
    assert _header_count(html) == 3


def test_a_price_change_since_adding_is_noticed_until_the_shopper_proceeds(client, phone, black):
    # given
    _add(client, black, 1)
    Variant.objects.filter(pk=black.pk).update(price=Decimal("279.00"))

    # when
    html = client.get("/cart/").content.decode()

    # then
    assert "The price of Redmi Note 13 Pro dropped since you added it: it is now €279.00." in html
    client.post("/cart/checkout/")
    assert "dropped since you added it" not in client.get("/cart/").content.decode()


def test_updating_a_quantity_without_javascript_redirects_to_the_cart(client, phone, black):
    _add(client, black, 1)
    line = _line(client, black)

    response = client.post(f"/cart/lines/{line.pk}/", {"quantity": "3"})

    assert response.status_code == 303
    assert response["Location"] == "/cart/"
    assert _quantities(_session_cart(client)) == {"RN-BLK": 3}
    assert "Your cart is updated." in client.get("/cart/").content.decode()


def test_updating_a_quantity_with_htmx_returns_the_cart_region_and_the_count(client, phone, black):
    _add(client, black, 1)
    line = _line(client, black)

    response = client.post(f"/cart/lines/{line.pk}/", {"quantity": "4"}, **HX)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith('<div id="cart-region"')
    assert "<html" not in html
    assert 'value="4"' in html
    assert "€1,196.00" in html
    assert _header_count(html) == 4


@pytest.mark.parametrize(
    ("quantity", "status", "message"),
    [
        ("-1", 400, "The quantity must be a whole number."),
        ("11", 400, "You can buy at most 10 of one item per order."),
        ("abc", 400, "The quantity must be a whole number."),
        ("1e9", 400, "The quantity must be a whole number."),
        ("", 400, "The quantity must be a whole number."),
        ("3", 409, "Only 2 left in stock."),
    ],
)
def test_a_bad_quantity_is_shown_at_its_field_and_changes_nothing(client, phone, blue, quantity, status, message):
    # given
    _add(client, blue, 1)
    line = _line(client, blue)

    # when
    for extra in ({}, HX):
        response = client.post(f"/cart/lines/{line.pk}/", {"quantity": quantity}, **extra)

        # then
        html = response.content.decode()
        assert response.status_code == status
        assert f'aria-describedby="quantity-{line.pk}-error"' in html
        assert f'<p class="field-error" id="quantity-{line.pk}-error" role="alert">{message}</p>' in html
    assert _quantities(_session_cart(client)) == {"RN-BLU": 1}


def test_a_quantity_of_zero_removes_the_line(client, phone, black):
    _add(client, black, 2)
    line = _line(client, black)

    response = client.post(f"/cart/lines/{line.pk}/", {"quantity": "0"})

    assert response.status_code == 303
    assert not CartLine.objects.exists()


def test_remove_takes_the_line_out(client, phone, black, blue):
    _add(client, black, 1)
    _add(client, blue, 1)

    response = client.post(f"/cart/lines/{_line(client, black).pk}/remove/", **HX)

    assert response.status_code == 200
    assert _quantities(_session_cart(client)) == {"RN-BLU": 1}
    assert _header_count(response.content.decode()) == 1


def test_someone_elses_line_is_not_found(client, phone, black):
    # given another visitor's cart line
    other = cart_create()
    theirs = cart_line_add(cart=other, variant_id=black.pk, quantity=2)
    _add(client, black, 1)

    # when this visitor tampers with the line id
    update = client.post(f"/cart/lines/{theirs.pk}/", {"quantity": "5"})
    remove = client.post(f"/cart/lines/{theirs.pk}/remove/")
    partial = client.post(f"/cart/lines/{theirs.pk}/remove/", **HX)
    huge = client.post(f"/cart/lines/{10**20}/", {"quantity": "1"})

    # then nothing is found and nothing changes
    assert [update.status_code, remove.status_code, partial.status_code, huge.status_code] == [404, 404, 404, 404]
    assert "There is no such item in your cart." in update.content.decode()
    assert CartLine.objects.get(pk=theirs.pk).quantity == 2
    assert Client().post(f"/cart/lines/{theirs.pk}/remove/").status_code == 404  # a visitor without a cart


# --- coupons -------------------------------------------------------------------------------------------------------


def test_a_coupon_that_applies_is_kept_and_discounts_the_total(client, phone, black):
    CouponFactory.create(code="TENOFF", value=Decimal("10"))
    _add(client, black, 1)

    response = client.post("/cart/coupon/", {"code": "tenoff"})

    assert response.status_code == 303
    html = client.get("/cart/").content.decode()
    assert "The code TENOFF is applied." in html
    assert "−€29.90" in html
    assert "€269.10" in html
    client.post("/cart/coupon/remove/")
    assert _session_cart(client).coupon_code == ""


@pytest.mark.parametrize(
    ("code", "status", "message"),
    [
        ("NOSUCH", 404, "We don't know this code. Please check it and try again."),
        ("OLDCODE", 409, "This code has expired."),
        ("BIGSPEND", 409, "Your cart doesn't reach this code's minimum amount yet."),
    ],
)
def test_a_refused_coupon_says_why_next_to_the_field(client, phone, black, code, status, message):
    # given
    CouponFactory.create(code="OLDCODE", valid_until=NOW - timedelta(days=1))
    CouponFactory.create(code="BIGSPEND", min_subtotal=Decimal("1000.00"), currency="EUR")
    _add(client, black, 1)

    for extra in ({}, HX):
        # when
        response = client.post("/cart/coupon/", {"code": code}, **extra)

        # then
        html = response.content.decode()
        assert response.status_code == status
        assert 'aria-describedby="coupon-code-error"' in html
        assert f'<p class="field-error" id="coupon-code-error" role="alert">{message}</p>'.replace("'", "&#x27;") in html
    assert _session_cart(client).coupon_code == ""


def test_too_many_codes_that_do_not_work_are_paused_with_the_wait(client, settings, phone, black):
    # given a small limit per address
    settings.ALLBUY_COUPON_FAILURES_PER_IP = 2
    _add(client, black, 1)
    for attempt in range(2):
        assert client.post("/cart/coupon/", {"code": f"GUESS{attempt}"}).status_code == 404

    # when one more is tried
    response = client.post("/cart/coupon/", {"code": "GUESS9"})

    # then
    assert response.status_code == 429
    assert "Too many codes didn&#x27;t work. Please try again in" in response.content.decode()
    assert int(response["Retry-After"]) > 0


def test_a_stored_code_that_no_longer_applies_says_why(client, phone, black):
    CouponFactory.create(code="BIGSPEND", min_subtotal=Decimal("1000.00"), currency="EUR")
    _add(client, black, 1)
    cart_coupon_set(cart=_session_cart(client), code="BIGSPEND")

    html = client.get("/cart/").content.decode()

    assert "doesn’t apply now: Your cart doesn&#x27;t reach this code&#x27;s minimum amount yet." in html


# --- on to checkout ------------------------------------------------------------------------------------------------


def test_checkout_sends_an_anonymous_shopper_to_sign_in_first(client, phone, black):
    _add(client, black, 1)

    response = client.post("/cart/checkout/")

    assert response.status_code == 303
    assert response["Location"] == "/accounts/login/?next=%2Fcheckout%2F"


def test_signing_in_through_the_login_page_brings_the_cart_along(client, phone, black, blue):
    # given a customer whose account cart holds one item, shopping anonymously with two more
    user = customer_create("returning@example.org")
    cart_line_add(cart=cart_for_user(user=user), variant_id=black.pk, quantity=1)
    _add(client, black, 2)
    _add(client, blue, 1)

    # when they sign in on the real sign-in page, coming from the cart
    response = client.post("/accounts/login/", {"login": "returning@example.org", "password": PASSWORD, "next": "/checkout/"})

    # then the carts are one, and they go on to checkout
    assert response.status_code == 302
    assert response["Location"] == "/checkout/"
    assert _quantities(Cart.objects.get(user=user)) == {"RN-BLK": 3, "RN-BLU": 1}
    assert Cart.objects.filter(user__isnull=True).count() == 0
    assert _header_count(client.get("/cart/").content.decode()) == 4


def test_checkout_takes_a_signed_in_shopper_straight_to_checkout(client, phone, black):
    client.force_login(customer_create("direct@example.org"))
    _add(client, black, 1)

    response = client.post("/cart/checkout/")

    assert response.status_code == 303
    assert response["Location"] == "/checkout/"


def test_the_cart_page_costs_the_same_queries_for_one_line_or_many(client, phone, black):
    # given a cart of one line
    products = [ProductFactory.create() for _ in range(6)]
    variants = [VariantFactory.create(product=product, price=Decimal("10.00")) for product in products]
    for product in products:
        ProductImageFactory.create(product=product)
    _add(client, black, 1)
    client.get("/cart/")
    with CaptureQueriesContext(connection) as one:
        client.get("/cart/")

    # when it holds seven
    for variant in variants:
        _add(client, variant, 1)
    client.get("/cart/")
    with CaptureQueriesContext(connection) as seven:
        html = client.get("/cart/").content.decode()

    # then
    assert _header_count(html) == 7
    assert len(seven.captured_queries) == len(one.captured_queries)
