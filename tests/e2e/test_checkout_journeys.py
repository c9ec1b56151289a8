"""Checkout, end to end in Chromium (issue 4): a deal and a coupon paid by card, a declined card then a good one, a phone.

The live server runs in this process on the real clock and the test payment gateway (README, "Test cards"), so what
the browser shows is compared with what the server stored.
"""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import expect

from allbuy.accounts.tests.factories import PASSWORD, address_add, customer_create
from allbuy.catalog.models import Variant
from allbuy.catalog.tests.factories import ProductFactory, VariantFactory
from allbuy.core import clock
from allbuy.core.money import money_format
from allbuy.coupons.tests.factories import CouponFactory
from allbuy.deals.tests.factories import DealFactory
from allbuy.orders.models import Order, OrderStatus, PaymentState
from allbuy.orders.tests.factories import shopper_ready
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fresh_counters")]

CARD_OK = "4242 4242 4242 4242"
CARD_DECLINED = "4000 0000 0000 0002"
HEADER_CART_ONE = re.compile(r"^Cart\s*1 item$")


def sign_in(page: Any, live_server: Any, email: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/?next=/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("My account")).to_be_visible()


def pay(page: Any, number: str) -> None:
    """Type a card into the checkout's payment fields: a future expiry date and a 3-digit code."""
    page.get_by_label("Card number").fill(number)
    page.get_by_label("Month (MM)").fill("12")
    page.get_by_label("Year (YYYY)").fill(str(clock.now().year + 3))
    page.get_by_label("Security code (CVC)").fill("123")


def total_shown(page: Any) -> str:
    return page.locator(".totals-total dd").inner_text().strip()


def no_sideways_scroll(page: Any) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px at 375px"


