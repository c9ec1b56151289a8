"""Writes to carts. Every function validates its input and raises an ApplicationError with a stable code.

Quantity rules: a line holds 1 to MAX_QUANTITY_PER_LINE units and never more than the variant has in stock
when it is added or changed; a cart holds at most MAX_LINES lines, all in one currency. Stock is only
*reserved* when an order is placed (orders app); a cart never holds stock.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from django.db import IntegrityError, transaction
from django.http import HttpRequest

from allbuy.accounts.models import User
from allbuy.cart.exceptions import (
    CartEmpty,
    CartFull,
    CartLineNotFound,
    CurrencyMismatch,
    OutOfStock,
    ProductUnavailable,
    QuantityInvalid,
    QuantityLimit,
)
from allbuy.cart.models import MAX_LINES, MAX_QUANTITY_PER_LINE, Cart, CartLine
from allbuy.cart.quoting import CouponState, LineInput, cart_price
from allbuy.cart.selectors import cart_lines
from allbuy.catalog.models import Variant
from allbuy.core import clock
from allbuy.coupons.eligibility import MESSAGES, Reason
from allbuy.coupons.exceptions import CouponError
from allbuy.coupons.ratelimit import FAILED_REASONS, coupon_attempt_check, coupon_attempt_record_failure

SESSION_KEY = "cart_id"


def quantity_parse(raw: object, *, allow_zero: bool = False) -> int:
    """Return a whole quantity from form or JSON input, or raise with a clear message (no 500 on '1e9', '-1', '')."""
    if isinstance(raw, bool):
        raise QuantityInvalid("The quantity must be a whole number.")
    if isinstance(raw, int):
        value = raw
    else:
        text = str(raw).strip()
        if not (text.isascii() and text.isdigit()) or len(text) > 6:
            raise QuantityInvalid("The quantity must be a whole number.")
        value = int(text)
    lowest = 0 if allow_zero else 1
    if value < lowest:
        raise QuantityInvalid(f"The quantity must be at least {lowest}.")
    if value > MAX_QUANTITY_PER_LINE:
        raise QuantityLimit(f"You can buy at most {MAX_QUANTITY_PER_LINE} of one item per order.")
    return value


def cart_create(*, user: User | None = None, now: datetime | None = None) -> Cart:
    moment = now or clock.now()
    return Cart.objects.create(user=user, created_at=moment, updated_at=moment)


def cart_for_user(*, user: User, now: datetime | None = None) -> Cart:
    """Return the account's cart, creating it (safely under parallel requests) when it has none."""
    cart = Cart.objects.filter(user=user).first()
    if cart is not None:
        return cart
    try:
        with transaction.atomic():
            return cart_create(user=user, now=now)
    except IntegrityError:
        return Cart.objects.get(user=user)


def _session_cart_id(request: HttpRequest) -> uuid.UUID | None:
    raw = request.session.get(SESSION_KEY)
    try:
        return uuid.UUID(str(raw)) if raw else None
    except ValueError:
        return None


def cart_for_request(request: HttpRequest, *, create: bool) -> Cart | None:
    """Return the visitor's cart: the account's when signed in, else the one the session points at."""
    user = request.user
    if user.is_authenticated:
        assert isinstance(user, User)
        if create:
            return cart_for_user(user=user)
        return Cart.objects.filter(user=user).first()
    cart_id = _session_cart_id(request)
    cart = Cart.objects.filter(pk=cart_id, user__isnull=True).first() if cart_id else None
    if cart is None and create:
        cart = cart_create()
        request.session[SESSION_KEY] = str(cart.pk)
    return cart


def _variant_for_sale(variant_id: object) -> Variant:
    try:
        pk = int(str(variant_id))
    except ValueError:
        raise ProductUnavailable("There is no such product.") from None
    variant = Variant.objects.select_related("product").filter(pk=pk).first()
    if variant is None or not variant.product.is_active:
        raise ProductUnavailable("This product is not for sale.")
    return variant


