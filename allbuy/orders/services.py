"""Placing orders, taking payment, and moving orders through their statuses.

Placing an order (`order_place`) happens in two steps:

1. One database transaction reserves everything and writes the order, or writes nothing:
   the order row first (its unique `(user, idempotency_key)` makes parallel copies of one checkout wait
   here and then find the winner's order), then per line in variant-id order a conditional stock
   decrement (`stock >= quantity`), the deal units under the deal's cap and under the customer's own
   limit, then the coupon use (`allbuy.coupons.services.coupon_redeem`). Any refusal rolls all of it back.
2. Payment, outside any transaction (a gateway call must never hold row locks): authorize, then capture,
   both with idempotency keys derived from the order number, so a retry after a timeout, a double submit
   or ten parallel copies reach the gateway as the same charge. A decline cancels the order and gives back
   stock, deal units and the coupon; a pending payment waits for the gateway's webhook; a timeout leaves the
   order waiting, and the same checkout retried (same key) asks the gateway again.

The card is passed from the request to the gateway and never stored, logged or put on the order.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F, Q

from allbuy.accounts.exceptions import AddressNotFound
from allbuy.accounts.models import Address, User
from allbuy.accounts.selectors import ADDRESS_FIELDS
from allbuy.cart.exceptions import CartEmpty, ProductUnavailable
from allbuy.cart.models import Cart
from allbuy.cart.quoting import LineInput, PricedCart, cart_price
from allbuy.cart.selectors import cart_lines
from allbuy.cart.services import cart_clear
from allbuy.cart.shipping import country_check
from allbuy.catalog.models import Variant
from allbuy.catalog.services import catalog_revision_bump
from allbuy.core import clock
from allbuy.core.errors import ApplicationError
from allbuy.core.money import Money
from allbuy.coupons.eligibility import MESSAGES as COUPON_MESSAGES
from allbuy.coupons.exceptions import CouponError
from allbuy.coupons.models import CouponRedemption
from allbuy.coupons.services import coupon_redeem, coupon_release
from allbuy.deals.services import deal_customer_units_release, deal_customer_units_take, deal_units_release, deal_units_take
from allbuy.orders import signals, tasks
from allbuy.orders.exceptions import (
    CardRequired,
    CheckoutInProgress,
    DealLimitReached,
    IdempotencyKeyInvalid,
    IdempotencyKeyReused,
    PriceChanged,
    RefundInvalid,
    StockUnavailable,
    TransitionNotAllowed,
)
from allbuy.orders.models import Order, OrderEvent, OrderLine, OrderStatus, Payment, PaymentState, Refund, WebhookReceipt
from allbuy.orders.states import CUSTOMER_CANCELLABLE, TRANSITIONS, transition_allowed
from allbuy.payments.exceptions import GatewayTimeout, GatewayUnavailable
from allbuy.payments.gateway import (
    AuthorizeRequest,
    Card,
    PaymentGateway,
    PaymentResult,
    PaymentStatus,
    WebhookEvent,
    decline_message,
    gateway_get,
)
from allbuy.privacy.models import DataSubject
from allbuy.privacy.services import own_data_reveal
from allbuy.storefront.stock import LOW_STOCK

logger = logging.getLogger(__name__)

NUMBER_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_KEY_PATTERN = re.compile(r"^[A-Za-z0-9_:.\-]{8,80}$")


def order_number_new() -> str:
    return "AB" + "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(10))


def idempotency_key_clean(raw: object) -> str:
    key = str(raw or "").strip()
    if not _KEY_PATTERN.match(key):
        raise IdempotencyKeyInvalid("Send an idempotency key of 8 to 80 letters, digits, '-', '_', ':' or '.'.")
    return key


def _fingerprint(*, cart_id: object, address_id: int, shipping_code: str) -> str:
    """What one checkout attempt was about: a key sent again with other details is a mistake, not a retry."""
    return hashlib.sha256(f"{cart_id}|{address_id}|{shipping_code}".encode()).hexdigest()


def _address_id(raw: object) -> int:
    try:
        return int(str(raw))
    except ValueError:
        raise AddressNotFound("Choose one of the addresses in your address book.") from None


@dataclass(frozen=True, slots=True)
class Placement:
    order: Order
    created: bool

    @property
    def declined(self) -> bool:
        return self.order.payment_state == PaymentState.DECLINED

    @property
    def decline_message(self) -> str:
        payment = self.order.payments.order_by("-id").first()
        code = payment.decline_code if payment else ""
        return f"{decline_message(code)} Try another card."


def order_place(
    *,
    user: User,
    cart: Cart,
    address_id: object,
    shipping_code: str,
    idempotency_key: object,
    card: Card | None,
    expected_total: Decimal | None = None,
    now: datetime | None = None,
) -> Placement:
    """Place the cart as an order and take payment; the same key always yields the same order and one charge."""
    moment = now or clock.now()
    key = idempotency_key_clean(idempotency_key)
    pk = _address_id(address_id)
    fingerprint = _fingerprint(cart_id=cart.pk, address_id=pk, shipping_code=shipping_code)
    existing = Order.objects.filter(user=user, idempotency_key=key).first()
    if existing is None:
        try:
            existing = _reserve(
                user=user, cart=cart, address_id=pk, shipping_code=shipping_code, key=key, fingerprint=fingerprint,
                expected_total=expected_total, card_given=card is not None, now=moment,
            )  # fmt: skip
            created = True
        except _AlreadyPlaced:
            existing = Order.objects.get(user=user, idempotency_key=key)
            created = False
    else:
        created = False
    if existing.request_fingerprint != fingerprint:
        raise IdempotencyKeyReused("This checkout was already submitted with other details; reload the checkout page.")
    if existing.is_open_for_payment:
        _payment_take(order=existing, card=card, cart=cart, now=moment)  # keeps `existing` in step with its row
    return Placement(order=existing, created=created)


class _AlreadyPlaced(Exception):
    """A parallel copy of this checkout committed the order first."""


def _ship_to(*, user: User, address_id: int) -> dict[str, str]:
    address = Address.objects.filter(user=user, pk=address_id).first()
    if address is None:
        raise AddressNotFound("Choose one of the addresses in your address book.")
    values = own_data_reveal(instance=address, fields=ADDRESS_FIELDS, subject=DataSubject(pk=user.subject_id))
    values["country"] = country_check(values["country"])
    return values


def _coupon_refusal(priced: PricedCart) -> CouponError | None:
    state = priced.coupon
    if state is None or state.applied or state.reason is None:
        return None
    return CouponError(COUPON_MESSAGES[state.reason], code=state.reason.value, status=409)


def _stock_take(lines: list[LineInput]) -> None:
    for line in sorted(lines, key=lambda item: item.variant.pk):
        taken = Variant.objects.filter(pk=line.variant.pk, stock_quantity__gte=line.quantity).update(
            stock_quantity=F("stock_quantity") - line.quantity
        )
        if not taken:
            left = Variant.objects.filter(pk=line.variant.pk).values_list("stock_quantity", flat=True).first() or 0
            message = (
                f"{line.variant.product.name} has just sold out."
                if left == 0
                else f"Only {left} of {line.variant.product.name} left; lower the quantity."
            )
            raise StockUnavailable(message, extra={"variant_id": line.variant.pk, "available": left})
    ids = [line.variant.pk for line in lines]
    if Variant.objects.filter(pk__in=ids, stock_quantity__lte=LOW_STOCK).exists():
        transaction.on_commit(catalog_revision_bump)  # the pages' "only N left" badges must follow


def _deals_take(*, priced: PricedCart, user: User, now: datetime) -> None:
    limited = {row.pk for row in priced.deals.values() if row.per_customer_limit is not None}
    for deal_id, units in sorted(priced.deal_units.items()):
        capped = priced.deals_by_id[deal_id].quantity_cap is not None
        if not deal_units_take(deal_id=deal_id, quantity=units, now=now, capped=capped):
            raise PriceChanged("A deal in your cart has just sold out or ended; check the new total.", code="deal_sold_out")
        if deal_id in limited and not deal_customer_units_take(deal_id=deal_id, user=user, quantity=units):
            raise DealLimitReached("You have already bought as many units of this deal as it allows.")


def _cart_claim(*, cart: Cart, user: User, key: str) -> None:
    """Lock the cart for this checkout; refuse when another checkout attempt is paying for it right now.

    Parallel copies of one attempt (same key) queue here and then find the order their twin placed.
    """
    locked = Cart.objects.select_for_update().get(pk=cart.pk)
    if Order.objects.filter(user=user, idempotency_key=key).exists():
        raise _AlreadyPlaced
    if locked.checkout_order:
        busy = Order.objects.filter(
            number=locked.checkout_order, status=OrderStatus.PLACED, payment_state__in=[PaymentState.NONE, PaymentState.UNKNOWN]
        ).exists()
        if busy:
            raise CheckoutInProgress(
                f"This cart is being paid for in another tab or window (order {locked.checkout_order}). "
                "Finish or retry that payment, or wait a few minutes.",
                extra={"order": locked.checkout_order},
            )


def _reserve(
    *,
    user: User,
    cart: Cart,
    address_id: int,
    shipping_code: str,
    key: str,
    fingerprint: str,
    expected_total: Decimal | None,
    card_given: bool,
    now: datetime,
) -> Order:
    with transaction.atomic():
        _cart_claim(cart=cart, user=user, key=key)
        rows = cart_lines(cart, images=False)
        if not rows:
            raise CartEmpty("Your cart is empty.")
        inactive = [row for row in rows if not row.variant.product.is_active]
        if inactive:
            raise ProductUnavailable(f"{inactive[0].variant.product.name} is no longer for sale; remove it from your cart.")
        ship_to = _ship_to(user=user, address_id=address_id)
        lines = [LineInput(line_id=row.pk, variant=row.variant, quantity=row.quantity) for row in rows]
        priced = cart_price(
            lines=lines, now=now, user=user, coupon_code=cart.coupon_code, country=ship_to["country"], shipping_code=shipping_code
        )
        refusal = _coupon_refusal(priced)
        if refusal is not None:
            raise refusal
        quote = priced.quote
        if quote.total.amount > 0 and not card_given:
            raise CardRequired("Enter your card details to pay.")
        if expected_total is not None and expected_total != quote.total.amount:
            raise PriceChanged(
                f"The total is now {quote.total}; please review your order again.", extra={"total": str(quote.total.amount)}
            )
        order = Order(
            number=order_number_new(),
            user=user,
            subject_id=user.subject_id,
            idempotency_key=key,
            request_fingerprint=fingerprint,
            currency=quote.currency,
            base_subtotal=quote.base_subtotal.amount,
            deal_discount=quote.discounts.deal.amount,
            promotion_discount=quote.discounts.promotion.amount,
            coupon_discount=quote.discounts.coupon.amount,
            subtotal=quote.subtotal.amount,
            shipping=quote.shipping.amount,
            tax=quote.tax.amount,
            total=quote.total.amount,
            shipping_method=priced.shipping_code,
            coupon_code=priced.coupon.code if priced.coupon and priced.coupon.applied else "",
            payment_state=PaymentState.UNKNOWN if quote.total.amount > 0 else PaymentState.NONE,
            placed_at=now,
            updated_at=now,
            **ship_to,
        )
        try:
            with transaction.atomic():
                order.save()
        except IntegrityError:
            if Order.objects.filter(user=user, idempotency_key=key).exists():
                raise _AlreadyPlaced from None
            raise
        Cart.objects.filter(pk=cart.pk).update(checkout_order=order.number)
        _lines_write(order=order, rows=lines, priced=priced)
        OrderEvent.objects.create(order=order, from_status="", to_status=OrderStatus.PLACED, actor="customer", at=now)
        # The rows every buyer shares (stock, the deal, the coupon) are taken last: their locks are held only
        # from here to the commit, a few statements, so parallel checkouts queue on them as briefly as possible.
        _stock_take(lines)
        _deals_take(priced=priced, user=user, now=now)
        if priced.coupon and priced.coupon.applied and priced.coupon.coupon_id is not None:
            coupon_redeem(
                coupon_id=priced.coupon.coupon_id,
                user=user,
                order_ref=order.number,
                now=now,
                per_customer_cap=priced.coupon.per_customer_cap,
            )
    return order


def _lines_write(*, order: Order, rows: list[LineInput], priced: PricedCart) -> None:
    by_id = {line.line_id: line for line in priced.quote.lines}
    deal_by_variant = {deal.variant_id: deal for deal in priced.deals.values() if deal.pk in priced.deal_units}
    applied_units = {applied.variant_id: applied.units for applied in priced.quote.applied_deals}
    objects = []
    for row in rows:
        q = by_id[row.line_id]
        variant = row.variant
        deal = deal_by_variant.get(variant.pk)
        objects.append(
            OrderLine(
                order=order,
                variant=variant,
                product_name=variant.product.name,
                product_slug=variant.product.slug,
                sku=variant.sku,
                options=" / ".join(str(v) for v in variant.attributes.values()),
                quantity=row.quantity,
                unit_price=q.unit_price.amount,
                deal=deal,
                deal_units=min(row.quantity, applied_units.get(variant.pk, 0)) if deal else 0,
                deal_discount=q.deal_discount.amount,
                promotion_discount=q.promotion_discount.amount,
                coupon_discount=q.coupon_discount.amount,
                total=q.total.amount,
                tax=q.tax.amount,
            )
        )
    OrderLine.objects.bulk_create(objects)


# --- payment -------------------------------------------------------------------------------------------------


def _payment_take(*, order: Order, card: Card | None, cart: Cart | None, now: datetime) -> None:
    if order.total == 0:
        _paid(order=order, result=None, gateway="", cart=cart, now=now)
        return
    if card is None:
        raise CardRequired("Enter your card details to pay.")
    gateway = gateway_get()
    amount = Money(order.total, order.currency)
    try:
        result = gateway.authorize(
            AuthorizeRequest(reference=order.number, amount=amount, idempotency_key=f"{order.number}-authorize", card=card)
        )
        if result.status == PaymentStatus.AUTHORIZED:
            result = gateway.capture(gateway_ref=result.gateway_ref, amount=amount, idempotency_key=f"{order.number}-capture")
    except (GatewayTimeout, GatewayUnavailable):
        logger.warning("payment for order %s: gateway did not answer; the order waits for a retry", order.number)
        raise
    if result.status == PaymentStatus.CAPTURED:
        _paid(order=order, result=result, gateway=gateway.code, cart=cart, now=now)
    elif result.status == PaymentStatus.PENDING:
        with transaction.atomic():
            _payment_record(order=order, result=result, gateway=gateway.code, now=now)
            if Order.objects.filter(pk=order.pk, payment_state=PaymentState.UNKNOWN).update(
                payment_state=PaymentState.PENDING, updated_at=now
            ):
                order.payment_state = PaymentState.PENDING
            if cart is not None:
                cart_clear(cart=cart, now=now)
        _mail_after_commit(order, "pending")
    else:
        _payment_record(order=order, result=result, gateway=gateway.code, now=now)
        _declined(order=order, now=now)


def _payment_record(*, order: Order, result: PaymentResult, gateway: str, now: datetime) -> None:
    """Record the gateway's answer: one row per charge (one upsert), updated when a retry or a webhook learns more."""
    values = {
        "order": order,
        "gateway": gateway,
        "status": result.status.value,
        "amount": result.amount.amount,
        "currency": result.amount.currency,
        "card_brand": result.card_brand,
        "decline_code": result.decline_code,
        "updated_at": now,
    }
    Payment.objects.bulk_create(
        [Payment(gateway_ref=result.gateway_ref, created_at=now, **values)],
        update_conflicts=True,
        unique_fields=["gateway_ref"],
        update_fields=[name for name in values if name != "order"],
    )


