"""The signed-in customer's orders: history, one order, and cancelling one.

Signed-in callers only (the session cookie; 401 `not_authenticated` otherwise), and the cancel POST needs
the CSRF token (see `allbuy.api.routing`). Someone else's order is a 404, like one that does not exist.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router

from allbuy.accounts.models import User
from allbuy.api.cart import params_only
from allbuy.api.commerce_schemas import OrderDetailOut, OrderListOut, OrderOut
from allbuy.api.routing import session_required
from allbuy.api.schemas import ErrorOut
from allbuy.fulfilment.selectors import order_shipments
from allbuy.orders.selectors import order_for_user, order_ship_to, orders_page
from allbuy.orders.services import order_cancel

router = Router(tags=["orders"], auth=session_required)

MAX_LIMIT = 50
MAX_OFFSET = 10_000
ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut}


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # session_required let only signed-in users through
    return user


@router.get("/orders", response={200: OrderListOut, **ERRORS}, summary="List your orders")
def orders_get(
    request: HttpRequest,
    limit: int = Query(20, ge=1, le=MAX_LIMIT, description=f"Orders per answer, 1 to {MAX_LIMIT}."),
    offset: int = Query(0, ge=0, le=MAX_OFFSET, description="How many of the newest orders to skip."),
) -> OrderListOut:
    """Your orders, newest first, with their lines."""
    params_only(request, {"limit", "offset"})
    # The history selector's queryset (own orders, newest first, lines prefetched), sliced by limit/offset
    # instead of its fixed pages: one count, one query for the orders, one for their lines.
    paginator = orders_page(user=_user(request)).paginator
    orders = list(paginator.object_list[offset : offset + limit])
    return OrderListOut(items=[OrderOut.from_order(order) for order in orders], total=paginator.count, limit=limit, offset=offset)


@router.get("/orders/{number}", response={200: OrderDetailOut, **ERRORS}, summary="Get one of your orders")
def order_get(request: HttpRequest, number: str) -> OrderDetailOut:
    """The order with its lines, its status history, the address it goes to and its shipments (one per seller)."""
    user = _user(request)
    order = order_for_user(user=user, number=number)
    return OrderDetailOut.from_order_with(order, ship_to=order_ship_to(order=order, user=user), shipments=order_shipments(order))


@router.post(
    "/orders/{number}/cancel",
    response={200: OrderOut, **ERRORS, 403: ErrorOut, 409: ErrorOut, 503: ErrorOut, 504: ErrorOut},
    summary="Cancel one of your orders",
)
def order_cancel_post(request: HttpRequest, number: str) -> OrderOut:
    """Cancel an order that is not being packed yet (409 `transition_not_allowed` otherwise).

    The payment is refunded or voided, and the stock, deal units and coupon go back.
    """
    order = order_for_user(user=_user(request), number=number)
    cancelled = order_cancel(order=order, actor="customer", reason="cancelled by the customer", by_customer=True)
    return OrderOut.from_order(cancelled)