def _stock_check(variant: Variant, quantity: int) -> None:
    if variant.stock_quantity <= 0:
        raise OutOfStock("Sorry, this item is out of stock.", extra={"variant_id": variant.pk, "available": 0})
    if quantity > variant.stock_quantity:
        raise OutOfStock(
            f"Only {variant.stock_quantity} left in stock.", extra={"variant_id": variant.pk, "available": variant.stock_quantity}
        )


def _touch(cart: Cart, moment: datetime, **fields: object) -> None:
    Cart.objects.filter(pk=cart.pk).update(updated_at=moment, **fields)
    cart.updated_at = moment
    for name, value in fields.items():
        setattr(cart, name, value)


@transaction.atomic
def cart_line_add(*, cart: Cart, variant_id: object, quantity: object = 1, now: datetime | None = None) -> CartLine:
    """Add units of a variant (or more of a line already there), within the quantity, stock and currency rules."""
    moment = now or clock.now()
    amount = quantity_parse(quantity)
    variant = _variant_for_sale(variant_id)
    locked = Cart.objects.select_for_update().get(pk=cart.pk)
    if locked.currency and locked.currency != variant.currency:
        raise CurrencyMismatch(f"Your cart is in {locked.currency}; this item is priced in {variant.currency}.")
    line = CartLine.objects.filter(cart=locked, variant=variant).first()
    total = amount + (line.quantity if line else 0)
    if total > MAX_QUANTITY_PER_LINE:
        raise QuantityLimit(f"You can buy at most {MAX_QUANTITY_PER_LINE} of one item per order.")
    _stock_check(variant, total)
    if line is None:
        if CartLine.objects.filter(cart=locked).count() >= MAX_LINES:
            raise CartFull(f"A cart holds at most {MAX_LINES} different items.")
        line = CartLine.objects.create(cart=locked, variant=variant, quantity=total, price_seen=variant.price, added_at=moment)
    else:
        line.quantity = total
        line.save(update_fields=["quantity"])
    _touch(cart, moment, currency=variant.currency)
    return line


def _own_line(cart: Cart, line_id: object) -> CartLine:
    try:
        pk = int(str(line_id))
    except ValueError:
        raise CartLineNotFound("There is no such item in your cart.") from None
    line = CartLine.objects.select_related("variant__product").filter(cart=cart, pk=pk).first()
    if line is None:
        raise CartLineNotFound("There is no such item in your cart.")
    return line


@transaction.atomic
def cart_line_set_quantity(*, cart: Cart, line_id: object, quantity: object, now: datetime | None = None) -> CartLine | None:
    """Set a line's quantity; 0 removes it (returns None)."""
    amount = quantity_parse(quantity, allow_zero=True)
    line = _own_line(cart, line_id)
    if amount == 0:
        cart_line_remove(cart=cart, line_id=line.pk, now=now)
        return None
    if amount > line.quantity:
        _stock_check(line.variant, amount)
    line.quantity = amount
    line.save(update_fields=["quantity"])
    _touch(cart, now or clock.now())
    return line


@transaction.atomic
def cart_line_remove(*, cart: Cart, line_id: object, now: datetime | None = None) -> int:
    """Remove a line; return the id of the variant it held."""
    line = _own_line(cart, line_id)
    variant_id = line.variant_id
    line.delete()
    fields: dict[str, object] = {}
    if not CartLine.objects.filter(cart=cart).exists():
        fields = {"currency": "", "coupon_code": ""}
    _touch(cart, now or clock.now(), **fields)
    return variant_id


def cart_prices_acknowledge(*, cart: Cart) -> None:
    """The shopper has seen the current prices: the stale-price notice goes away until the next change."""
    for line in CartLine.objects.filter(cart=cart).select_related("variant"):
        if line.price_seen != line.variant.price:
            CartLine.objects.filter(pk=line.pk).update(price_seen=line.variant.price)