def _mail_after_commit(order: Order, kind: str) -> None:
    """Queue the customer's mail once the change commits. A mail that cannot be queued or sent never undoes or
    fails the change itself (the card may already be charged); the log names the order and the error type only."""
    order_id, number = order.pk, order.number

    def queue() -> None:
        try:
            tasks.order_email.delay(order_id=order_id, kind=kind)
        except Exception as error:
            logger.error("order mail %s for %s not sent: %s", kind, number, type(error).__name__)

    transaction.on_commit(queue)


def _event(order: Order, *, from_status: str, to_status: str, actor: str, note: str, now: datetime) -> None:
    OrderEvent.objects.create(order=order, from_status=from_status, to_status=to_status, actor=actor, note=note, at=now)


def _status_move(order: Order, *, to_status: str, now: datetime, actor: str, note: str = "", **fields: object) -> bool:
    """Move `order` from the status it has in the database to `to_status`, if allowed; False if someone else moved it."""
    sources = [status for status, targets in TRANSITIONS.items() if to_status in targets]
    # With one possible source (e.g. only `placed` becomes `paid`) the conditional update alone decides.
    current = sources[0] if len(sources) == 1 else Order.objects.filter(pk=order.pk).values_list("status", flat=True).get()
    if not transition_allowed(current, to_status):
        return False
    moved = Order.objects.filter(pk=order.pk, status=current).update(status=to_status, updated_at=now, **fields)
    if moved:
        _event(order, from_status=current, to_status=to_status, actor=actor, note=note, now=now)
        order.status = to_status
        for name, value in fields.items():
            setattr(order, name, value)
        if to_status == OrderStatus.PAID:
            signals.order_paid.send(sender=Order, order=order, now=now)
        elif to_status == OrderStatus.CANCELLED:
            signals.order_cancelled.send(sender=Order, order=order, now=now)
    return bool(moved)


