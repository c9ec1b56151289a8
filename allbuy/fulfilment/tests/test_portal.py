"""The merchant portal: a merchant's staff see and move only their own shipments, read the address under their grant
(logged, withheld once the grant ended), and owners see their sales and manage their own products' stock."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from allbuy.accounts.tests.factories import customer_create
from allbuy.catalog.models import CatalogRevision, Product, Variant
from allbuy.catalog.tests.factories import VariantFactory
from allbuy.core import clock
from allbuy.fulfilment.models import Merchant, Shipment, ShipmentStatus, StaffRole
from allbuy.fulfilment.selectors import merchant_sales, merchant_shipments_page
from allbuy.fulfilment.services import carrier_actor, shipment_move
from allbuy.fulfilment.tests.factories import (
    carrier_create,
    merchant_create,
    order_paid_from,
    shipment_of,
    staff_add,
    variant_of,
)
from allbuy.orders.models import SHIP_TO_MEMBERS, Order
from allbuy.orders.services import order_cancel
from allbuy.orders.tests.factories import NOW
from allbuy.privacy.datamap import Purpose
from allbuy.privacy.models import AccessLogEntry

pytestmark = pytest.mark.django_db

S = ShipmentStatus
SHIP_TO_FIELDS = [f"orders.Order.{name}" for name in SHIP_TO_MEMBERS]
_keys = iter(range(1, 1_000_000))


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: NOW)


@pytest.fixture
def x() -> Merchant:
    carrier_create("parcelo", price="3.90", name="Parcelo")
    return merchant_create("Xeno Gadgets")


@pytest.fixture
def y() -> Merchant:
    return merchant_create("Yonder Audio")


def _order(*merchants: Merchant | None, quantity: int = 1, **address: str) -> Order:
    return order_paid_from(
        merchants=dict.fromkeys(merchants),
        quantity=quantity,
        key=f"checkout-{next(_keys):04d}",
        **address,
    )


def _client_for(merchant: Merchant, role: str = StaffRole.PACKER, email: str = "") -> Client:
    user = customer_create(email or f"staff{next(_keys)}@example.org")
    staff_add(merchant, user, role)
    client = Client()
    client.force_login(user)
    return client


def _shipment_url(shipment: Shipment, suffix: str = "") -> str:
    return f"/merchant/shipments/{shipment.public_id}/{suffix}"


def _deliver(shipment: Shipment, *, at=NOW) -> None:
    """Walk the shipment to delivered: the merchant packs and hands over, the carrier does the rest."""
    from allbuy.fulfilment.services import merchant_actor

    for to in (S.PACKED, S.HANDED_OVER):
        shipment_move(shipment=shipment, to=to, by=merchant_actor(shipment.merchant), now=at)
    for to in (S.PICKED_UP, S.IN_TRANSIT, S.DELIVERED):
        shipment_move(shipment=shipment, to=to, by=carrier_actor(shipment.carrier), now=at)


# --- who may enter -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/merchant/", "/merchant/sales/", "/merchant/products/"])
def test_anonymous_visitors_are_sent_to_sign_in(client, path):
    # when
    response = client.get(path)

    # then
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={path}"


@pytest.mark.parametrize("path", ["/merchant/", "/merchant/sales/", "/merchant/products/"])
def test_a_customer_without_a_merchant_gets_403(client, x, path):
    # given
    client.force_login(customer_create("shopper@example.org"))

    # when
    response = client.get(path)

    # then
    assert response.status_code == 403
    assert "not for your account" in response.content.decode()


def test_a_packer_sees_shipments_but_not_sales_or_products(x):
    # given
    packer = _client_for(x, StaffRole.PACKER)

    # when
    pages = {path: packer.get(path) for path in ("/merchant/", "/merchant/sales/", "/merchant/products/")}

    # then
    assert pages["/merchant/"].status_code == 200
    assert pages["/merchant/sales/"].status_code == 403
    assert pages["/merchant/products/"].status_code == 403
    assert 'href="/merchant/sales/"' not in pages["/merchant/"].content.decode()


def test_an_owner_sees_sales_and_products(x):
    # given
    owner = _client_for(x, StaffRole.OWNER)

    # when
    pages = {path: owner.get(path) for path in ("/merchant/", "/merchant/sales/", "/merchant/products/")}

    # then
    assert all(response.status_code == 200 for response in pages.values())
    assert 'href="/merchant/products/"' in pages["/merchant/"].content.decode()


# --- the list of shipments ----------------------------------------------------------------------------------------


def test_the_list_shows_only_own_shipments_and_own_lines_and_no_personal_data(x, y):
    # given an order with items of both merchants, and one of Y's only
    both = _order(x, y, email="buyer-both@example.org", recipient_name="Grace Hopper", line1="Secret Lane 7")
    only_y = _order(y)
    x_line = shipment_of(both, x).lines.get().order_line
    y_line = shipment_of(both, y).lines.get().order_line
    packer = _client_for(x)
    logged = AccessLogEntry.objects.count()

    # when
    html = packer.get("/merchant/").content.decode()

    # then
    assert html.count('class="merchant-shipment"') == 1
    assert both.number in html
    assert only_y.number not in html
    assert str(shipment_of(both, x).public_id) in html
    assert shipment_of(both, x).tracking_number in html
    assert x_line.product_name in html
    assert x_line.sku in html
    assert y_line.product_name not in html
    assert y_line.sku not in html
    for private in ("buyer-both@example.org", "Grace Hopper", "Secret Lane 7", "Berlin", "+49"):
        assert private not in html
    assert AccessLogEntry.objects.count() == logged  # lists read no personal data


def test_ready_and_packed_come_first_and_the_list_filters_by_status(x):
    # given three shipments: one handed over, one packed, one ready
    handed, packed, ready = (shipment_of(_order(x), x) for _ in range(3))
    from allbuy.fulfilment.services import merchant_actor

    for shipment, steps in ((handed, (S.PACKED, S.HANDED_OVER)), (packed, (S.PACKED,))):
        for to in steps:
            shipment_move(shipment=shipment, to=to, by=merchant_actor(x))
    packer = _client_for(x)

    # when
    everything = packer.get("/merchant/").content.decode()
    only_packed = packer.get("/merchant/?status=packed").content.decode()
    bogus = packer.get("/merchant/?status=lost")

    # then
    positions = [everything.index(str(s.public_id)) for s in (ready, packed, handed)]
    assert positions == sorted(positions)
    assert str(packed.public_id) in only_packed
    assert str(ready.public_id) not in only_packed
    assert str(handed.public_id) not in only_packed
    assert bogus.status_code == 400


def test_the_list_is_paginated(x, monkeypatch):
    # given
    monkeypatch.setattr("allbuy.fulfilment.selectors.SHIPMENTS_PAGE_SIZE", 2)
    for _ in range(3):
        _order(x)
    packer = _client_for(x)

    # when
    first = packer.get("/merchant/").content.decode()
    second = packer.get("/merchant/?page=2").content.decode()

    # then
    assert first.count('class="merchant-shipment"') == 2
    assert second.count('class="merchant-shipment"') == 1
    assert "Page 1 of 2" in first


def test_the_list_costs_the_same_queries_for_one_shipment_or_many(x, django_assert_num_queries):
    # given
    _order(x)
    packer = _client_for(x)
    packer.get("/merchant/")  # warms per-process caches
    with CaptureQueriesContext(connection) as one:
        packer.get("/merchant/")
    for _ in range(3):
        _order(x, quantity=2)

    # when
    with CaptureQueriesContext(connection) as many:
        html = packer.get("/merchant/").content.decode()

    # then
    assert html.count('class="merchant-shipment"') == 4
    assert len(many.captured_queries) == len(one.captured_queries)
    with django_assert_num_queries(3):  # the count, the page of shipments, their lines
        page = merchant_shipments_page(merchant=x)
        [[line.order_line.product_name for line in shipment.lines.all()] for shipment in page.object_list]


# --- one shipment: the address under the grant -------------------------------------------------------------------


def test_the_detail_reads_the_address_once_and_logs_it_for_the_customer(x, y):
    # given
    order = _order(x, y, recipient_name="Grace Hopper", line1="Secret Lane 7", phone="+49 30 7654321")
    shipment = shipment_of(order, x)
    packer = _client_for(x)
    before = set(AccessLogEntry.objects.values_list("pk", flat=True))

    # when
    response = packer.get(_shipment_url(shipment))

    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert "Grace Hopper" in html
    assert "Secret Lane 7" in html
    assert "+49307654321" in html
    assert shipment_of(order, y).lines.get().order_line.product_name not in html
    new = list(AccessLogEntry.objects.exclude(pk__in=before))
    assert len(new) == 1
    entry = new[0]
    assert entry.actor_label == "Merchant: Xeno Gadgets"
    assert entry.actor_kind == "merchant"
    assert sorted(entry.fields) == sorted(SHIP_TO_FIELDS)
    assert entry.purpose == Purpose.SHIPPING
    assert entry.context["shipment"] == str(shipment.public_id)
    assert entry.context["order"] == order.number
    assert entry.subject_id == order.subject_id


def test_the_slip_is_printable_and_one_logged_read(x):
    # given
    order = _order(x, recipient_name="Grace Hopper")
    shipment = shipment_of(order, x)
    packer = _client_for(x)
    logged = AccessLogEntry.objects.count()

    # when
    response = packer.get(_shipment_url(shipment, "slip/"))

    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert "Packing slip" in html
    assert "Grace Hopper" in html
    assert "window.print()" in html
    assert "data-print hidden" in html
    assert "merchant.css" in html
    assert AccessLogEntry.objects.count() == logged + 1


def test_fifteen_days_after_delivery_the_address_is_withheld_with_the_reason(x, monkeypatch):
    # given a shipment delivered at NOW
    order = _order(x, recipient_name="Grace Hopper")
    shipment = shipment_of(order, x)
    _deliver(shipment)
    packer = _client_for(x)
    monkeypatch.setattr(clock, "now", lambda: NOW + timedelta(days=15))
    logged = AccessLogEntry.objects.count()

    # when
    detail = packer.get(_shipment_url(shipment)).content.decode()
    slip = packer.get(_shipment_url(shipment, "slip/")).content.decode()

    # then
    for html in (detail, slip):
        assert "Address withheld" in html
        assert "Grace Hopper" not in html
        assert "after delivery" in html  # the grant's reason
    assert AccessLogEntry.objects.count() == logged


def test_within_the_window_after_delivery_the_address_is_still_shown(x, monkeypatch):
    # given
    shipment = shipment_of(_order(x, recipient_name="Grace Hopper"), x)
    _deliver(shipment)
    packer = _client_for(x)
    monkeypatch.setattr(clock, "now", lambda: NOW + timedelta(days=13))

    # when
    html = packer.get(_shipment_url(shipment)).content.decode()

    # then
    assert "Grace Hopper" in html
    assert "Address withheld" not in html


def test_a_cancelled_order_withholds_the_address(x):
    # given
    order = _order(x, recipient_name="Grace Hopper")
    shipment = shipment_of(order, x)
    order_cancel(order=order, actor="customer", now=NOW)
    packer = _client_for(x)

    # when
    html = packer.get(_shipment_url(shipment)).content.decode()

    # then
    assert "Address withheld" in html
    assert "Grace Hopper" not in html
    assert "Mark packed" not in html


# --- moving a shipment --------------------------------------------------------------------------------------------


def test_the_packer_marks_packed_then_handed_to_the_carrier(x):
    # given
    order = _order(x)
    shipment = shipment_of(order, x)
    packer = _client_for(x)
    assert "Mark packed" in packer.get(_shipment_url(shipment)).content.decode()

    # when
    packed = packer.post(_shipment_url(shipment, "move/"), {"to": "packed"})
    after_packing = packer.get(_shipment_url(shipment)).content.decode()
    handed = packer.post(_shipment_url(shipment, "move/"), {"to": "handed_over"})

    # then
    assert packed.status_code == 303
    assert packed["Location"] == _shipment_url(shipment)
    assert "Handed to carrier" in after_packing
    assert handed.status_code == 303
    shipment.refresh_from_db()
    assert shipment.status == S.HANDED_OVER
    assert list(shipment.events.values_list("actor", flat=True))[-1] == "Merchant: Xeno Gadgets"
    order.refresh_from_db()
    assert order.status == "shipped"


@pytest.mark.parametrize("to", ["handed_over", "delivered", "ready", "lost", ""])
def test_skipped_backward_foreign_or_unknown_moves_are_refused_with_409(x, to):
    # given a ready shipment
    shipment = shipment_of(_order(x), x)
    packer = _client_for(x)

    # when
    response = packer.post(_shipment_url(shipment, "move/"), {"to": to})

    # then
    assert response.status_code == 409
    assert 'role="alert"' in response.content.decode()
    shipment.refresh_from_db()
    assert shipment.status == S.READY
    assert shipment.events.count() == 1


def test_moves_need_a_post_with_csrf(x):
    # given
    shipment = shipment_of(_order(x), x)
    user = customer_create("careful@example.org")
    staff_add(x, user)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)

    # when
    as_get = client.get(_shipment_url(shipment, "move/"))
    without_token = client.post(_shipment_url(shipment, "move/"), {"to": "packed"})

    # then
    assert as_get.status_code == 405
    assert without_token.status_code == 403
    shipment.refresh_from_db()
    assert shipment.status == S.READY


@pytest.mark.parametrize("suffix", ["", "slip/"])
def test_another_merchants_shipment_or_an_unknown_id_is_404(x, y, suffix):
    # given
    theirs = shipment_of(_order(y, recipient_name="Grace Hopper"), y)
    packer = _client_for(x)
    logged = AccessLogEntry.objects.count()

    # when
    foreign = packer.get(_shipment_url(theirs, suffix))
    unknown = packer.get(f"/merchant/shipments/00000000-0000-4000-8000-000000000000/{suffix}")
    malformed = packer.get(f"/merchant/shipments/AB-1234/{suffix}")

    # then
    assert [foreign.status_code, unknown.status_code, malformed.status_code] == [404, 404, 404]
    assert "Grace Hopper" not in foreign.content.decode()
    assert AccessLogEntry.objects.count() == logged


def test_moving_another_merchants_shipment_is_404_and_changes_nothing(x, y):
    # given
    theirs = shipment_of(_order(y), y)
    packer = _client_for(x)

    # when
    response = packer.post(_shipment_url(theirs, "move/"), {"to": "packed"})

    # then
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == S.READY


# --- several merchants ---------------------------------------------------------------------------------------------


def test_staff_of_two_merchants_switch_between_them(x, y):
    # given a user working for both (X first by name), with a shipment at each
    mine_x = shipment_of(_order(x), x)
    mine_y = shipment_of(_order(y), y)
    user = customer_create("both@example.org")
    staff_add(x, user, StaffRole.PACKER)
    staff_add(y, user, StaffRole.OWNER)
    client = Client()
    client.force_login(user)

    # when
    default = client.get("/merchant/").content.decode()
    switched = client.post("/merchant/switch/", {"merchant": y.slug})
    as_y = client.get("/merchant/").content.decode()
    x_detail_as_y = client.get(_shipment_url(mine_x))
    stranger = client.post("/merchant/switch/", {"merchant": "not-mine"})

    # then
    assert str(mine_x.public_id) in default
    assert str(mine_y.public_id) not in default
    assert switched.status_code == 303
    assert str(mine_y.public_id) in as_y
    assert str(mine_x.public_id) not in as_y
    assert 'href="/merchant/sales/"' in as_y  # owner at Y
    assert x_detail_as_y.status_code == 404
    assert stranger.status_code == 404


# --- sales ---------------------------------------------------------------------------------------------------------


def test_sales_count_the_merchants_own_paid_lines_per_day(x, y, monkeypatch):
    # given two paid orders today (2 + 1 units of X at 40.00), one of them with a Y item too,
    # one X order cancelled, and one X order from 40 days ago
    variant = variant_of(x, price="40.00")
    order_paid_from(merchants={x: variant, y: None}, quantity=2, key="sales-0001")
    order_paid_from(merchants={x: variant}, quantity=1, key="sales-0002")
    cancelled = order_paid_from(merchants={x: variant}, quantity=5, key="sales-0003")
    order_cancel(order=cancelled, actor="customer", now=NOW)
    order_paid_from(merchants={x: variant}, quantity=4, key="sales-0004", now=NOW - timedelta(days=40))
    owner = _client_for(x, StaffRole.OWNER)

    # when
    sales = merchant_sales(merchant=x, now=NOW)
    html = owner.get("/merchant/sales/").content.decode()

    # then
    assert sales.units == 3
    assert [(day.day.isoformat(), day.units) for day in sales.days] == [("2026-06-10", 3)]
    assert sales.revenue == {"EUR": Decimal("120.00")}
    assert "<dd data-total-units>3</dd>" in html
    assert "120.00" in html


def test_sales_cost_one_query_however_many_orders(x, django_assert_num_queries):
    # given
    for _ in range(3):
        _order(x)

    # when / then
    with django_assert_num_queries(1):
        sales = merchant_sales(merchant=x, now=NOW)
    assert sales.units == 3


# --- products and stock --------------------------------------------------------------------------------------------


def test_the_owner_lists_own_products_with_variant_stock_and_price(x, y):
    # given
    own = variant_of(x, price="59.00", name="Xeno Band 9")
    VariantFactory.create(product=own.product, sku="XENO-BAND-9-BLUE", stock_quantity=3)
    variant_of(y, name="Yonder Pods")
    variant_of(None, name="House Charger")
    owner = _client_for(x, StaffRole.OWNER)

    # when
    html = owner.get("/merchant/products/").content.decode()

    # then
    assert "Xeno Band 9" in html
    assert "XENO-BAND-9-BLUE" in html
    assert "59.00" in html
    assert "Yonder Pods" not in html
    assert "House Charger" not in html


def test_the_owner_edits_stock_and_the_active_flag_and_the_catalog_revision_moves(x):
    # given
    variant = variant_of(x, name="Xeno Band 9")
    product = variant.product
    owner = _client_for(x, StaffRole.OWNER)
    revision = CatalogRevision.objects.get(pk=1).revision
    form = owner.get(f"/merchant/products/{product.pk}/").content.decode()
    assert f'name="stock_{variant.pk}"' in form
    assert f'for="id_stock_{variant.pk}"' in form

    # when
    response = owner.post(f"/merchant/products/{product.pk}/", {f"stock_{variant.pk}": "7"})  # unticked: not on sale

    # then
    assert response.status_code == 303
    assert Variant.objects.get(pk=variant.pk).stock_quantity == 7
    assert Product.objects.get(pk=product.pk).is_active is False
    assert CatalogRevision.objects.get(pk=1).revision > revision


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-1", "Stock cannot be negative."),
        ("100001", "Stock can be at most 100 000 units."),
        ("many", "Enter a whole number of units"),
        ("", "Enter the number of units in stock"),
    ],
)
def test_bad_stock_is_shown_next_to_the_field_and_changes_nothing(x, value, message):
    # given
    variant = variant_of(x)
    owner = _client_for(x, StaffRole.OWNER)

    # when
    response = owner.post(f"/merchant/products/{variant.product_id}/", {f"stock_{variant.pk}": value, "is_active": "on"})

    # then
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert 'aria-invalid="true"' in html
    assert Variant.objects.get(pk=variant.pk).stock_quantity == 20


def test_the_stock_limits_are_accepted(x):
    # given
    variant = variant_of(x)
    owner = _client_for(x, StaffRole.OWNER)

    # when
    lowest = owner.post(f"/merchant/products/{variant.product_id}/", {f"stock_{variant.pk}": "0", "is_active": "on"})
    stock_low = Variant.objects.get(pk=variant.pk).stock_quantity
    highest = owner.post(f"/merchant/products/{variant.product_id}/", {f"stock_{variant.pk}": "100000", "is_active": "on"})

    # then
    assert (lowest.status_code, stock_low) == (303, 0)
    assert highest.status_code == 303
    assert Variant.objects.get(pk=variant.pk).stock_quantity == 100000


def test_other_merchants_and_allbuys_products_are_404(x, y):
    # given
    theirs = variant_of(y)
    house = variant_of(None)
    owner = _client_for(x, StaffRole.OWNER)

    # when
    responses = [
        owner.get(f"/merchant/products/{theirs.product_id}/"),
        owner.post(f"/merchant/products/{theirs.product_id}/", {f"stock_{theirs.pk}": "1"}),
        owner.get(f"/merchant/products/{house.product_id}/"),
        owner.get("/merchant/products/999999/"),
    ]

    # then
    assert [r.status_code for r in responses] == [404, 404, 404, 404]
    assert Variant.objects.get(pk=theirs.pk).stock_quantity == 20


def test_a_packer_cannot_edit_products(x):
    # given
    variant = variant_of(x)
    packer = _client_for(x, StaffRole.PACKER)

    # when
    response = packer.post(f"/merchant/products/{variant.product_id}/", {f"stock_{variant.pk}": "1"})

    # then
    assert response.status_code == 403
    assert Variant.objects.get(pk=variant.pk).stock_quantity == 20


def test_the_products_page_costs_the_same_queries_for_one_product_or_many(x):
    # given
    variant_of(x)
    owner = _client_for(x, StaffRole.OWNER)
    owner.get("/merchant/products/")
    with CaptureQueriesContext(connection) as one:
        owner.get("/merchant/products/")
    for _ in range(3):
        extra = variant_of(x)
        VariantFactory.create(product=extra.product)

    # when
    with CaptureQueriesContext(connection) as many:
        html = owner.get("/merchant/products/").content.decode()

    # then
    assert html.count('class="account-card merchant-product"') == 4
    assert len(many.captured_queries) == len(one.captured_queries)
