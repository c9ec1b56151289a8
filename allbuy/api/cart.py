"""Cart endpoints: create a cart, read it priced for a destination, change its lines, apply a coupon code.

Who may reach a cart
    An *anonymous* cart (made by `POST /api/carts` without a session) belongs to whoever holds its id: a
    random UUID that is the cart's bearer secret, so keep it as you would a token. An *account's* cart is
    reachable only by its signed-in owner. Anyone else, signed in or not, gets the same 404 as for an id
    that does not exist (never a 403), so an id tells nothing about whose it is; a malformed id is a 404 too.

CSRF
    A request that changes an anonymous cart carries its authority in the URL, not in a cookie: a page on
    another site cannot learn the id, so it cannot forge such a request, and no CSRF token is needed. A
    request made with a session cookie is another matter: the browser attaches the cookie to whatever
    request a foreign page makes, so `session_optional` (see `allbuy.api.routing`) checks the CSRF token of
    every signed-in POST, PUT, PATCH and DELETE here, whichever cart it names, exactly as ninja's
    `django_auth` would. Nothing here is made CSRF-exempt.

Every rule (quantities, stock, one currency per cart, coupon eligibility and its rate limit) is the cart
services' own, so the API refuses exactly what the pages refuse, with the same codes.
"""

from __future__ import annotations

import uuid

from django.http import HttpRequest
from ninja import Query, Router, Status

from allbuy.accounts.models import User
from allbuy.api.commerce_schemas import CartLineIn, CartLineQuantityIn, CartOut, CouponIn
from allbuy.api.routing import SESSION_OPTIONAL_OPENAPI, session_optional
from allbuy.api.schemas import ErrorOut
from allbuy.cart.exceptions import CartNotFound
from allbuy.cart.models import Cart
from allbuy.cart.quoting import DEFAULT_COUNTRY
from allbuy.cart.selectors import cart_view
from allbuy.cart.services import (
    cart_coupon_apply,
    cart_coupon_remove,
    cart_create,
    cart_for_request,
    cart_for_user,
    cart_line_add,
    cart_line_remove,
    cart_line_set_quantity,
)
from allbuy.cart.shipping import DEFAULT_METHOD, country_check, method_get
from allbuy.core.errors import InvalidInput
from allbuy.core.net import client_ip

router = Router(tags=["carts"], auth=session_optional)

ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}
CHANGE_ERRORS = {**ERRORS, 409: ErrorOut}
OPENAPI = SESSION_OPTIONAL_OPENAPI


def caller(request: HttpRequest) -> User | None:
    """The signed-in user making the request, or None."""
    user = request.user
    return user if isinstance(user, User) and user.is_authenticated else None


def cart_reachable(*, cart_id: object, user: User | None) -> Cart:
    """Return the cart if this caller may use it: an anonymous cart by its id, an account's cart by its owner only."""
    try:
        pk = uuid.UUID(str(cart_id))
    except ValueError:
        raise CartNotFound("There is no such cart.") from None
    cart = Cart.objects.filter(pk=pk).first()
    if cart is None or (cart.user_id is not None and (user is None or cart.user_id != user.pk)):
        raise CartNotFound("There is no such cart.")
    return cart


def params_only(request: HttpRequest, allowed: set[str]) -> None:
    """Refuse query parameters the endpoint does not know, as the catalog endpoints do."""
    unknown = sorted(set(request.GET) - allowed)
    if unknown:
        raise InvalidInput(
            f"Unknown parameter: {', '.join(unknown)[:100]}.", code="unknown_parameter", extra={"allowed": sorted(allowed)}
        )


def _cart_out(cart: Cart, user: User | None, *, country: str = DEFAULT_COUNTRY, shipping: str = DEFAULT_METHOD) -> CartOut:
    return CartOut.from_view(cart_view(cart=cart, user=user, country=country, shipping_code=shipping))


@router.post("/carts", response={200: CartOut, 201: CartOut, 403: ErrorOut}, summary="Create a cart", openapi_extra=OPENAPI)
def cart_create_post(request: HttpRequest) -> Status:
    """Without a session: a new, empty anonymous cart (201); keep its `id`, it is the key to the cart.

    Signed in: the account's own cart, 201 when it is new, 200 when it already existed.
    """
    user = caller(request)
    if user is None:
        return Status(201, _cart_out(cart_create(), None))
    existing = cart_for_request(request, create=False)
    cart = existing or cart_for_user(user=user)
    return Status(200 if existing else 201, _cart_out(cart, user))


