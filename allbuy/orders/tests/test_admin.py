"""Staff screens for orders: a read-only record, the address only on request (and logged), actions through the services."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from allbuy.accounts.tests.assertions import html_of
from allbuy.accounts.tests.factories import staff_login
from allbuy.catalog.tests.factories import VariantFactory
from allbuy.orders.models import Order, OrderEvent, OrderStatus, PaymentState, Refund
from allbuy.orders.services import order_status_set
from allbuy.orders.tests.test_lifecycle import LATER, charge_of, paid_order, pending_order, status_force
from allbuy.payments.exceptions import GatewayUnavailable
from allbuy.privacy.datamap import Purpose
from allbuy.privacy.models import AccessLogEntry

pytestmark = pytest.mark.django_db

S = OrderStatus
CUSTOMER = {"email": "ada@example.org", "recipient_name": "Ada Lovelace", "line1": "Unter den Linden 1"}
SECRETS = ("ada@example.org", "Ada Lovelace", "Unter den Linden", "10117", "+49 30 1234567")


def _url(view: str, *args: object) -> str:
    return reverse(f"admin:orders_order_{view}", args=args)


@pytest.fixture
def staff_client(client):
    return staff_login(client, "staff@allbuy.example", is_superuser=True)


@pytest.fixture
def viewer_client(client):
    client = staff_login(client, "viewer@allbuy.example")
    client.staff.user_permissions.add(Permission.objects.get(codename="view_order"))
    return client


@pytest.fixture
def order():
    return paid_order(**CUSTOMER)


# --- the list -------------------------------------------------------------------------------------------------------


def test_the_list_shows_the_orders_without_personal_data_and_decrypts_nothing(staff_client, order):
    # given the reads made when the order was paid (AllBuy's carrier assignment reads the destination country)
    before = AccessLogEntry.objects.count()

    # when
    html = html_of(staff_client.get(_url("changelist")))

    # then
    assert order.number in html
    assert "Paid" in html
    assert "€100.00" in html
    for secret in SECRETS:
        assert secret not in html
    assert AccessLogEntry.objects.count() == before


def test_the_list_costs_the_same_queries_for_one_order_or_many(staff_client, django_assert_max_num_queries):
    # given
    paid_order()
    staff_client.get(_url("changelist"))  # warm up: session, content types
    with CaptureQueriesContext(connection) as one:
        assert staff_client.get(_url("changelist")).status_code == 200

    # when
    for _ in range(6):
        paid_order()
    pending_order()

    # then
    with django_assert_max_num_queries(len(one)):
        response = staff_client.get(_url("changelist"))
    assert len(response.context["cl"].result_list) == 8


def test_the_list_filters_by_status_payment_state_and_date(staff_client, order):
    # given
    waiting = pending_order()
    Order.objects.filter(pk=waiting.pk).update(placed_at=order.placed_at.replace(year=2025))

    # when
    by_status = staff_client.get(_url("changelist"), {"status__exact": S.PLACED})
    by_payment = staff_client.get(_url("changelist"), {"payment_state__exact": PaymentState.CAPTURED})
    by_date = staff_client.get(
        _url("changelist"), {"placed_at__gte": "2026-01-01T00:00:00+00:00", "placed_at__lt": "2027-01-01T00:00:00+00:00"}
    )

    # then
    assert list(by_status.context["cl"].result_list) == [waiting]
    assert list(by_payment.context["cl"].result_list) == [order]
    assert list(by_date.context["cl"].result_list) == [order]


def test_staff_find_an_order_by_its_number_or_its_start_in_any_case(staff_client, order):
    # given
    other = paid_order()

    # when
    exact = staff_client.get(_url("changelist"), {"q": order.number.lower()})
    start = staff_client.get(_url("changelist"), {"q": f" {order.number[:9]} "})
    nothing = staff_client.get(_url("changelist"), {"q": "Ada"})

    # then
    assert list(exact.context["cl"].result_list) == [order]
    assert order in list(start.context["cl"].result_list)
    assert other not in list(exact.context["cl"].result_list)
    assert list(nothing.context["cl"].result_list) == []
    assert not AccessLogEntry.objects.exclude(actor_ref="job:carrier assignment").exists()


# --- the order page -------------------------------------------------------------------------------------------------


def test_the_order_page_is_a_read_only_record_without_the_address(staff_client, order):
    # when
    html = html_of(staff_client.get(_url("change", order.pk)))

    # then it shows the lines, the payment and the history
    line = order.lines.get()
    assert line.product_name in html
    assert line.sku in html
    assert order.payments.get().gateway_ref in html
    assert "customer" in html  # the actor of the first event
    assert f"account #{order.user_id}" in html
    # and no personal data, nothing decrypted or logged
    for secret in SECRETS:
        assert secret not in html
    assert "Show the shipping address" in html
    assert not AccessLogEntry.objects.exclude(actor_ref="job:carrier assignment").exists()
    # and nothing to edit or delete
    assert 'name="_save"' not in html
    assert 'name="status"' not in html
    assert 'name="ship_to"' not in html
    assert "deletelink" not in html


def test_showing_the_address_is_a_purpose_bound_read_logged_for_the_customer(staff_client, order):
    # when the staff member asks for the address
    html = html_of(staff_client.get(_url("change", order.pk), {"ship_to": "show"}))

    # then it is shown
    for shown in ("Ada Lovelace", "Unter den Linden 1", "10117 Berlin", "Germany"):
        assert shown in html
    # and the read is logged for the customer: who, what, why; no values
    entry = AccessLogEntry.objects.exclude(actor_ref="job:carrier assignment").get()
    assert entry.subject_id == order.subject_id
    assert entry.actor_ref == f"user:{staff_client.staff.pk}"
    assert entry.actor_label == "AllBuy staff"
    assert entry.purpose == Purpose.SERVICE
    assert entry.fields[:2] == ["orders.Order.recipient_name", "orders.Order.line1"]
    assert entry.context == {"screen": "admin order", "order": order.number}
    assert "Ada" not in str(entry.context)


def test_a_script_in_the_address_is_escaped(staff_client):
    order = paid_order(recipient_name="<script>alert(1)</script>")
    html = staff_client.get(_url("change", order.pk), {"ship_to": "show"}).content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def _change_page_queries(client, order) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(_url("change", order.pk)).status_code == 200
    return len(queries)


def test_the_order_page_costs_the_same_queries_for_one_line_or_many(staff_client, django_assert_max_num_queries):
    # given an order of one line, and one of five lines with a longer history and refunds
    small = paid_order()
    _change_page_queries(staff_client, small)  # warm up
    few = _change_page_queries(staff_client, small)

    shopper_variants = [VariantFactory.create(price=Decimal("20.00")) for _ in range(5)]
    from allbuy.cart.services import cart_line_add
    from allbuy.orders.tests.factories import NOW, shopper_ready
    from allbuy.orders.tests.test_lifecycle import place

    shopper = shopper_ready(variant=shopper_variants[0])
    for variant in shopper_variants[1:]:
        cart_line_add(cart=shopper.cart, variant_id=variant.pk, quantity=2, now=NOW)
    big = place(shopper)
    for step in (S.FULFILLING, S.SHIPPED):
        order_status_set(order=big, to_status=step, actor="staff", now=LATER)
    from allbuy.orders.services import order_refund

    order_refund(order=big, amount=Decimal("5.00"), actor="staff", now=LATER)
    order_refund(order=big, amount=Decimal("5.00"), actor="staff", now=LATER)

    # then
    with django_assert_max_num_queries(few):
        html = staff_client.get(_url("change", big.pk)).content.decode()
    assert html.count("field-product_name") >= 5
    assert "€5.00" in html


def test_orders_cannot_be_added_or_deleted_in_the_admin(staff_client, order):
    # tax records: kept for the legal period
    assert staff_client.get(_url("delete", order.pk)).status_code == 403
    assert staff_client.post(_url("delete", order.pk), {"post": "yes"}).status_code == 403
    assert staff_client.get(_url("add")).status_code == 403
    response = staff_client.get(_url("changelist"))
    assert "delete_selected" not in response.content.decode()
    assert Order.objects.filter(pk=order.pk).exists()


def test_the_page_offers_the_actions_the_status_allows(staff_client, order):
    paid = staff_client.get(_url("change", order.pk)).content.decode()
    assert _url("status", order.pk, "fulfilling") in paid
    assert _url("status", order.pk, "shipped") not in paid
    assert _url("cancel", order.pk) in paid
    assert _url("refund", order.pk) in paid

    status_force(order, S.SHIPPED)
    shipped = staff_client.get(_url("change", order.pk)).content.decode()
    assert _url("status", order.pk, "delivered") in shipped
    assert _url("cancel", order.pk) not in shipped
    assert _url("refund", order.pk) in shipped

    status_force(order, S.CANCELLED)
    cancelled = staff_client.get(_url("change", order.pk)).content.decode()
    for view in ("cancel", "refund"):
        assert _url(view, order.pk) not in cancelled


# --- actions --------------------------------------------------------------------------------------------------------


def test_staff_move_an_order_along_fulfilment_from_its_page(staff_client, order):
    # given the confirmation page, with a labelled note field
    page = html_of(staff_client.get(_url("status", order.pk, "fulfilling")))
    assert '<label for="id_note">' in page

    # when
    response = staff_client.post(_url("status", order.pk, "fulfilling"), {"note": "picked"}, follow=True)

    # then
    assert response.redirect_chain[-1][0] == _url("change", order.pk)
    assert f"Order {order.number}: status set to being packed." in response.content.decode()
    event = OrderEvent.objects.filter(order=order).latest("id")
    assert (event.from_status, event.to_status, event.actor, event.note) == (S.PAID, S.FULFILLING, "staff", "picked")
    log = LogEntry.objects.get()
    assert (log.user_id, log.object_id) == (staff_client.staff.pk, str(order.pk))


def test_a_refused_step_is_an_error_message_not_a_500(staff_client, order):
    # when staff try to ship an order nobody packed
    response = staff_client.post(_url("status", order.pk, "shipped"), {"note": ""})

    # then the page says why and nothing changed
    assert response.status_code == 200
    assert "cannot become shipped" in response.content.decode()
    assert Order.objects.get(pk=order.pk).status == S.PAID
    assert not LogEntry.objects.exists()


@pytest.mark.parametrize("to_status", ["cancelled", "refunded", "paid", "lost"])
def test_only_fulfilment_steps_have_a_status_page(staff_client, order, to_status):
    assert staff_client.post(_url("status", order.pk, to_status)).status_code == 404
    assert Order.objects.get(pk=order.pk).status == S.PAID


@pytest.mark.parametrize("object_id", ["999999", "nonsense"])
def test_an_unknown_order_goes_back_to_the_admin_with_a_message(staff_client, object_id):
    response = staff_client.post(f"/admin/orders/order/{object_id}/cancel/", {"reason": "x"}, follow=True)
    assert response.redirect_chain[0] == ("/admin/", 302)
    assert f"There is no order with ID “{object_id}”." in response.content.decode()


def test_staff_cancel_a_paid_order_with_a_reason_and_it_is_refunded(staff_client, order):
    # when
    response = staff_client.post(_url("cancel", order.pk), {"reason": "customer called"}, follow=True)

    # then
    assert "cancelled; stock, deal units and coupon released." in response.content.decode()
    order.refresh_from_db()
    assert (order.status, order.cancel_reason, order.refunded) == (S.CANCELLED, "customer called", order.total)
    assert charge_of(order).refunded_amount == order.total

    # when they cancel it again (a second tab)
    again = staff_client.post(_url("cancel", order.pk), {"reason": "again"})

    # then it is an error message, and nothing was refunded twice
    assert again.status_code == 200
    assert "cannot be cancelled" in again.content.decode()
    assert Refund.objects.count() == 1


def test_a_cancel_without_a_reason_shows_what_is_missing(staff_client, order):
    response = staff_client.post(_url("cancel", order.pk), {"reason": ""})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert Order.objects.get(pk=order.pk).status == S.PAID


def test_staff_refund_part_of_an_order_then_the_rest(staff_client, order):
    # when
    page = html_of(staff_client.get(_url("refund", order.pk)))
    first = staff_client.post(_url("refund", order.pk), {"amount": "30.00", "reason": "scratched"}, follow=True)

    # then
    assert '<label for="id_amount">' in page
    assert "left to refund €100.00" in page
    assert f"Order {order.number}: refunded €30.00." in first.content.decode()
    assert Order.objects.get(pk=order.pk).refunded == Decimal("30.00")

    # when
    staff_client.post(_url("refund", order.pk), {"amount": "70", "reason": "returned"})

    # then
    order.refresh_from_db()
    assert (order.status, order.refunded) == (S.REFUNDED, Decimal("100.00"))
    assert list(Refund.objects.order_by("id").values_list("reason", flat=True)) == ["scratched", "returned"]


@pytest.mark.parametrize(
    ("amount", "reason", "message"),
    [
        ("", "x", "This field is required."),
        ("abc", "x", "Enter a number."),
        ("0", "x", "Ensure this value is greater than or equal to 0.01."),
        ("-5", "x", "Ensure this value is greater than or equal to 0.01."),
        ("1.001", "x", "Ensure that there are no more than 2 decimal places."),
        ("NaN", "x", "Enter a number."),
        ("10.00", "", "This field is required."),
        ("100.01", "too much", "At most 100.00 EUR is left to refund."),
    ],
)
def test_a_bad_refund_shows_what_is_wrong_and_refunds_nothing(staff_client, order, amount, reason, message):
    response = staff_client.post(_url("refund", order.pk), {"amount": amount, "reason": reason})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Order.objects.get(pk=order.pk).refunded == 0
    assert not Refund.objects.exists()


def test_refunding_an_unpaid_order_is_an_error_message(staff_client):
    waiting = pending_order()
    response = staff_client.post(_url("refund", waiting.pk), {"amount": "10.00", "reason": "goodwill"})
    assert response.status_code == 200
    assert "Only a paid order can be refunded." in response.content.decode()


def test_a_payment_provider_outage_during_a_refund_is_an_error_message(staff_client, order, monkeypatch):
    # given the provider is down
    def down(self, **kwargs):
        raise GatewayUnavailable

    monkeypatch.setattr("allbuy.payments.test_gateway.TestGateway.refund", down)

    # when
    response = staff_client.post(_url("refund", order.pk), {"amount": "10.00", "reason": "goodwill"})

    # then
    assert response.status_code == 200
    assert "Card payments are unavailable for a moment." in response.content.decode()
    assert Order.objects.get(pk=order.pk).refunded == 0


def test_a_list_action_moves_the_orders_it_may_and_names_those_it_may_not(staff_client, order):
    # given one order being packed and one only paid
    packing = paid_order()
    order_status_set(order=packing, to_status=S.FULFILLING, actor="staff", now=LATER)

    # when both are marked as shipped
    response = staff_client.post(
        _url("changelist"), {"action": "move_to_shipped", "_selected_action": [order.pk, packing.pk]}, follow=True
    )

    # then
    html = response.content.decode()
    assert f"Moved to shipped: {packing.number}." in html
    assert f"Not moved: {order.number} (An order that is paid cannot become shipped.)" in html
    assert Order.objects.get(pk=packing.pk).status == S.SHIPPED
    assert Order.objects.get(pk=order.pk).status == S.PAID


def test_staff_who_may_only_view_orders_get_no_buttons_and_cannot_act(viewer_client, order):
    html = html_of(viewer_client.get(_url("change", order.pk)))
    assert _url("cancel", order.pk) not in html
    assert "move_to_shipped" not in viewer_client.get(_url("changelist")).content.decode()
    for url in (_url("cancel", order.pk), _url("refund", order.pk), _url("status", order.pk, "fulfilling")):
        assert viewer_client.post(url, {"reason": "x", "amount": "1.00"}).status_code == 403
    assert Order.objects.get(pk=order.pk).status == S.PAID