def _paid(*, order: Order, result: PaymentResult | None, gateway: str, cart: Cart | None, now: datetime) -> None:
    with transaction.atomic():
        if result is not None:
            _payment_record(order=order, result=result, gateway=gateway, now=now)
        if _status_move(order, to_status=OrderStatus.PAID, now=now, actor="payment", payment_state=PaymentState.CAPTURED):
            if cart is not None:
                cart_clear(cart=cart, now=now)
            _mail_after_commit(order, "paid")


def _release(order: Order, *, now: datetime) -> None:
    """Give back stock, deal units and the coupon use, once (inside the caller's transaction)."""
    if not Order.objects.filter(pk=order.pk, released_at__isnull=True).update(released_at=now):
        return
    Cart.objects.filter(checkout_order=order.number).update(checkout_order="")  # the shopper may try again
    lines = list(OrderLine.objects.filter(order=order).order_by("variant_id"))
    for line in lines:
        Variant.objects.filter(pk=line.variant_id).update(stock_quantity=F("stock_quantity") + line.quantity)
    for line in lines:
        if line.deal_id is not None and line.deal_units:
            deal_units_release(deal_id=line.deal_id, quantity=line.deal_units)
            deal_customer_units_release(deal_id=line.deal_id, user=order.user, quantity=line.deal_units)
    for redemption in CouponRedemption.objects.filter(order_ref=order.number, released_at__isnull=True):
        coupon_release(redemption=redemption, now=now)
    transaction.on_commit(catalog_revision_bump)  # stock came back: "sold out" badges must go