@router.get(
    "/carts/{cart_id}",
    response={200: CartOut, 400: ErrorOut, 404: ErrorOut},
    summary="Get a cart with its quote",
    openapi_extra=OPENAPI,
)
def cart_get(
    request: HttpRequest,
    cart_id: str,
    country: str = Query(DEFAULT_COUNTRY, pattern=r"^[A-Za-z]{2}$", description="Destination country (ISO 3166 alpha-2)."),
    shipping: str = Query(DEFAULT_METHOD, max_length=20, description="Shipping method code: 'standard' or 'express'."),
) -> CartOut:
    """The lines at today's prices and stock, and the quote for shipping `shipping` to `country`."""
    params_only(request, {"country", "shipping"})
    user = caller(request)
    cart = cart_reachable(cart_id=cart_id, user=user)
    destination = country_check(country)
    method = method_get(shipping)
    return _cart_out(cart, user, country=destination, shipping=method.code)


@router.post("/carts/{cart_id}/lines", response={201: CartOut, **CHANGE_ERRORS}, summary="Add an item", openapi_extra=OPENAPI)
def cart_line_post(request: HttpRequest, cart_id: str, payload: CartLineIn) -> Status:
    """Add units of a variant; adding a variant already in the cart adds to its line. Answers with the cart."""
    user = caller(request)
    cart = cart_reachable(cart_id=cart_id, user=user)
    cart_line_add(cart=cart, variant_id=payload.variant_id, quantity=payload.quantity)
    return Status(201, _cart_out(cart, user))


@router.patch(
    "/carts/{cart_id}/lines/{line_id}",
    response={200: CartOut, **CHANGE_ERRORS},
    summary="Change an item's quantity",
    openapi_extra=OPENAPI,
)
def cart_line_patch(request: HttpRequest, cart_id: str, line_id: str, payload: CartLineQuantityIn) -> CartOut:
    """Set the line's quantity; 0 removes the line. Answers with the cart."""
    user = caller(request)
    cart = cart_reachable(cart_id=cart_id, user=user)
    cart_line_set_quantity(cart=cart, line_id=line_id, quantity=payload.quantity)
    return _cart_out(cart, user)


@router.delete(
    "/carts/{cart_id}/lines/{line_id}", response={204: None, **ERRORS}, summary="Remove an item", openapi_extra=OPENAPI
)
def cart_line_delete(request: HttpRequest, cart_id: str, line_id: str) -> Status:
    cart = cart_reachable(cart_id=cart_id, user=caller(request))
    cart_line_remove(cart=cart, line_id=line_id)
    return Status(204, None)


@router.put(
    "/carts/{cart_id}/coupon",
    response={200: CartOut, **CHANGE_ERRORS, 429: ErrorOut},
    summary="Apply a coupon code",
    openapi_extra=OPENAPI,
)
def cart_coupon_put(request: HttpRequest, cart_id: str, payload: CouponIn) -> CartOut:
    """Check the code against the cart now and keep it if it applies.

    A code that does not apply is refused with its reason as the `code`: 404 `unknown`, or 409 (e.g.
    `expired`, `minimum_not_met`, `cap_reached`). Codes that do not work count against a limit per
    account and per address; past it, 429 `coupon_rate_limited` with a Retry-After header (seconds).
    """
    user = caller(request)
    cart = cart_reachable(cart_id=cart_id, user=user)
    cart_coupon_apply(cart=cart, code=payload.code, user=user, ip=client_ip(request))
    return _cart_out(cart, user)


@router.delete(
    "/carts/{cart_id}/coupon", response={200: CartOut, **ERRORS}, summary="Remove the coupon code", openapi_extra=OPENAPI
)
def cart_coupon_delete(request: HttpRequest, cart_id: str) -> CartOut:
    user = caller(request)
    cart = cart_reachable(cart_id=cart_id, user=user)
    cart_coupon_remove(cart=cart)
    return _cart_out(cart, user)
