"""Marketplace fulfilment, end to end in Chromium (issue 5).

A customer buys from two merchants; merchant X's packer sees only X's shipment, prints its slip and hands it
over; the carrier reports the delivery through its API; the customer sees the status and who read their
address; fifteen days later (the shop's clock moved) merchant X sees the address as withheld.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import expect

from allbuy.accounts.tests.factories import PASSWORD, address_add, customer_create
from allbuy.catalog.tests.factories import ProductFactory, VariantFactory
from allbuy.core import clock
from allbuy.fulfilment.models import Shipment, ShipmentStatus
from allbuy.fulfilment.services import carrier_token_create
from allbuy.fulfilment.tests.factories import carrier_create, merchant_create, staff_add
from allbuy.orders.models import Order
from allbuy.privacy.datamap import Purpose
from allbuy.privacy.models import AccessLogEntry
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fresh_counters")]


def sign_in(page: Any, live_server: Any, email: str, next_path: str = "/") -> None:
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/?next={next_path}")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()


def add_to_cart(page: Any, live_server: Any, slug: str, name: str) -> None:
    page.goto(f"{live_server.url}/products/{slug}/")
    page.get_by_role("button", name="Add to cart").click()
    expect(page.get_by_role("status").filter(has_text=f"Added 1 × {name}")).to_be_visible()


def carrier_post(live_server: Any, token: str, shipment: Shipment, status: str) -> int:
    body = json.dumps({"status": status}).encode()
    request = urllib.request.Request(
        f"{live_server.url}/api/carrier/shipments/{shipment.public_id}/status",
        data=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_two_merchants_a_packer_a_carrier_and_the_address_withheld_after_delivery(live_server, page, monkeypatch):
    # given two merchants with a product each, a packer at X, a carrier for Germany with an API token, and a customer
    mi_store = merchant_create("Mi Store Berlin")
    charge_co = merchant_create("Charge & Co.")
    watch = ProductFactory.create(name="Redmi Watch 5", slug="redmi-watch-5", merchant=mi_store)
    VariantFactory.create(product=watch, sku="RW5", price=Decimal("99.00"), stock_quantity=5)
    cable = ProductFactory.create(name="Braided USB-C Cable", slug="braided-cable", merchant=charge_co)
    VariantFactory.create(product=cable, sku="CBL", price=Decimal("12.00"), stock_quantity=5)
    dhl = carrier_create("dhl", ["DE"], "4.10", name="DHL Parcel")
    token = carrier_token_create(carrier=dhl, scopes=["shipments:read", "shipments:write"])
    staff_add(mi_store, customer_create("packer@mistore.example"))
    mila = customer_create("mila@example.de")
    address_add(mila, recipient_name="Mila Weber", line1="Torstraße 5", city="Berlin", postcode="10119", country="DE")

    # when the customer buys from both merchants
    sign_in(page, live_server, "mila@example.de")
    add_to_cart(page, live_server, "redmi-watch-5", "Redmi Watch 5")
    add_to_cart(page, live_server, "braided-cable", "Braided USB-C Cable")
    page.goto(f"{live_server.url}/checkout/")
    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_label("Month (MM)").fill("12")
    page.get_by_label("Year (YYYY)").fill(str(clock.now().year + 3))
    page.get_by_label("Security code (CVC)").fill("123")
    page.get_by_role("button", name="Place order").click()
    page.wait_for_url(re.compile(r"/orders/AB[A-Z0-9]+/"))
    expect(page.get_by_text("Paid").first).to_be_visible()
    order = Order.objects.get()
    shipments = {s.merchant.name: s for s in Shipment.objects.filter(order=order).select_related("merchant")}
    assert set(shipments) == {"Mi Store Berlin", "Charge & Co."}
    mine = shipments["Mi Store Berlin"]

    # then merchant X's packer sees X's shipment only, with X's line only
    sign_in(page, live_server, "packer@mistore.example", "/merchant/")
    page.wait_for_url(re.compile(r"/merchant/$"))
    main = page.get_by_role("main")
    expect(main).to_contain_text(order.number)
    expect(main).to_contain_text("Redmi Watch 5")
    expect(main).not_to_contain_text("Braided USB-C Cable")
    screenshot(page, "marketplace-1-packer-shipments")

    # and opens it: the address is there (a logged read), the slip prints it, and the shipment is handed over
    page.goto(f"{live_server.url}/merchant/shipments/{mine.public_id}/")
    expect(main).to_contain_text("Mila Weber")
    expect(main).to_contain_text("Torstraße 5")
    expect(main).not_to_contain_text("mila@example.de")
    page.get_by_role("link", name="Packing slip").click()
    page.wait_for_url(re.compile(r"/slip/$"))
    expect(page.get_by_role("heading", name="Packing slip")).to_be_visible()
    expect(page.get_by_text("Torstraße 5")).to_be_visible()
    screenshot(page, "marketplace-2-packing-slip")
    page.goto(f"{live_server.url}/merchant/shipments/{mine.public_id}/")
    page.get_by_role("button", name="Mark packed").click()
    page.get_by_role("button", name="Handed to carrier").click()
    expect(main).to_contain_text("Handed to the carrier")

    # when the carrier fetches the label data (a logged read) and reports the parcel picked up, in transit, delivered
    label_request = urllib.request.Request(
        f"{live_server.url}/api/carrier/shipments/{mine.public_id}", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(label_request, timeout=10) as response:
        label = json.loads(response.read())
    assert label["tracking_number"] == mine.tracking_number
    assert label["ship_to"]["recipient_name"] == "Mila Weber"
    for status in ("picked_up", "in_transit", "delivered"):
        assert carrier_post(live_server, token, mine, status) == 200, status
    mine.refresh_from_db()
    assert mine.status == ShipmentStatus.DELIVERED
    assert carrier_post(live_server, token, mine, "in_transit") == 409  # no going back

    # then the customer sees the shipment delivered, with its tracking number, and who read the address
    sign_in(page, live_server, "mila@example.de", f"/orders/{order.number}/")
    page.wait_for_url(re.compile(rf"/orders/{order.number}/$"))
    expect(main).to_contain_text(mine.tracking_number)
    expect(main).to_contain_text("Delivered")
    screenshot(page, "marketplace-3-customer-order")
    page.goto(f"{live_server.url}/accounts/privacy/")
    expect(main).to_contain_text("Merchant: Mi Store Berlin")
    expect(main).to_contain_text("Carrier: DHL Parcel")
    # and both pages fit a phone
    page.set_viewport_size({"width": 375, "height": 740})
    for path in (f"/orders/{order.number}/", "/accounts/privacy/"):
        page.goto(f"{live_server.url}{path}")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at 375px"
    screenshot(page, "marketplace-4b-who-accessed-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    reads = AccessLogEntry.objects.filter(subject_id=order.subject_id, purpose=Purpose.SHIPPING)
    assert {entry.actor_label for entry in reads} >= {"Merchant: Mi Store Berlin", "Carrier: DHL Parcel"}
    assert all(entry.context.get("shipment") == str(mine.public_id) for entry in reads if entry.actor_kind != "allbuy")
    screenshot(page, "marketplace-4-who-accessed")

    # when fifteen days pass after the delivery
    later = clock.now() + timedelta(days=15)
    monkeypatch.setattr("allbuy.core.clock.now", lambda: later)

    # then merchant X sees the address withheld, with the reason, and the carrier's API answers 410
    sign_in(page, live_server, "packer@mistore.example", f"/merchant/shipments/{mine.public_id}/")
    page.wait_for_url(re.compile(r"/merchant/shipments/"))
    expect(main).to_contain_text("Address withheld")
    expect(main).not_to_contain_text("Torstraße 5")
    screenshot(page, "marketplace-5-withheld")
    with pytest.raises(urllib.error.HTTPError) as gone:
        urllib.request.urlopen(label_request, timeout=10)
    assert gone.value.code == 410
    assert json.loads(gone.value.read())["code"] == "grant_expired"