def _declined(*, order: Order, now: datetime) -> bool:
    """Cancel the order whose payment was declined and give back what it held; False if it had moved already."""
    with transaction.atomic():
        Order.objects.filter(pk=order.pk).update(payment_state=PaymentState.DECLINED)
        order.payment_state = PaymentState.DECLINED
        moved = _status_move(order, to_status=OrderStatus.CANCELLED, now=now, actor="payment", note="payment declined",
                             cancel_reason="payment_declined")  # fmt: skip
        if moved:
            _release(order, now=now)
    return moved


def payment_webhook_apply(*, body: bytes, headers: dict[str, str], now: datetime | None = None) -> str:
    """Apply a gateway webhook (already signature-checked by the gateway) once; return what was done."""
    moment = now or clock.now()
    gateway = gateway_get()
    event: WebhookEvent = gateway.webhook_parse(body=body, headers=headers, now=moment)
    try:
        with transaction.atomic():
            receipt = WebhookReceipt.objects.create(gateway=gateway.code, event_id=event.event_id, received_at=moment)
    except IntegrityError:
        return "duplicate"
    try:
        return _webhook_event_apply(event=event, gateway=gateway, now=moment)
    except Exception:
        receipt.delete()  # not applied: the provider's retry of this event must be applied, not called a duplicate
        raise


