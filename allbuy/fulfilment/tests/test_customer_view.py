"""What the customer sees of fulfilment: their parcels on the order page and in the API, and on My privacy who
may see their shipping details until when, and every read a merchant or carrier made of them."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client

from allbuy.core import clock
from allbuy.fulfilment.models import Shipment, ShipmentStatus
from allbuy.fulfilment.selectors import access_log_details, order_shipments, shipping_grants_for
from allbuy.fulfilment.services import carrier_actor, merchant_actor, shipment_move, shipment_ship_to
from allbuy.fulfilment.tests.factories import carrier_create, merchant_create, order_paid_from, shipment_of
from allbuy.orders.models import Order
from allbuy.orders.services import order_cancel
from allbuy.orders.tests.factories import NOW
from allbuy.privacy.selectors import access_log_page

pytestmark = pytest.mark.django_db

S = ShipmentStatus


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: NOW)


@pytest.fixture
def two_merchant_order():
    """An order from merchants X and Y, paid at NOW, both parcels with carrier P (the cheapest to Germany)."""
    x, y = merchant_create("Xiaomi Store"), merchant_create("Yellow Gadgets")
    carrier_create("pparcel", ["DE"], "3.90", name="P Parcel")
    carrier_create("qpost", [], "7.50", name="Q Post")
    order = order_paid_from(merchants={x: None, y: None}, recipient_name="Ines Reader", line1="Torstraße 17")
    return order, x, y


def _client_for(order: Order) -> Client:
    client = Client()
    client.force_login(order.user)
    return client


def _deliver(shipment: Shipment, *, at=NOW) -> None:
    """Pack and hand over as the merchant, then pick up, carry and deliver as the carrier, at `at`."""
    merchant, carrier = merchant_actor(shipment.merchant), carrier_actor(shipment.carrier)
    for to, by in ((S.PACKED, merchant), (S.HANDED_OVER, merchant), (S.PICKED_UP, carrier), (S.IN_TRANSIT, carrier)):
        shipment_move(shipment=shipment, to=to, by=by, now=at)
    shipment_move(shipment=shipment, to=S.DELIVERED, by=carrier, now=at + timedelta(hours=1))


# --- the order page ---------------------------------------------------------------------------------------------


def test_the_order_page_shows_each_merchants_parcel_with_carrier_tracking_and_status(two_merchant_order):
    # given an order from two merchants, X's parcel handed to the carrier
    order, x, y = two_merchant_order
    parcel_x, parcel_y = shipment_of(order, x), shipment_of(order, y)
    shipment_move(shipment=parcel_x, to=S.PACKED, by=merchant_actor(x), now=NOW + timedelta(hours=1))
    shipment_move(shipment=parcel_x, to=S.HANDED_OVER, by=merchant_actor(x), now=NOW + timedelta(hours=2))

    # when the customer opens the order
    response = _client_for(order).get(f"/orders/{order.number}/")

    # then each parcel has its seller, carrier, tracking number and its own status
    assert response.status_code == 200
    page = response.content.decode()
    assert "Shipments" in page
    assert "From Xiaomi Store" in page
    assert "From Yellow Gadgets" in page
    assert page.count("P Parcel") >= 2
    assert parcel_x.tracking_number in page
    assert parcel_y.tracking_number in page
    x_block = page[page.index("From Xiaomi Store") : page.index("From Yellow Gadgets")]
    y_block = page[page.index("From Yellow Gadgets") :]
    assert "Handed to the carrier" in x_block
    assert 'aria-current="step"' in x_block
    assert re.search(r'is-current" aria-current="step"><span class="order-step-label">Handed to the carrier', x_block)
    assert re.search(r'is-current" aria-current="step"><span class="order-step-label">Ready to pack', y_block)
    # and its history, naming the business that moved it, never a person
    assert "(Merchant: Xiaomi Store)" in x_block
    assert "Merchant: Xiaomi Store" not in y_block


def test_a_delivered_parcel_shows_the_carriers_steps_in_its_history(two_merchant_order):
    # given X's parcel delivered by the carrier
    order, x, _ = two_merchant_order
    _deliver(shipment_of(order, x))

    # when
    page = _client_for(order).get(f"/orders/{order.number}/").content.decode()

    # then
    x_block = page[page.index("From Xiaomi Store") : page.index("From Yellow Gadgets")]
    assert re.search(r'is-current" aria-current="step"><span class="order-step-label">Delivered', x_block)
    for label in ("Picked up", "In transit", "Delivered"):
        assert f'{label} <span class="muted">(Carrier: P Parcel)</span>' in x_block


def test_a_cancelled_order_shows_its_parcels_stopped(two_merchant_order):
    # given
    order, _x, _ = two_merchant_order
    order_cancel(order=order, actor="customer", reason="changed my mind", by_customer=True, now=NOW)

    # when
    page = _client_for(order).get(f"/orders/{order.number}/").content.decode()

    # then no step of a parcel is current any more, and the history says it was cancelled
    x_block = page[page.index("From Xiaomi Store") : page.index("From Yellow Gadgets")]
    assert "order-progress is-stopped" in x_block
    assert 'aria-current="step"' not in x_block
    assert "Cancelled" in x_block


def test_an_unpaid_order_has_no_shipments_block():
    # given an order whose payment is still pending (no shipments yet)
    from allbuy.orders.services import order_place
    from allbuy.orders.tests.factories import CARD_PENDING, card, shopper_ready

    shopper = shopper_ready()
    order = order_place(
        user=shopper.user, cart=shopper.cart, address_id=shopper.address.pk, shipping_code="standard",
        idempotency_key="checkout-pending-1", card=card(CARD_PENDING), now=NOW,
    ).order  # fmt: skip

    # when
    page = _client_for(order).get(f"/orders/{order.number}/").content.decode()

    # then
    assert not Shipment.objects.filter(order=order).exists()
    assert 'id="shipments-title"' not in page


def test_order_shipments_costs_two_queries_however_many_parcels(django_assert_num_queries):
    # given an order from three merchants, each parcel with events
    merchants = [merchant_create(f"Shop {n}") for n in range(3)]
    carrier_create("pparcel", [], "3.90")
    order = order_paid_from(merchants=dict.fromkeys(merchants))
    for merchant in merchants:
        shipment_move(shipment=shipment_of(order, merchant), to=S.PACKED, by=merchant_actor(merchant), now=NOW)

    # when / then: the shipments with merchant and carrier, then their events
    with django_assert_num_queries(2):
        views = order_shipments(order)
    assert [view.merchant for view in views] == ["Shop 0", "Shop 1", "Shop 2"]
    assert all([event.to_status for event in view.events] == ["ready", "packed"] for view in views)


def test_the_order_page_costs_the_same_queries_for_one_or_three_parcels(django_assert_max_num_queries):
    # given an order with one parcel, measured
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    carrier_create("pparcel", [], "3.90")
    one = order_paid_from(merchants={merchant_create("Only Shop"): None})
    client = _client_for(one)
    with CaptureQueriesContext(connection) as baseline:
        assert client.get(f"/orders/{one.number}/").status_code == 200
    three = order_paid_from(merchants={merchant_create(f"Shop {n}"): None for n in range(3)})
    client = _client_for(three)

    # when / then
    with django_assert_max_num_queries(len(baseline.captured_queries)):
        assert client.get(f"/orders/{three.number}/").status_code == 200


# --- the API ---------------------------------------------------------------------------------------------------


def test_the_api_order_detail_lists_the_shipments_by_public_id(two_merchant_order):
    # given X's parcel packed
    order, x, _y = two_merchant_order
    parcel_x = shipment_of(order, x)
    shipment_move(shipment=parcel_x, to=S.PACKED, by=merchant_actor(x), now=NOW + timedelta(minutes=5))

    # when
    response = _client_for(order).get(f"/api/orders/{order.number}")

    # then
    assert response.status_code == 200
    shipments = {item["merchant"]: item for item in response.json()["shipments"]}
    assert set(shipments) == {"Xiaomi Store", "Yellow Gadgets"}
    item = shipments["Xiaomi Store"]
    assert item["id"] == str(parcel_x.public_id)
    assert item["carrier"] == "P Parcel"
    assert item["tracking_number"] == parcel_x.tracking_number
    assert item["status"] == "packed"
    assert [(e["from_status"], e["to_status"], e["by"]) for e in item["events"]] == [
        ("", "ready", "AllBuy"),
        ("ready", "packed", "Merchant: Xiaomi Store"),
    ]
    assert shipments["Yellow Gadgets"]["status"] == "ready"
    # no internal ids and no personal data in a shipment
    assert set(item) == {"id", "merchant", "carrier", "tracking_number", "status", "status_label", "events"}


def test_the_openapi_schema_documents_the_shipments():
    # when
    from allbuy.api.api import api

    schemas = api.get_openapi_schema()["components"]["schemas"]

    # then
    assert "shipments" in schemas["OrderDetailOut"]["properties"]
    assert {"id", "merchant", "carrier", "tracking_number", "status", "events"} <= set(schemas["OrderShipmentOut"]["properties"])


# --- My privacy: who may see the shipping details -----------------------------------------------------------------


def _my_privacy(order: Order) -> str:
    response = _client_for(order).get("/accounts/privacy/")
    assert response.status_code == 200
    return response.content.decode()


def _grants_block(page: str) -> str:
    return page[page.index('id="shipping-grants"') : page.index('id="access-log"')]


def test_my_privacy_shows_who_may_see_the_shipping_details_until_14_days_after_delivery(two_merchant_order):
    # given a paid, undelivered order from X and Y, both with carrier P
    order, x, _ = two_merchant_order

    # when
    block = _grants_block(_my_privacy(order))

    # then: X, Y and P (once per parcel), for the name, address and phone of that order, until 14 days after delivery
    assert block.count('<th scope="row">Merchant: Xiaomi Store</th>') == 1
    assert block.count('<th scope="row">Merchant: Yellow Gadgets</th>') == 1
    assert block.count('<th scope="row">Carrier: P Parcel</th>') == 2
    assert block.count("Until 14 days after delivery") == 4
    assert f'href="/orders/{order.number}/"' in block
    assert shipment_of(order, x).tracking_number in block
    assert "Phone" in block or "phone" in block
    assert "mail" not in block.split("</p>", 1)[1].lower()  # the email is never among the shared fields


def test_after_delivery_the_grant_shows_its_end_date_and_then_that_it_ended(two_merchant_order, monkeypatch):
    # given X's parcel delivered on 10 June (grant until 24 June)
    order, x, _ = two_merchant_order
    _deliver(shipment_of(order, x))

    # when, the next day
    monkeypatch.setattr(clock, "now", lambda: NOW + timedelta(days=1))
    block = _grants_block(_my_privacy(order))

    # then X's and P's grants for that parcel run until 24 June
    assert block.count('Until <time datetime="2026-06-24') == 2
    assert block.count("Until 14 days after delivery") == 2  # Y's parcel: not delivered

    # when, 15 days after delivery
    monkeypatch.setattr(clock, "now", lambda: NOW + timedelta(days=15))
    block = _grants_block(_my_privacy(order))

    # then they are listed as ended, after the current ones
    assert block.count("<strong>Ended</strong>") == 2
    assert "(14 days after delivery)" in block
    assert block.index("Until 14 days after delivery") < block.index("<strong>Ended</strong>")


def test_cancelling_the_order_shows_the_grants_revoked_with_the_reason(two_merchant_order):
    # given
    order, _, _ = two_merchant_order

    # when
    order_cancel(order=order, actor="customer", reason="changed my mind", by_customer=True, now=NOW)
    block = _grants_block(_my_privacy(order))

    # then
    assert block.count("<strong>Ended</strong>") == 4
    assert block.count("the order was cancelled") == 4
    assert "Until 14 days after delivery" not in block


def test_a_customer_sees_only_the_grants_of_their_own_orders(two_merchant_order):
    # given another customer's order
    order, _, _ = two_merchant_order
    other = order_paid_from(merchants={merchant_create("Zeta Shop"): None})

    # when
    block = _grants_block(_my_privacy(order))

    # then
    assert "Zeta Shop" not in block
    assert other.number not in block
    other_block = _grants_block(_my_privacy(other))
    assert "Merchant: Zeta Shop" in other_block
    assert "Xiaomi Store" not in other_block
    assert order.number not in other_block


def test_without_any_order_nobody_may_see_shipping_details():
    # given a customer with no order
    from allbuy.accounts.tests.factories import customer_create

    client = Client()
    client.force_login(customer_create("nobody@example.org"))

    # when
    page = client.get("/accounts/privacy/").content.decode()

    # then
    assert "No merchant or carrier may see your shipping details." in _grants_block(page)


# --- My privacy: who accessed the data ------------------------------------------------------------------------------


def _access_log(page: str) -> str:
    return page[page.index('id="access-log"') :]


def test_each_merchant_and_carrier_read_is_listed_with_fields_order_shipment_and_time(two_merchant_order, monkeypatch):
    # given merchant X printed the packing slip at 11:30 and carrier P read the label data at 12:00
    order, x, _ = two_merchant_order
    parcel_x = shipment_of(order, x)
    shipment_ship_to(shipment=parcel_x, actor=merchant_actor(x), now=NOW.replace(hour=11, minute=30))
    monkeypatch.setattr(clock, "now", lambda: NOW.replace(hour=12))
    shipment_ship_to(shipment=parcel_x, actor=carrier_actor(parcel_x.carrier))

    # when
    log = _access_log(_my_privacy(order))

    # then each read says who, which fields, for which order (a link) and which parcel, and when
    merchant_row = log[log.index('<th scope="row">Merchant: Xiaomi Store</th>') :]
    merchant_row = merchant_row[: merchant_row.index("</tr>")]
    carrier_row = log[log.index('<th scope="row">Carrier: P Parcel</th>') :]
    carrier_row = carrier_row[: carrier_row.index("</tr>")]
    for row in (merchant_row, carrier_row):
        assert f'<a href="/orders/{order.number}/">order {order.number}</a>' in row
        assert f"Xiaomi Store’s parcel, P Parcel {parcel_x.tracking_number}" in row
        assert "To pack and deliver what you bought" in row
        assert str(parcel_x.public_id) not in row  # the parcel is named as the customer knows it
        assert "Grant:" not in row  # internal ids are not shown
    assert "phone" in merchant_row.lower()
    assert "email" not in merchant_row.lower()
    assert log.index("Carrier: P Parcel") < log.index("Merchant: Xiaomi Store")  # newest first
    assert "12:00" in log[log.index("Carrier: P Parcel") - 200 : log.index("Carrier: P Parcel")]


def test_access_log_details_cost_one_query_for_a_page_of_rows(two_merchant_order, django_assert_num_queries):
    # given several reads of two parcels
    order, x, y = two_merchant_order
    for merchant in (x, y):
        parcel = shipment_of(order, merchant)
        for _ in range(3):
            shipment_ship_to(shipment=parcel, actor=merchant_actor(merchant), now=NOW)
            shipment_ship_to(shipment=parcel, actor=carrier_actor(parcel.carrier), now=NOW)
    _, rows = access_log_page(subject_id=order.subject_id, page=1)

    # when / then
    with django_assert_num_queries(1):
        details = access_log_details(rows, subject_id=order.subject_id)
    shipping = [detail for detail in details if detail.shipment is not None]
    assert len(shipping) == 12
    assert {detail.shipment.merchant for detail in shipping if detail.shipment} == {"Xiaomi Store", "Yellow Gadgets"}


def test_another_customers_shipment_is_never_named_in_my_log(two_merchant_order):
    # given a log entry that (by a bug or a forged context) names another customer's shipment
    order, _, _ = two_merchant_order
    other = order_paid_from(merchants={merchant_create("Zeta Shop"): None})
    foreign = Shipment.objects.get(order=other)
    from allbuy.privacy.selectors import AccessLogRow

    row = AccessLogRow(
        at=NOW, actor="Merchant: Zeta Shop", fields=(), purpose="", context=(("shipment", str(foreign.public_id)),)
    )

    # when
    [detail] = access_log_details([row], subject_id=order.subject_id)

    # then
    assert detail.shipment is None
    assert detail.order_number == ""


def test_shipping_grants_for_costs_two_queries(two_merchant_order, django_assert_num_queries):
    # given
    order, _, _ = two_merchant_order

    # when / then
    with django_assert_num_queries(2):
        grants = shipping_grants_for(subject_id=order.subject_id, now=NOW)
    assert len(grants) == 4
    assert {grant.state for grant in grants} == {"active"}