def cart_coupon_set(*, cart: Cart, code: str, now: datetime | None = None) -> None:
    _touch(cart, now or clock.now(), coupon_code=code.strip()[:40])


def cart_clear(*, cart: Cart, now: datetime | None = None) -> None:
    CartLine.objects.filter(cart=cart).delete()
    _touch(cart, now or clock.now(), currency="", coupon_code="", checkout_order="")


@transaction.atomic
def cart_merge(*, source: Cart, target: Cart, now: datetime | None = None) -> Cart:
    """Move the visitor's anonymous cart into the account's at sign-in; quantities add up, capped by the limits.

    A line that would break a rule (currency, line count) stays behind and is dropped with the anonymous cart:
    the account's cart wins. The anonymous cart is deleted.
    """
    moment = now or clock.now()
    if source.pk == target.pk:
        return target
    locked = Cart.objects.select_for_update().get(pk=target.pk)
    existing = {line.variant_id: line for line in CartLine.objects.filter(cart=locked)}
    count = len(existing)
    currency = locked.currency
    for line in CartLine.objects.filter(cart=source).select_related("variant"):
        if currency and line.variant.currency != currency:
            continue
        mine = existing.get(line.variant_id)
        if mine is not None:
            mine.quantity = min(MAX_QUANTITY_PER_LINE, mine.quantity + line.quantity)
            mine.save(update_fields=["quantity"])
        elif count < MAX_LINES:
            CartLine.objects.create(
                cart=locked, variant=line.variant, quantity=line.quantity, price_seen=line.price_seen, added_at=line.added_at
            )
            count += 1
        currency = currency or line.variant.currency
    coupon_code = locked.coupon_code or source.coupon_code
    source.delete()
    _touch(target, moment, currency=currency, coupon_code=coupon_code)
    return target


def cart_coupon_apply(*, cart: Cart, code: str, user: User | None, ip: str, now: datetime | None = None) -> CouponState:
    """Check the code against this cart now and keep it on the cart if it applies; else raise why it does not.

    Failed attempts count against the per-account and per-IP limits (`allbuy.coupons.ratelimit`), so codes
    cannot be guessed by trying them; a refused code is not kept on the cart.
    """
    moment = now or clock.now()
    typed = (code or "").strip()
    user_id = user.pk if user is not None else None
    coupon_attempt_check(user_id=user_id, ip=ip, now=moment)
    if not typed or len(typed) > 40:
        coupon_attempt_record_failure(user_id=user_id, ip=ip, now=moment)
        raise CouponError(MESSAGES[Reason.UNKNOWN], code=Reason.UNKNOWN.value)
    rows = cart_lines(cart)
    if not rows:
        raise CartEmpty("Add something to your cart before using a code.")
    priced = cart_price(
        lines=[LineInput(line_id=row.pk, variant=row.variant, quantity=row.quantity) for row in rows],
        now=moment,
        user=user,
        coupon_code=typed,
    )
    state = priced.coupon
    assert state is not None
    if not state.applied:
        assert state.reason is not None
        if state.reason in FAILED_REASONS:  # a refusal about the cart names a real code: nothing was guessed
            coupon_attempt_record_failure(user_id=user_id, ip=ip, now=moment)
        raise CouponError(state.message, code=state.reason.value, status=404 if state.reason == Reason.UNKNOWN else 409)
    cart_coupon_set(cart=cart, code=state.code, now=moment)
    return state


def cart_coupon_remove(*, cart: Cart, now: datetime | None = None) -> None:
    cart_coupon_set(cart=cart, code="", now=now)


def carts_anonymous_purge(*, older_than: datetime) -> int:
    """Delete anonymous carts last changed before `older_than`; account carts stay. Return how many went."""
    stale = Cart.objects.filter(user__isnull=True, updated_at__lt=older_than)
    count = stale.count()
    stale.delete()
    return count