def test_a_deal_and_a_coupon_paid_by_card_then_in_the_order_history(live_server, page):
    # given a product at €199 with a live deal at €149, an expired and a valid coupon, and a customer in Germany
    now = clock.now()
    product = ProductFactory.create(name="Redmi Watch 5", slug="redmi-watch-5")
    variant = VariantFactory.create(product=product, sku="RW5-BLK", price=Decimal("199.00"), stock_quantity=10)
    DealFactory.create(
        variant=variant,
        title="Deal of the day",
        deal_price=Decimal("149.00"),
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=2),
    )
    CouponFactory.create(code="SPRING10", valid_from=now - timedelta(days=60), valid_until=now - timedelta(days=1))
    CouponFactory.create(code="WELCOME5", value=Decimal("5"), valid_from=now - timedelta(days=1), stacks_with_deals=True)
    customer = customer_create("mila.weber@example.de")
    address_add(customer, recipient_name="Mila Weber", line1="Torstraße 5", city="Berlin", postcode="10119", country="DE")
    sign_in(page, live_server, "mila.weber@example.de")

    # when the shopper finds the deal among today's deals on the home page
    page.goto(f"{live_server.url}/")
    deals = page.get_by_role("region", name="Today’s deals")
    expect(deals).to_contain_text("Deal of the day")
    expect(deals).to_contain_text("€149.00")
    screenshot(page, "checkout-01-home-deal")
    deals.get_by_role("link", name="Redmi Watch 5").click()

    # then the product page shows the deal price
    page.wait_for_url(re.compile(r"/products/redmi-watch-5/\?sku=RW5-BLK"))
    expect(page.locator("#buy-box .price-large")).to_have_text("€149.00")

    # when they add it to the cart
    page.get_by_role("button", name="Add to cart").click()

    # then the page confirms it and the header counts one item
    expect(page.get_by_role("status").filter(has_text="Added 1 × Redmi Watch 5")).to_be_visible()
    expect(page.get_by_role("link", name=HEADER_CART_ONE)).to_be_visible()
    screenshot(page, "checkout-02-added-to-cart")

    # when they open the cart and try the expired code
    page.get_by_role("link", name="View your cart").click()
    page.wait_for_url(re.compile(r"/cart/$"))
    line = page.get_by_role("listitem").filter(has=page.get_by_role("link", name="Redmi Watch 5"))
    expect(line).to_contain_text("€149.00")
    expect(line).to_contain_text("Deal of the day")
    before = total_shown(page)
    assert before == "€149.00"
    code = page.get_by_label("Coupon code")
    code.fill("SPRING10")
    page.get_by_role("button", name="Apply").click()

    # then the reason is shown at the field, and linked to it
    expect(page.get_by_role("alert")).to_have_text("This code has expired.")
    expect(page.get_by_label("Coupon code")).to_have_accessible_description("This code has expired.")
    expect(page.get_by_label("Coupon code")).to_have_attribute("aria-invalid", "true")
    screenshot(page, "checkout-03-coupon-expired")

    # when they type the valid code in lower case
    page.get_by_label("Coupon code").fill("welcome5")
    page.get_by_role("button", name="Apply").click()

    # then it is applied and the total drops
    expect(page.get_by_text("Code WELCOME5 is applied.")).to_be_visible()
    expect(page.locator(".totals-total dd")).not_to_have_text(before)
    after = total_shown(page)
    assert after == "€141.55"
    screenshot(page, "checkout-04-coupon-applied")

    # when they proceed to checkout
    page.get_by_role("button", name="Checkout").click()
    page.wait_for_url(re.compile(r"/checkout/$"))

    # then their address and standard delivery are chosen, and the review shows the same total
    expect(page.get_by_role("radio", name=re.compile(r"Mila Weber.*Germany"))).to_be_checked()
    expect(page.get_by_role("radio", name=re.compile(r"^Standard delivery"))).to_be_checked()
    expect(page.get_by_role("region", name="3. Coupon")).to_contain_text("Code WELCOME5 is applied.")
    review = page.get_by_role("region", name="4. Review your order")
    expect(review.get_by_role("listitem").filter(has_text="Redmi Watch 5")).to_contain_text("1 × €149.00")
    assert total_shown(page) == after

    # when they pay by card and place the order
    pay(page, CARD_OK)
    screenshot(page, "checkout-05-checkout-filled")
    page.get_by_role("button", name="Place order").click()

    # then the order's page shows it paid, at the deal price, with the coupon
    page.wait_for_url(re.compile(r"/orders/[A-Z0-9]+/$"))
    order = Order.objects.get()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Order {order.number}")
    payment = page.get_by_role("region", name="Payment")
    expect(payment).to_contain_text("Paid")
    items = page.get_by_role("region", name="Items")
    ordered = items.get_by_role("listitem").filter(has_text="Redmi Watch 5")
    expect(ordered).to_contain_text("you saved €57.45")
    expect(ordered).to_contain_text("€141.55")
    expect(items.locator(".totals")).to_contain_text("Deal savings−€50.00")
    expect(items.locator(".totals")).to_contain_text("Coupon WELCOME5−€7.45")
    screenshot(page, "checkout-06-order-paid")

    # and what it shows is what the server computed: 149 − 5 % = 141.55, standard shipping free over €50
    assert order.status == OrderStatus.PAID
    assert order.payment_state == PaymentState.CAPTURED
    assert (order.deal_discount, order.coupon_discount, order.shipping) == (Decimal("50.00"), Decimal("7.45"), Decimal("0"))
    assert order.total == Decimal("141.55")
    assert order.coupon_code == "WELCOME5"
    assert total_shown(page) == money_format(order.total, order.currency)
    assert [(line.sku, line.quantity, line.total) for line in order.lines.all()] == [("RW5-BLK", 1, Decimal("141.55"))]

    # when they open their orders from the account menu
    menu = page.get_by_role("group").filter(has=page.get_by_text("My account"))
    menu.get_by_text("My account").click()
    menu.get_by_role("link", name="Orders", exact=True).click()
    page.wait_for_url(re.compile(r"/orders/$"))

    # then the order is listed, paid, with its total
    card = page.get_by_role("article", name=f"Order {order.number}")
    expect(card).to_contain_text("Paid")
    expect(card).to_contain_text("1 × Redmi Watch 5")
    expect(card).to_contain_text(money_format(order.total, order.currency))
    screenshot(page, "checkout-07-order-history")


