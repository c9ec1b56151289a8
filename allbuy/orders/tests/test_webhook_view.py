"""The payment provider's webhook endpoint: signed events apply once, anything else is refused with JSON."""

from __future__ import annotations

import pytest
from django.test import Client

from allbuy.core import clock
from allbuy.orders.models import Order, OrderStatus, PaymentState
from allbuy.orders.services import order_place
from allbuy.orders.tests.factories import CARD_PENDING, NOW, card, shopper_ready
from allbuy.payments.gateway import gateway_get
from allbuy.payments.test_gateway import TestGateway

pytestmark = pytest.mark.django_db

URL = "/payments/webhook/"


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: NOW)


@pytest.fixture
def provider() -> Client:
    # The provider sends no CSRF token: the endpoint trusts the signature instead.
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def pending_order() -> Order:
    shopper = shopper_ready()
    placement = order_place(
        user=shopper.user, cart=shopper.cart, address_id=shopper.address.pk, shipping_code="standard",
        idempotency_key="webhook-0001", card=card(CARD_PENDING), now=NOW,
    )  # fmt: skip
    assert placement.order.payment_state == PaymentState.PENDING
    return placement.order


def _event(order: Order, *, succeed: bool = True) -> tuple[bytes, dict[str, str]]:
    gateway = gateway_get()
    assert isinstance(gateway, TestGateway)
    return gateway.webhook_build(gateway_ref=order.payments.get().gateway_ref, succeed=succeed, now=NOW)


def _send(client: Client, body: bytes, headers: dict[str, str]):
    return client.post(URL, body, content_type="application/json", headers=headers)


def test_a_signed_success_pays_the_order(provider, pending_order):
    # given
    body, headers = _event(pending_order)

    # when
    response = _send(provider, body, headers)

    # then
    assert response.status_code == 200
    assert response.json() == {"result": "paid"}
    pending_order.refresh_from_db()
    assert pending_order.status == OrderStatus.PAID


def test_a_signed_failure_cancels_the_order(provider, pending_order):
    body, headers = _event(pending_order, succeed=False)

    response = _send(provider, body, headers)

    assert response.json() == {"result": "declined"}
    pending_order.refresh_from_db()
    assert pending_order.status == OrderStatus.CANCELLED


def test_a_tampered_body_is_refused_and_changes_nothing(provider, pending_order):
    # given a genuine event whose body was altered on the way
    body, headers = _event(pending_order)
    tampered = body.replace(b'"payment.succeeded"', b'"payment.failed"')

    # when
    response = _send(provider, tampered, headers)

    # then
    assert response.status_code == 400
    assert response.json() == {"message": "The webhook's signature does not match its body.", "code": "webhook_signature_invalid"}
    pending_order.refresh_from_db()
    assert pending_order.status == OrderStatus.PLACED


def test_an_unsigned_request_is_refused(provider, pending_order):
    response = provider.post(URL, b"{}", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "webhook_signature_invalid"


def test_a_replayed_event_is_acknowledged_and_applied_once(provider, pending_order):
    body, headers = _event(pending_order)
    _send(provider, body, headers)

    replay = _send(provider, body, headers)

    assert replay.status_code == 200
    assert replay.json() == {"result": "duplicate"}
    assert [event.to_status for event in pending_order.events.all()] == ["placed", "paid"]


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_only_post_is_allowed(provider, db, method):
    response = getattr(provider, method)(URL)

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert response.json() == {"message": "Only POST is allowed here.", "code": "method_not_allowed"}