def _webhook_event_apply(*, event: WebhookEvent, gateway: PaymentGateway, now: datetime) -> str:
    moment = now
    payment = Payment.objects.select_related("order").filter(gateway_ref=event.gateway_ref).first()
    if payment is None:
        return "unknown_payment"
    order = payment.order
    if order.status != OrderStatus.PLACED or order.payment_state != PaymentState.PENDING:
        return "ignored"
    if event.kind == "payment.succeeded":
        amount = Money(order.total, order.currency)
        result = gateway.capture(gateway_ref=payment.gateway_ref, amount=amount, idempotency_key=f"{order.number}-capture")
        _paid(order=order, result=result, gateway=gateway.code, cart=None, now=moment)
        return "paid"
    Payment.objects.filter(pk=payment.pk).update(status=PaymentStatus.DECLINED.value, decline_code=event.decline_code)
    if _declined(order=order, now=moment):
        _mail_after_commit(order, "cancelled")
    return "declined"


# --- after the sale --------------------------------------------------------------------------------------------


def order_status_set(*, order: Order, to_status: str, actor: str, note: str = "", now: datetime | None = None) -> Order:
    """Move a paid order along fulfilment (fulfilling → shipped → delivered), emailing the customer."""
    moment = now or clock.now()
    if to_status in (OrderStatus.CANCELLED, OrderStatus.REFUNDED, OrderStatus.PAID):
        raise TransitionNotAllowed("Use cancel or refund for this change.")
    with transaction.atomic():
        if not _status_move(order, to_status=to_status, now=moment, actor=actor, note=note):
            raise TransitionNotAllowed(f"An order that is {order.get_status_display().lower()} cannot become {to_status}.")
        _mail_after_commit(order, to_status)
    return order