def test_a_declined_card_keeps_the_cart_and_a_second_card_pays(live_server, page):
    # given a signed-in customer with one item in the cart
    variant = VariantFactory.create(product=ProductFactory.create(name="POCO Pad"), price=Decimal("299.00"), stock_quantity=10)
    shopper_ready(variant=variant, quantity=1, email="jonas.berg@example.de", now=clock.now())
    sign_in(page, live_server, "jonas.berg@example.de")
    expect(page.get_by_role("link", name=HEADER_CART_ONE)).to_be_visible()

    # when they pay at checkout with a card that is declined
    page.goto(f"{live_server.url}/checkout/")
    pay(page, CARD_DECLINED)
    page.get_by_role("button", name="Place order").click()

    # then the checkout says so at the card number, which is empty again (never rendered back), and the cart keeps the item
    card_number = page.get_by_label("Card number")
    expect(card_number).to_have_accessible_description(re.compile(r"^Your card was declined\."))
    expect(page.get_by_role("alert").filter(has_text="Your card was declined")).to_be_visible()
    expect(card_number).to_have_value("")
    expect(page.get_by_label("Security code (CVC)")).to_have_value("")
    expect(page.get_by_role("link", name=HEADER_CART_ONE)).to_be_visible()
    screenshot(page, "checkout-08-card-declined")

    # when they pay with another card, pressing Enter in the last card field (the form's default action is to place it)
    pay(page, CARD_OK)
    with page.expect_navigation():
        page.get_by_label("Security code (CVC)").press("Enter")

    # then the order is confirmed and paid
    page.wait_for_url(re.compile(r"/orders/[A-Z0-9]+/$"))
    expect(page.get_by_role("region", name="Payment")).to_contain_text("Paid")
    screenshot(page, "checkout-09-paid-after-decline")

    # and the server holds one order cancelled for the declined card, one paid, and took one unit of stock
    orders = {order.status: order for order in Order.objects.all()}
    assert sorted(orders) == sorted([OrderStatus.CANCELLED, OrderStatus.PAID])
    assert orders[OrderStatus.CANCELLED].payment_state == PaymentState.DECLINED
    assert orders[OrderStatus.CANCELLED].cancel_reason == "payment_declined"
    assert orders[OrderStatus.PAID].payment_state == PaymentState.CAPTURED
    assert page.url.endswith(f"/orders/{orders[OrderStatus.PAID].number}/")
    assert Variant.objects.get(pk=variant.pk).stock_quantity == 9


def test_cart_and_checkout_fit_a_phone_and_the_order_is_placed_with_the_keyboard(live_server, browser):
    # given a signed-in customer with one item in the cart, on a phone
    variant = VariantFactory.create(product=ProductFactory.create(name="Huawei Band 9 Pro Edition"), price=Decimal("59.00"))
    shopper_ready(variant=variant, quantity=1, email="lea.roth@example.de", now=clock.now())
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    context.set_default_timeout(10_000)
    try:
        phone = context.new_page()
        sign_in(phone, live_server, "lea.roth@example.de")
        expect(phone.get_by_role("link", name=HEADER_CART_ONE)).to_be_visible()

        # when they open the cart and the checkout, then neither scrolls sideways
        phone.goto(f"{live_server.url}/cart/")
        expect(phone.get_by_role("heading", name="Your cart", level=1)).to_be_visible()
        no_sideways_scroll(phone)
        screenshot(phone, "checkout-10-phone-cart")
        phone.get_by_role("button", name="Checkout").click()
        phone.wait_for_url(re.compile(r"/checkout/$"))
        no_sideways_scroll(phone)

        # when they type their card and press Enter on "Place order"
        pay(phone, CARD_OK)
        place = phone.get_by_role("button", name="Place order")
        place.focus()
        expect(place).to_be_focused()
        screenshot(phone, "checkout-11-phone-checkout")
        with phone.expect_navigation():
            phone.keyboard.press("Enter")

        # then the order is placed and paid, on a page that fits the phone too
        phone.wait_for_url(re.compile(r"/orders/[A-Z0-9]+/$"))
        expect(phone.get_by_role("region", name="Payment")).to_contain_text("Paid")
        no_sideways_scroll(phone)
        assert Order.objects.get().status == OrderStatus.PAID
    finally:
        context.close()
