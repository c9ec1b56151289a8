"""Checkout: place a cart as an order and pay for it, safely retried with an idempotency key.

Signed-in callers only (Django's session cookie; 401 `not_authenticated` otherwise), and, being a
cookie-authenticated POST, with the CSRF token (403 `csrf_failed` otherwise; see `allbuy.api.routing`).

Every checkout attempt sends its own `Idempotency-Key` header (8 to 80 letters, digits, '-', '_', ':' or '.',
e.g. a UUID made when the shopper opens the checkout). Sending the same request again with the same key —
after a timeout, a lost answer, a double tap — never places a second order or charges twice: it answers with
the order the key placed. The same key with another address or shipping method is refused (422).

What the answers mean:
    201  the order was placed and paid
    200  the key had already placed this order; here it is (paid, pending or cancelled)
    202  placed; the bank must confirm the payment (3-D Secure); the order's status follows by itself
    402  the card was declined (`card_declined`, `insufficient_funds`): nothing was charged and the order,
         in `extra.order`, is cancelled; try another card with a *new* key
    409  the cart cannot be bought as it is: `out_of_stock`, `price_changed` (with the new total in
         `extra.total`, when `expected_total` was sent), a coupon that no longer applies (`cap_reached`, …),
         `deal_limit_reached`
    504  `payment_timeout`: the payment provider did not answer; retry with the same key, nothing is charged twice
    503  `payment_unavailable`: nothing was charged; try again later

The card goes from the request to the payment gateway and nowhere else: it is never stored, logged or sent
back (its number and CVC are `SecretStr`, which print as asterisks).
"""

from __future__ import annotations

from decimal import Decimal

from django.http import HttpRequest
from ninja import Header, Router, Status

from allbuy.accounts.models import User
from allbuy.api.cart import cart_reachable
from allbuy.api.commerce_schemas import CardIn, CheckoutIn, OrderOut
from allbuy.api.routing import session_required
from allbuy.api.schemas import ErrorOut
from allbuy.core import clock
from allbuy.core.errors import InvalidInput
from allbuy.orders.exceptions import PaymentDeclined
from allbuy.orders.models import Order, PaymentState
from allbuy.orders.services import order_place
from allbuy.payments.gateway import DECLINE_MESSAGES, Card, card_parse

router = Router(tags=["checkout"], auth=session_required)

RESPONSES = {
    200: OrderOut,
    201: OrderOut,
    202: OrderOut,
    **dict.fromkeys((400, 401, 402, 403, 404, 409, 422, 503, 504), ErrorOut),
}


class IdempotencyKeyMissing(InvalidInput):
    code = "idempotency_key_missing"


def _card(card: CardIn | None) -> Card | None:
    if card is None:
        return None
    return card_parse(
        number=card.number.get_secret_value(),
        exp_month=card.exp_month,
        exp_year=card.exp_year,
        cvc=card.cvc.get_secret_value(),
        now=clock.now(),
    )


def _decline_code(order: Order) -> str:
    payment = order.payments.order_by("-id").first()
    code = payment.decline_code if payment else ""
    return code if code in DECLINE_MESSAGES else "card_declined"


@router.post("/checkout", response=RESPONSES, summary="Place the order and pay")
def checkout_post(
    request: HttpRequest,
    payload: CheckoutIn,
    idempotency_key: str | None = Header(
        None,
        alias="Idempotency-Key",
        description="Required: one key per checkout attempt; retrying with the same key is always safe.",
    ),
) -> Status:
    """Place the cart as an order, reserve its stock, deals and coupon, and take the payment."""
    if not idempotency_key:
        raise IdempotencyKeyMissing("Send an Idempotency-Key header: one key per checkout attempt, reused when retrying it.")
    user = request.user
    assert isinstance(user, User)
    cart = cart_reachable(cart_id=payload.cart_id, user=user)
    placement = order_place(
        user=user,
        cart=cart,
        address_id=payload.address_id,
        shipping_code=payload.shipping_method,
        idempotency_key=idempotency_key,
        card=_card(payload.card),
        expected_total=Decimal(payload.expected_total) if payload.expected_total is not None else None,
    )
    order = placement.order
    if placement.declined:
        raise PaymentDeclined(placement.decline_message, code=_decline_code(order), extra={"order": order.number})
    body = OrderOut.from_order(order)
    if order.payment_state == PaymentState.PENDING:
        return Status(202, body)
    return Status(201 if placement.created else 200, body)