def _captured_payment(order: Order) -> Payment | None:
    return order.payments.filter(status__in=[PaymentStatus.CAPTURED.value, PaymentStatus.REFUNDED.value]).first()


def order_cancel(*, order: Order, actor: str, reason: str = "", now: datetime | None = None, by_customer: bool = False) -> Order:
    """Cancel the order: refund or void its payment and give back stock, deal units and the coupon."""
    moment = now or clock.now()
    order.refresh_from_db()
    if by_customer and order.status not in CUSTOMER_CANCELLABLE:
        raise TransitionNotAllowed("This order is already being packed; contact us to return it instead.")
    if not transition_allowed(order.status, OrderStatus.CANCELLED):
        raise TransitionNotAllowed(f"An order that is {order.get_status_display().lower()} cannot be cancelled.")
    gateway = gateway_get()
    payment = order.payments.order_by("-id").first()
    remaining = order.total - order.refunded
    refunded = payment is not None and payment.status == PaymentStatus.CAPTURED.value and remaining > 0
    if refunded:
        assert payment is not None
        # One key per order's cancellation: two cancels at once reach the gateway as the same refund.
        _gateway_refund(order=order, payment=payment, amount=remaining, reason="order cancelled", now=moment,
                        key=f"{order.number}-cancel-refund")  # fmt: skip
        Payment.objects.filter(pk=payment.pk).update(status=PaymentStatus.REFUNDED.value, updated_at=moment)
    elif payment is not None and payment.status in (PaymentStatus.PENDING.value, PaymentStatus.AUTHORIZED.value):
        result = gateway.void(gateway_ref=payment.gateway_ref, idempotency_key=f"{order.number}-void")
        Payment.objects.filter(pk=payment.pk).update(status=result.status.value, updated_at=moment)
    with transaction.atomic():
        fields: dict[str, object] = {"cancel_reason": reason[:40] or "cancelled"}
        if refunded:
            fields["payment_state"] = PaymentState.REFUNDED
        elif payment is not None and payment.status != PaymentStatus.CAPTURED.value:
            fields["payment_state"] = PaymentState.VOIDED
        if not _status_move(order, to_status=OrderStatus.CANCELLED, now=moment, actor=actor, note=reason, **fields):
            raise TransitionNotAllowed("This order changed meanwhile; reload it.")
        _release(order, now=moment)
        _mail_after_commit(order, "cancelled")
    order.refresh_from_db()
    return order


