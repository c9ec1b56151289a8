"""Webhooks are signed by the provider and verified by the shop: tampering, wrong secrets and stale ones are refused."""

import json
from datetime import timedelta

import pytest

from allbuy.payments.exceptions import PaymentStateInvalid, WebhookInvalid
from allbuy.payments.gateway import PaymentStatus, WebhookEvent, WebhookKind
from allbuy.payments.models import TestGatewayCharge
from allbuy.payments.test_gateway import SIGNATURE_HEADER, webhook_signature
from allbuy.payments.tests.conftest import NOW, PENDING, eur

pytestmark = pytest.mark.django_db
SECRET = b"allbuy-development-only-payment-webhook-secret"


@pytest.fixture
def pending_ref(authorize) -> str:
    return authorize(PENDING).gateway_ref


def refused(gateway, body: bytes, headers: dict[str, str], now=NOW) -> str:
    with pytest.raises(WebhookInvalid) as caught:
        gateway.webhook_parse(body=body, headers=headers, now=now)
    assert caught.value.status == 400
    return caught.value.code


def signed(body: bytes, *, at=NOW, secret: bytes = SECRET) -> dict[str, str]:
    return {SIGNATURE_HEADER: webhook_signature(body=body, timestamp=int(at.timestamp()), secret=secret)}


def test_a_successful_confirmation_authorizes_the_charge_and_verifies(gateway, pending_ref):
    # when the bank confirms
    body, headers = gateway.webhook_build(gateway_ref=pending_ref, succeed=True, now=NOW)
    # then the provider's ledger says so, and the shop reads a verified event
    assert TestGatewayCharge.objects.get().status == "authorized"
    assert headers["Content-Type"] == "application/json"
    assert headers[SIGNATURE_HEADER].startswith(f"t={int(NOW.timestamp())},v1=")
    event = gateway.webhook_parse(body=body, headers=headers, now=NOW + timedelta(seconds=299))
    assert isinstance(event, WebhookEvent)
    assert (event.kind, event.gateway_ref, event.decline_code) == (WebhookKind.SUCCEEDED, pending_ref, "")
    assert event.event_id.startswith("evt_")
    # and the charge is captured as usual
    assert gateway.capture(gateway_ref=pending_ref, amount=eur("99.90"), idempotency_key="cap").status == PaymentStatus.CAPTURED


def test_a_failed_confirmation_declines_the_charge(gateway, pending_ref):
    body, headers = gateway.webhook_build(gateway_ref=pending_ref, succeed=False, now=NOW)
    event = gateway.webhook_parse(body=body, headers=headers, now=NOW)
    assert (event.kind, event.decline_code) == ("payment.failed", "card_declined")
    charge = TestGatewayCharge.objects.get()
    assert (charge.status, charge.decline_code) == ("declined", "card_declined")


def test_headers_are_matched_in_any_case(gateway, pending_ref):
    body, headers = gateway.webhook_build(gateway_ref=pending_ref, succeed=True, now=NOW)
    lower = {key.lower(): value for key, value in headers.items()}
    assert gateway.webhook_parse(body=body, headers=lower, now=NOW).gateway_ref == pending_ref


def test_only_a_pending_charge_is_decided_by_webhook(gateway, authorize, pending_ref):
    gateway.webhook_build(gateway_ref=pending_ref, succeed=True, now=NOW)
    with pytest.raises(PaymentStateInvalid):
        gateway.webhook_build(gateway_ref=pending_ref, succeed=False, now=NOW)
    with pytest.raises(PaymentStateInvalid):
        gateway.webhook_build(gateway_ref=authorize(key="plain").gateway_ref, succeed=True, now=NOW)


def test_every_event_has_its_own_id(gateway, authorize):
    one = gateway.webhook_build(gateway_ref=authorize(PENDING, key="a").gateway_ref, succeed=True, now=NOW)
    two = gateway.webhook_build(gateway_ref=authorize(PENDING, key="b").gateway_ref, succeed=True, now=NOW)
    ids = {gateway.webhook_parse(body=body, headers=headers, now=NOW).event_id for body, headers in (one, two)}
    assert len(ids) == 2


def test_a_tampered_body_is_refused(gateway, pending_ref):
    body, headers = gateway.webhook_build(gateway_ref=pending_ref, succeed=False, now=NOW)
    tampered = body.replace(b"payment.failed", b"payment.succeeded").replace(b'"card_declined"', b'""')
    assert refused(gateway, tampered, headers) == "webhook_signature_invalid"


