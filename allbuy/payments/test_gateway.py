"""The test gateway: a payment provider that runs inside AllBuy, for development, tests and demos.

It behaves like a real provider. It keeps its own ledger (`TestGatewayCharge`, `TestGatewayOperation`: the
provider's database, simulated in ours), answers by the card number, honours idempotency keys (the same key
returns the same result and never charges twice, also under parallel calls: the ledger row is inserted with
the key as a unique column, and a loser of the race reads the winner's row), and signs its webhooks.

Test cards (any future expiry date, any 3-digit CVC; spaces and hyphens are ignored):

    4242 4242 4242 4242   authorized; capture, void and refund work as usual (visa)
    5555 5555 5555 4444   authorized (mastercard)
    4000 0000 0000 0002   declined: decline_code "card_declined", message "Your card was declined."
    4000 0000 0000 9995   declined: decline_code "insufficient_funds", message "Your card has insufficient funds."
    4000 0000 0000 3220   pending (3-D Secure / bank transfer style): the outcome comes later, by webhook;
                          `TestGateway.webhook_build(gateway_ref=..., succeed=True/False, now=...)` decides it
                          and returns the signed request the provider would send
    4000 0000 0000 0119   GatewayTimeout *after* the charge was recorded (a lost response): a retry with the same
                          idempotency key returns the authorized result, and nothing is charged twice
    4000 0000 0000 0036   GatewayUnavailable before anything is recorded (the provider is down)
    any other number that passes the Luhn check: authorized

Webhooks carry `X-Test-Gateway-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">` under
`settings.ALLBUY_PAYMENT_WEBHOOK_SECRET`. `webhook_parse` checks the HMAC in constant time, refuses a
timestamp more than 5 minutes from `now`, and reads the JSON body strictly. It does not remember events:
refusing a replayed `event_id` is the caller's job (the orders app records the event ids it has applied).

The ledger shares AllBuy's database, so call the gateway outside your own transaction, as you would call a
real provider: otherwise rolling your transaction back would also erase the provider's record of a charge.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction

from allbuy.core import clock
from allbuy.core.money import CENT, Money
from allbuy.payments.exceptions import (
    GatewayTimeout,
    GatewayUnavailable,
    IdempotencyKeyReused,
    PaymentAmountInvalid,
    PaymentNotFound,
    PaymentStateInvalid,
    RefundTooLarge,
    WebhookInvalid,
)
from allbuy.payments.gateway import (
    AuthorizeRequest,
    PaymentGateway,
    PaymentResult,
    PaymentStatus,
    WebhookEvent,
    WebhookKind,
    decline_message,
)
from allbuy.payments.models import TestGatewayCharge, TestGatewayOperation

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Test-Gateway-Signature"
WEBHOOK_TOLERANCE_SECONDS = 300
WEBHOOK_MAX_BYTES = 64 * 1024
WEBHOOK_FIELDS = frozenset({"id", "type", "gateway_ref", "decline_code", "created"})
_REF = re.compile(r"tch_[0-9a-f]{24}")
_EVENT_ID = re.compile(r"evt_[0-9a-f]{24}")
_DECLINE_CODE = re.compile(r"[a-z_]{0,40}")
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_HEX_SIGNATURE = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class CardBehaviour:
    status: PaymentStatus
    decline_code: str = ""
    timeout_after_recording: bool = False
    unavailable: bool = False


AUTHORIZE = CardBehaviour(PaymentStatus.AUTHORIZED)
TEST_CARDS: dict[str, CardBehaviour] = {
    "4242424242424242": AUTHORIZE,
    "5555555555554444": AUTHORIZE,
    "4000000000000002": CardBehaviour(PaymentStatus.DECLINED, "card_declined"),
    "4000000000009995": CardBehaviour(PaymentStatus.DECLINED, "insufficient_funds"),
    "4000000000003220": CardBehaviour(PaymentStatus.PENDING),
    "4000000000000119": CardBehaviour(PaymentStatus.AUTHORIZED, timeout_after_recording=True),
    "4000000000000036": CardBehaviour(PaymentStatus.AUTHORIZED, unavailable=True),
}


def _amount_checked(amount: Money, *, currency: str | None = None) -> Decimal:
    value = amount.amount
    if not value.is_finite() or value <= 0 or value != value.quantize(CENT):
        raise PaymentAmountInvalid(extra={"amount": str(value)})
    if currency is not None and amount.currency != currency:
        raise PaymentAmountInvalid(f"This payment is in {currency}, not {amount.currency}.")
    return value


def _charge_result(charge: TestGatewayCharge, *, status: str, amount: Decimal) -> PaymentResult:
    declined = status == PaymentStatus.DECLINED
    return PaymentResult(
        status=PaymentStatus(status),
        gateway_ref=charge.gateway_ref,
        amount=Money(amount, charge.currency),
        decline_code=charge.decline_code if declined else "",
        message=decline_message(charge.decline_code) if declined else "",
        card_brand=charge.card_brand,
        card_last4=charge.card_last4,
    )


def _authorize_replay(charge: TestGatewayCharge, request: AuthorizeRequest) -> PaymentResult:
    """Answer a repeated authorization with the first one's result, if it really is the same request."""
    same = (
        charge.reference == request.reference
        and charge.amount == request.amount.amount
        and charge.currency == request.amount.currency
        and charge.card_last4 == request.card.last4
    )
    if not same:
        raise IdempotencyKeyReused(extra={"idempotency_key": request.idempotency_key})
    logger.info("test gateway: authorize %s replayed for idempotency key %s", charge.gateway_ref, request.idempotency_key)
    return _charge_result(charge, status=charge.outcome, amount=charge.amount)