def _gateway_refund(
    *, order: Order, payment: Payment, amount: Decimal, reason: str, now: datetime, key: str | None = None
) -> Refund:
    """Refund at the gateway, then record it. Two refunds started at once compute the same key: the gateway
    makes one refund for both, and the second recording is refused here (the unique key), never counted twice."""
    key = key or f"{order.number}-refund-{Refund.objects.filter(payment=payment).count() + 1}"
    gateway_get().refund(gateway_ref=payment.gateway_ref, amount=Money(amount, order.currency), idempotency_key=key)
    try:
        with transaction.atomic():
            refund = Refund.objects.create(
                payment=payment, amount=amount, idempotency_key=key, reason=reason[:200], created_at=now
            )
            Order.objects.filter(pk=order.pk).update(refunded=F("refunded") + amount, updated_at=now)
    except IntegrityError:
        raise RefundInvalid("Another refund of this order was just made; reload the order to see it.", status=409) from None
    order.refunded += amount
    return refund


def order_refund(*, order: Order, amount: Decimal, actor: str, reason: str = "", now: datetime | None = None) -> Order:
    """Refund part or all of a paid order. A refund of everything left moves the order to `refunded`."""
    moment = now or clock.now()
    order.refresh_from_db()
    remaining = order.total - order.refunded
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise RefundInvalid("The refund must be a positive amount in cents.")
    if amount > remaining:
        raise RefundInvalid(f"At most {remaining} {order.currency} is left to refund.")
    payment = _captured_payment(order)
    if payment is None or order.status in (OrderStatus.PLACED, OrderStatus.CANCELLED, OrderStatus.REFUNDED):
        raise RefundInvalid("Only a paid order can be refunded.")
    _gateway_refund(order=order, payment=payment, amount=amount, reason=reason, now=moment)
    with transaction.atomic():
        if order.refunded >= order.total:
            _status_move(order, to_status=OrderStatus.REFUNDED, now=moment, actor=actor, note=reason,
                         payment_state=PaymentState.REFUNDED)  # fmt: skip
            Payment.objects.filter(pk=payment.pk).update(status=PaymentStatus.REFUNDED.value, updated_at=moment)
            kind = "refunded"
        else:
            _event(order, from_status=order.status, to_status=order.status, actor=actor,
                   note=f"partial refund of {amount} {order.currency}", now=moment)  # fmt: skip
            kind = "partial_refund"
        _mail_after_commit(order, kind)
    order.refresh_from_db()
    return order


def orders_unpaid_expire(*, older_than_minutes: int = 30, now: datetime | None = None) -> int:
    """Cancel orders whose payment never completed (the shopper left after a timeout), giving back what they held.

    An order waiting for a webhook (pending) is left alone: the bank may still confirm it. An authorization the
    gateway made but never reported (a timeout nobody retried) is never captured, and lapses at the gateway.
    """
    moment = now or clock.now()
    cutoff = moment - timedelta(minutes=older_than_minutes)
    stale = Order.objects.filter(status=OrderStatus.PLACED, placed_at__lt=cutoff).filter(
        Q(payment_state=PaymentState.NONE) | Q(payment_state=PaymentState.UNKNOWN)
    )
    count = 0
    for order in stale:
        try:
            order_cancel(order=order, actor="system", reason="payment not completed", now=moment)
            count += 1
        except ApplicationError:
            continue
    return count