def test_a_wrong_secret_is_refused(gateway, pending_ref, settings):
    body, headers = gateway.webhook_build(gateway_ref=pending_ref, succeed=True, now=NOW)
    settings.ALLBUY_PAYMENT_WEBHOOK_SECRET = "another-secret"
    assert refused(gateway, body, headers) == "webhook_signature_invalid"
    assert refused(gateway, body, signed(body, secret=b"guess")) == "webhook_signature_invalid"


def test_a_secret_being_rotated_verifies_with_either_signature(gateway, pending_ref):
    body, headers = gateway.webhook_build(gateway_ref=pending_ref, succeed=True, now=NOW)
    other = signed(body, secret=b"old")[SIGNATURE_HEADER].partition(",")[2]
    headers[SIGNATURE_HEADER] += "," + other
    assert gateway.webhook_parse(body=body, headers=headers, now=NOW).gateway_ref == pending_ref


@pytest.mark.parametrize(
    "header",
    [None, "", "v1=" + "0" * 64, "t=1700000000", "t=abc,v1=" + "0" * 64, "t=1700000000,v1=short", "garbage"],
)
def test_a_missing_or_unreadable_signature_is_refused(gateway, pending_ref, header):
    body, _headers = gateway.webhook_build(gateway_ref=pending_ref, succeed=True, now=NOW)
    headers = {} if header is None else {SIGNATURE_HEADER: header}
    assert refused(gateway, body, headers) == "webhook_signature_invalid"


@pytest.mark.parametrize("delta", [timedelta(seconds=301), timedelta(seconds=-301), timedelta(days=2)])
def test_a_stale_or_future_timestamp_is_refused(gateway, pending_ref, delta):
    body, headers = gateway.webhook_build(gateway_ref=pending_ref, succeed=True, now=NOW)
    assert refused(gateway, body, headers, now=NOW + delta) == "webhook_timestamp_invalid"


def test_a_timestamp_moved_to_now_breaks_the_signature(gateway, pending_ref):
    old = NOW - timedelta(hours=1)
    body, headers = gateway.webhook_build(gateway_ref=pending_ref, succeed=True, now=old)
    digest = headers[SIGNATURE_HEADER].partition(",v1=")[2]
    headers[SIGNATURE_HEADER] = f"t={int(NOW.timestamp())},v1={digest}"
    assert refused(gateway, body, headers) == "webhook_signature_invalid"


EVENT: dict[str, str | int] = {
    "id": "evt_" + "a" * 24,
    "type": "payment.succeeded",
    "gateway_ref": "tch_" + "b" * 24,
    "decline_code": "",
    "created": int(NOW.timestamp()),
}


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"",
        b"\xff\xfe{}",
        b"[]",
        b'"payment.succeeded"',
        b"[" * 5000 + b"]" * 5000,
        json.dumps(EVENT).encode()[:-1],
        json.dumps(EVENT).encode().replace(b'"created": ', b'"created": NaN, "x": '),
        json.dumps(EVENT).encode().replace(b"{", b'{"id": "evt_' + b"c" * 24 + b'", ', 1),  # a duplicate key
        json.dumps({**EVENT, "extra": 1}).encode(),
        json.dumps({k: v for k, v in EVENT.items() if k != "gateway_ref"}).encode(),
        json.dumps({**EVENT, "type": "payment.refunded"}).encode(),
        json.dumps({**EVENT, "id": 42}).encode(),
        json.dumps({**EVENT, "gateway_ref": "tch_' OR 1=1"}).encode(),
        json.dumps({**EVENT, "decline_code": "card_declined"}).encode(),  # a success with a decline code
        json.dumps({**EVENT, "type": "payment.failed"}).encode(),  # a failure without one
        json.dumps({**EVENT, "created": "1700000000"}).encode(),
        json.dumps({**EVENT, "created": True}).encode(),
        b" " * (64 * 1024 + 1),
    ],
)
def test_a_correctly_signed_but_malformed_body_is_refused(gateway, body):
    assert refused(gateway, body, signed(body)) == "webhook_malformed"


def test_a_well_formed_body_signed_by_hand_is_accepted(gateway):
    body = json.dumps(EVENT).encode()
    event = gateway.webhook_parse(body=body, headers=signed(body), now=NOW)
    assert event == WebhookEvent(event_id=str(EVENT["id"]), kind="payment.succeeded", gateway_ref=str(EVENT["gateway_ref"]))