def _charge_locked(gateway_ref: str) -> TestGatewayCharge:
    charge = TestGatewayCharge.objects.select_for_update().filter(gateway_ref=gateway_ref).first()
    if charge is None:
        raise PaymentNotFound(extra={"gateway_ref": gateway_ref})
    return charge


def webhook_secret() -> bytes:
    secret: str = getattr(settings, "ALLBUY_PAYMENT_WEBHOOK_SECRET", "")
    if not secret:
        raise ImproperlyConfigured("ALLBUY_PAYMENT_WEBHOOK_SECRET is empty: webhooks cannot be signed or verified.")
    return secret.encode()


def webhook_signature(*, body: bytes, timestamp: int, secret: bytes) -> str:
    """Return the signature header's value for `body` sent at `timestamp` (unix seconds)."""
    digest = hmac.new(secret, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def _header(headers: Mapping[str, str], name: str) -> str | None:
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return None


def _signature_header_parse(value: str) -> tuple[int, list[str]]:
    timestamp: int | None = None
    signatures: list[str] = []
    for part in value.split(","):
        key, _, item = part.strip().partition("=")
        if key == "t" and timestamp is None and _TIMESTAMP.fullmatch(item):
            timestamp = int(item)
        elif key == "v1" and _HEX_SIGNATURE.fullmatch(item):
            signatures.append(item)
    if timestamp is None or not signatures:
        raise WebhookInvalid("The webhook's signature header is missing or unreadable.", code="webhook_signature_invalid")
    return timestamp, signatures


def _malformed(why: str) -> WebhookInvalid:
    return WebhookInvalid(f"The webhook's body is malformed: {why}.", code="webhook_malformed")


def _object_without_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise ValueError("duplicate key")
    return result


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _event_parse(body: bytes) -> WebhookEvent:
    if len(body) > WEBHOOK_MAX_BYTES:
        raise _malformed("too large")
    try:
        data = json.loads(body.decode("utf-8"), object_pairs_hook=_object_without_duplicates, parse_constant=_no_constants)
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise _malformed("not valid JSON") from error
    if not isinstance(data, dict) or set(data) != WEBHOOK_FIELDS:
        raise _malformed(f"expected an object with exactly {sorted(WEBHOOK_FIELDS)}")
    event_id, kind, ref, code, created = (data[k] for k in ("id", "type", "gateway_ref", "decline_code", "created"))
    if not (isinstance(event_id, str) and _EVENT_ID.fullmatch(event_id)):
        raise _malformed("bad event id")
    if kind not in {k.value for k in WebhookKind}:
        raise _malformed("unknown event type")
    if not (isinstance(ref, str) and _REF.fullmatch(ref)):
        raise _malformed("bad gateway_ref")
    if not (isinstance(code, str) and _DECLINE_CODE.fullmatch(code)) or bool(code) != (kind == WebhookKind.FAILED):
        raise _malformed("bad decline_code")
    if not isinstance(created, int) or isinstance(created, bool):
        raise _malformed("bad created")
    return WebhookEvent(event_id=event_id, kind=kind, gateway_ref=ref, decline_code=code)


class TestGateway(PaymentGateway):
    """The in-process test provider (see the module docstring for its test cards)."""

    __test__ = False  # a gateway, not a pytest test class
    code = "test"

    def authorize(self, request: AuthorizeRequest) -> PaymentResult:
        amount = _amount_checked(request.amount)
        card = request.card
        recorded = TestGatewayCharge.objects.filter(idempotency_key=request.idempotency_key).first()
        if recorded is not None:
            return _authorize_replay(recorded, request)
        behaviour = TEST_CARDS.get(card.number, AUTHORIZE)
        if behaviour.unavailable:
            logger.warning("test gateway: unavailable for %s (test card %s)", request.reference, card)
            raise GatewayUnavailable
        charge = TestGatewayCharge(
            gateway_ref=f"tch_{secrets.token_hex(12)}",
            idempotency_key=request.idempotency_key,
            reference=request.reference,
            amount=amount,
            currency=request.amount.currency,
            outcome=behaviour.status,
            status=behaviour.status,
            decline_code=behaviour.decline_code,
            card_brand=card.brand,
            card_last4=card.last4,
            created_at=clock.now(),
        )
        try:
            with transaction.atomic():
                charge.save(force_insert=True)
        except IntegrityError:
            # A parallel call with the same key inserted first (we waited on its row): answer with its result.
            winner = TestGatewayCharge.objects.filter(idempotency_key=request.idempotency_key).first()
            if winner is None:
                raise
            return _authorize_replay(winner, request)
        logger.info(
            "test gateway: authorize %s for %s, %s on %s: %s",
            charge.gateway_ref,
            request.reference,
            request.amount,
            card,
            charge.status,
        )
        if behaviour.timeout_after_recording:
            raise GatewayTimeout
        return _charge_result(charge, status=charge.outcome, amount=charge.amount)

    def capture(self, *, gateway_ref: str, amount: Money, idempotency_key: str) -> PaymentResult:
        return self._operate(TestGatewayOperation.Kind.CAPTURE, gateway_ref=gateway_ref, amount=amount, key=idempotency_key)

    def void(self, *, gateway_ref: str, idempotency_key: str) -> PaymentResult:
        return self._operate(TestGatewayOperation.Kind.VOID, gateway_ref=gateway_ref, amount=None, key=idempotency_key)

    def refund(self, *, gateway_ref: str, amount: Money, idempotency_key: str) -> PaymentResult:
        return self._operate(TestGatewayOperation.Kind.REFUND, gateway_ref=gateway_ref, amount=amount, key=idempotency_key)

    @transaction.atomic
    def _operate(self, kind: TestGatewayOperation.Kind, *, gateway_ref: str, amount: Money | None, key: str) -> PaymentResult:
        # Lock the charge first, then look the key up: a parallel call with the same key waits here and then
        # finds the operation the first one committed.
        charge = _charge_locked(gateway_ref)
        value = None if amount is None else _amount_checked(amount, currency=charge.currency)
        done = TestGatewayOperation.objects.filter(idempotency_key=key).first()
        if done is not None:
            if done.charge_id != charge.pk or done.kind != kind or (value is not None and done.amount != value):
                raise IdempotencyKeyReused(extra={"idempotency_key": key})
            return _charge_result(charge, status=done.status, amount=done.amount)
        moved = self._apply(charge, kind, value)
        charge.save(update_fields=["status", "captured_amount", "refunded_amount"])
        try:
            with transaction.atomic():
                TestGatewayOperation.objects.create(
                    idempotency_key=key, charge=charge, kind=kind, amount=moved, status=charge.status, created_at=clock.now()
                )
        except IntegrityError as error:  # the key was used, meanwhile, for another charge
            raise IdempotencyKeyReused(extra={"idempotency_key": key}) from error
        logger.info("test gateway: %s %s of %s %s: %s", kind, gateway_ref, moved, charge.currency, charge.status)
        return _charge_result(charge, status=charge.status, amount=moved)

    @staticmethod
    def _apply(charge: TestGatewayCharge, kind: TestGatewayOperation.Kind, value: Decimal | None) -> Decimal:
        """Change `charge` for the operation; return the amount it moved."""
        state = PaymentStatus(charge.status)
        if kind == TestGatewayOperation.Kind.VOID:
            if state not in {PaymentStatus.AUTHORIZED, PaymentStatus.PENDING}:
                raise PaymentStateInvalid(f"A {state} payment cannot be voided.", extra={"status": state})
            charge.status = PaymentStatus.VOIDED
            return charge.amount
        assert value is not None
        if kind == TestGatewayOperation.Kind.CAPTURE:
            if state != PaymentStatus.AUTHORIZED:
                raise PaymentStateInvalid(f"A {state} payment cannot be captured.", extra={"status": state})
            if value > charge.amount:
                raise PaymentAmountInvalid(
                    f"Only {charge.amount} {charge.currency} is authorized.", extra={"authorized": str(charge.amount)}
                )
            charge.status, charge.captured_amount = PaymentStatus.CAPTURED, value
            return value
        if state not in {PaymentStatus.CAPTURED, PaymentStatus.REFUNDED}:
            raise PaymentStateInvalid(f"A {state} payment cannot be refunded.", extra={"status": state})
        refundable = charge.captured_amount - charge.refunded_amount
        if value > refundable:
            raise RefundTooLarge(f"Only {refundable} {charge.currency} is left to refund.", extra={"refundable": str(refundable)})
        charge.refunded_amount += value
        charge.status = PaymentStatus.REFUNDED if charge.refunded_amount == charge.captured_amount else PaymentStatus.CAPTURED
        return value

    # -- webhooks ----------------------------------------------------------------------------------------------

    def webhook_build(self, *, gateway_ref: str, succeed: bool, now: datetime) -> tuple[bytes, dict[str, str]]:
        """Decide a pending charge, as the shopper's bank would, and return the signed webhook the provider sends.

        `succeed=True` authorizes the charge (capture it as usual); `False` declines it with "card_declined".
        """
        with transaction.atomic():
            charge = _charge_locked(gateway_ref)
            if charge.status != PaymentStatus.PENDING:
                raise PaymentStateInvalid(f"Only a pending payment is decided by webhook, not a {charge.status} one.")
            charge.status = PaymentStatus.AUTHORIZED if succeed else PaymentStatus.DECLINED
            charge.decline_code = "" if succeed else "card_declined"
            charge.save(update_fields=["status", "decline_code"])
        timestamp = int(now.timestamp())
        event = {
            "id": f"evt_{secrets.token_hex(12)}",
            "type": WebhookKind.SUCCEEDED if succeed else WebhookKind.FAILED,
            "gateway_ref": gateway_ref,
            "decline_code": charge.decline_code,
            "created": timestamp,
        }
        body = json.dumps(event, separators=(",", ":"), sort_keys=True).encode()
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: webhook_signature(body=body, timestamp=timestamp, secret=webhook_secret()),
        }
        return body, headers

    def webhook_parse(self, *, body: bytes, headers: Mapping[str, str], now: datetime) -> WebhookEvent:
        header = _header(headers, SIGNATURE_HEADER)
        if header is None:
            raise WebhookInvalid(f"The webhook has no {SIGNATURE_HEADER} header.", code="webhook_signature_invalid")
        timestamp, signatures = _signature_header_parse(header)
        expected = webhook_signature(body=body, timestamp=timestamp, secret=webhook_secret()).rpartition("v1=")[2]
        if not any(hmac.compare_digest(expected, signature) for signature in signatures):
            raise WebhookInvalid("The webhook's signature does not match its body.", code="webhook_signature_invalid")
        if abs(now.timestamp() - timestamp) > WEBHOOK_TOLERANCE_SECONDS:
            raise WebhookInvalid("The webhook's timestamp is more than 5 minutes from now.", code="webhook_timestamp_invalid")
        return _event_parse(body)
