"""Checkout, the customer's orders, and the payment provider's webhook.

Views are thin: they parse the request, call `order_place`, `order_cancel` or a selector, and render. Placing
an order is idempotent per checkout page: every render of the checkout carries a fresh key, so a double submit
sends the same key twice and finds the same order, and a retry after a gateway timeout (same key) is charged once.
The card fields go from the request to `card_parse` and the gateway only: they are never rendered back into a
page, stored or logged (`sensitive_post_parameters` keeps them out of error reports too).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_safe

from allbuy.accounts.countries import country_name
from allbuy.accounts.models import User
from allbuy.accounts.selectors import address_list_for_user
from allbuy.cart.models import Cart
from allbuy.cart.quoting import DEFAULT_COUNTRY
from allbuy.cart.selectors import cart_view
from allbuy.cart.services import cart_for_request, cart_for_user
from allbuy.cart.shipping import METHODS, ShippingCountryUnsupported, country_check
from allbuy.cart.views import Totals, line_rows, shipping_label, totals_from_quote
from allbuy.core import clock
from allbuy.core.errors import ApplicationError
from allbuy.core.http import client_status, see_other
from allbuy.core.money import money_format
from allbuy.fulfilment.selectors import order_shipments
from allbuy.orders.exceptions import OrderNotFound, PriceChanged
from allbuy.orders.forms import CARD_FIELDS, CheckoutChoice, card_from, checkout_choice, expected_total_parse
from allbuy.orders.models import Order, OrderEvent, OrderLine, OrderStatus, PaymentState
from allbuy.orders.selectors import order_for_user, order_ship_to, orders_page
from allbuy.orders.services import order_cancel, order_place, payment_webhook_apply
from allbuy.orders.states import CUSTOMER_CANCELLABLE, PROGRESS
from allbuy.payments.exceptions import CardInvalid, GatewayTimeout, GatewayUnavailable, WebhookInvalid
from allbuy.payments.gateway import gateway_get
from allbuy.storefront.rendering import is_partial
from allbuy.tracking.models import EventKind
from allbuy.tracking.services import request_events_record

logger = logging.getLogger(__name__)

View = Callable[..., HttpResponse]


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def customer_page(view: View) -> View:
    """Signed in only, never cached (personal data), and another customer's order is a plain 404."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except OrderNotFound:
            raise Http404("There is no such order in your account.") from None

    return never_cache(login_required(wrapper))


# --- checkout ------------------------------------------------------------------------------------------------------


def _review_context(*, cart: Cart | None, user: User, choice: CheckoutChoice) -> dict[str, Any]:
    """The review for the chosen address's country and shipping method: lines, coupon, totals and the total to expect."""
    ship_error = ""
    country = DEFAULT_COUNTRY
    if choice.address is not None:
        try:
            country = country_check(choice.address.country)
        except ShippingCountryUnsupported as error:
            ship_error = error.message
    view = cart_view(cart=cart, user=user, country=country, shipping_code=choice.method.code)
    quote = view.priced.quote if view.priced else None
    coupon = view.coupon
    totals = (
        totals_from_quote(quote, coupon_code=coupon.code if coupon else "", shipping_label=shipping_label(choice.method, country))
        if quote
        else None
    )
    return {
        "view": view,
        "rows": line_rows(view),
        "currency": quote.currency if quote else "",
        "coupon": coupon,
        "totals": totals,
        "ship_error": ship_error,
        "can_place": bool(totals) and not ship_error and choice.address is not None and not view.unavailable,
        "card_needed": totals is None or totals.total > 0,
    }


def _checkout_response(
    request: HttpRequest,
    *,
    cart: Cart,
    status: int = 200,
    key: str = "",
    message: str = "",
    notice: str = "",
    card_errors: dict[str, str] | None = None,
    retry_safe: bool = False,
) -> HttpResponse:
    user = _user(request)
    data = request.POST if request.method == "POST" else request.GET
    addresses = address_list_for_user(user=user)
    choice = checkout_choice(data, addresses)
    context: dict[str, Any] = {
        "addresses": addresses,
        "choice": choice,
        "methods": list(METHODS.values()),
        # A fresh key for each render of the page: a double submit of this page sends the same key twice.
        "idempotency_key": key or uuid.uuid4().hex,
        "message": message,
        "notice": notice,
        "card_errors": card_errors or {},
        "retry_safe": retry_safe,
        "test_gateway": gateway_get().code == "test",
        "address_create_url": f"{reverse('accounts:address_create')}?{urlencode({'next': reverse('orders:checkout')})}",
        **_review_context(cart=cart, user=user, choice=choice),
    }
    return render(request, "orders/checkout.html", context, status=status)


def _price_changed_notice(error: PriceChanged, *, shown: Decimal, currency: str) -> str:
    new_total = error.extra.get("total")
    if new_total is None or not currency:
        return f"{error.message} Nothing was charged."
    return (
        f"The total of your order changed from {money_format(shown, currency)} to {money_format(Decimal(new_total), currency)} "
        "since this page was shown. Nothing was charged: please check your order below and place it again."
    )


@never_cache
@login_required
@sensitive_post_parameters(*CARD_FIELDS)
@require_http_methods(["GET", "HEAD", "POST"])
def checkout(request: HttpRequest) -> HttpResponse:
    """GET shows the checkout; POST with `update` shows it for another address or method, else places the order."""
    user = _user(request)
    if request.method != "POST":
        found = cart_for_request(request, create=False)
        if found is None or not found.lines.exists():
            messages.info(request, "Your cart is empty: add something before checking out.")
            return see_other(reverse("cart:detail"))
        return _checkout_response(request, cart=found)
    cart = cart_for_user(user=user)
    if "update" in request.POST:
        return _checkout_response(request, cart=cart)
    return _place(request, user=user, cart=cart)


def _place(request: HttpRequest, *, user: User, cart: Cart) -> HttpResponse:
    data = request.POST
    key = data.get("idempotency_key", "")
    now = clock.now()
    try:
        card = card_from(data, now=now)
        expected = expected_total_parse(data.get("expected_total"))
    except CardInvalid as error:
        field = str(error.extra.get("field", "number"))
        return _checkout_response(request, cart=cart, status=400, card_errors={field: error.message})
    except ApplicationError as error:
        return _checkout_response(request, cart=cart, status=client_status(error), message=error.message)
    if card is None and expected > 0:
        return _checkout_response(request, cart=cart, status=400, card_errors={"number": "Enter the number of your card."})
    try:
        placement = order_place(
            user=user,
            cart=cart,
            address_id=data.get("address", ""),
            shipping_code=str(data.get("shipping", "")),
            idempotency_key=key,
            card=card,
            expected_total=expected,
            now=now,
        )
    except PriceChanged as error:
        notice = _price_changed_notice(error, shown=expected, currency=cart.currency)
        return _checkout_response(request, cart=cart, status=error.status, notice=notice)
    except (GatewayTimeout, GatewayUnavailable) as error:
        # The order (if any) waits under this key: the page keeps it, so placing again is the same charge.
        return _checkout_response(request, cart=cart, status=error.status, key=key, message=error.message, retry_safe=True)
    except ApplicationError as error:
        return _checkout_response(request, cart=cart, status=client_status(error), message=error.message)
    order = placement.order
    if placement.declined:
        return _checkout_response(request, cart=cart, status=402, card_errors={"number": placement.decline_message})
    request_events_record(
        request,
        kind=EventKind.PURCHASE,
        variant_ids=lambda: OrderLine.objects.filter(order=order).values_list("variant_id", flat=True),
    )
    if order.payment_state == PaymentState.PENDING:
        messages.info(
            request,
            f"Thank you! Order {order.number} is placed. We’re waiting for your bank to confirm the payment, "
            "and will email you as soon as it does.",
        )
    elif order.status == OrderStatus.PAID:
        messages.success(request, f"Thank you! Order {order.number} is confirmed and paid. We’ve emailed you the details.")
    return see_other(reverse("orders:detail", args=[order.number]))


@never_cache
@login_required
@require_safe
def checkout_review(request: HttpRequest) -> HttpResponse:
    """The review for another address or shipping method (htmx); without htmx, the whole checkout for that choice."""
    if not is_partial(request):
        query = urlencode({name: request.GET.get(name, "") for name in ("address", "shipping")})
        return see_other(f"{reverse('orders:checkout')}?{query}")
    user = _user(request)
    cart = cart_for_request(request, create=False)
    choice = checkout_choice(request.GET, address_list_for_user(user=user))
    return render(request, "orders/_checkout_review.html", _review_context(cart=cart, user=user, choice=choice))


# --- orders --------------------------------------------------------------------------------------------------------


def _item_summary(order: Order) -> str:
    lines = list(order.lines.all())
    shown = ", ".join(f"{line.quantity} × {line.product_name}" for line in lines[:3])
    return f"{shown} and {len(lines) - 3} more" if len(lines) > 3 else shown


@customer_page
@require_safe
def order_list(request: HttpRequest) -> HttpResponse:
    raw = request.GET.get("page", "1")
    number = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 6 else 1
    page = orders_page(user=_user(request), page=number)
    rows = [(order, _item_summary(order)) for order in page.object_list]
    return render(request, "orders/list.html", {"page": page, "rows": rows, "shop_tz": settings.ALLBUY_TIMEZONE})


@dataclass(frozen=True)
class Step:
    label: str
    done: bool
    current: bool


def _progress(order: Order) -> list[Step]:
    """The progress steps up to where the order got (a cancelled order shows how far it had come)."""
    statuses = [str(status) for status in PROGRESS]
    reached = [statuses.index(event.to_status) for event in order.events.all() if event.to_status in statuses]
    if order.status in statuses:
        reached.append(statuses.index(order.status))
    last = max(reached, default=0)
    stopped = order.status not in statuses
    return [
        Step(label=OrderStatus(status).label, done=index <= last, current=index == last and not stopped)
        for index, status in enumerate(statuses)
    ]


def _payment_text(order: Order) -> str:
    if order.payment_state == PaymentState.PENDING:
        return "Waiting for your bank to confirm the payment."
    if order.payment_state == PaymentState.UNKNOWN:
        return "Waiting for the payment provider to answer."
    payments = list(order.payments.all())
    brand = payments[-1].card_brand if payments else ""
    if order.payment_state == PaymentState.CAPTURED:
        return f"Paid{' by ' + brand.capitalize() if brand and brand != 'card' else ''}."
    if order.payment_state == PaymentState.DECLINED:
        return "The card was declined; nothing was charged."
    if order.payment_state == PaymentState.VOIDED:
        return "The payment was released; nothing was charged."
    return "No payment yet." if order.total > 0 else "Nothing to pay."


def _event_label(event: OrderEvent) -> str:
    if event.from_status == event.to_status:
        return "Updated"
    return OrderStatus(event.to_status).label if event.to_status in OrderStatus.values else event.to_status


def _order_totals(order: Order) -> Totals:
    method = METHODS.get(order.shipping_method)
    return Totals(
        currency=order.currency,
        items=order.base_subtotal,
        deal=order.deal_discount,
        promotion=order.promotion_discount,
        coupon=order.coupon_discount,
        coupon_code=order.coupon_code,
        subtotal=order.subtotal,
        shipping=order.shipping,
        shipping_label=method.name if method else order.shipping_method,
        tax=order.tax,
        total=order.total,
        refunded=order.refunded,
    )


def _detail_response(request: HttpRequest, order: Order, *, status: int = 200, error: str = "") -> HttpResponse:
    user = _user(request)
    ship_to = order_ship_to(order=order, user=user)
    context = {
        "order": order,
        "lines": [(line, line.deal_discount + line.promotion_discount + line.coupon_discount) for line in order.lines.all()],
        "events": [(event, _event_label(event)) for event in order.events.all()],
        "steps": _progress(order),
        "stopped": order.status not in PROGRESS,
        "payment_text": _payment_text(order),
        "totals": _order_totals(order),
        "ship_to": ship_to,
        "ship_country": country_name(ship_to.get("country", "")),
        "cancellable": order.status in CUSTOMER_CANCELLABLE,
        "shipments": order_shipments(order),
        "error": error,
        "shop_tz": settings.ALLBUY_TIMEZONE,
    }
    return render(request, "orders/detail.html", context, status=status)


@customer_page
@require_safe
def order_detail(request: HttpRequest, number: str) -> HttpResponse:
    return _detail_response(request, order_for_user(user=_user(request), number=number))


@customer_page
@require_http_methods(["GET", "HEAD", "POST"])
def order_cancel_view(request: HttpRequest, number: str) -> HttpResponse:
    """GET asks to confirm; POST cancels (the payment is refunded or released, stock and coupon given back)."""
    user = _user(request)
    order = order_for_user(user=user, number=number)
    if order.status not in CUSTOMER_CANCELLABLE:
        message = "This order can no longer be cancelled here; contact us to return it instead."
        return _detail_response(request, order, status=409, error=message)
    if request.method != "POST":
        return render(request, "orders/cancel_confirm.html", {"order": order})
    was_paid = order.payment_state == PaymentState.CAPTURED
    try:
        order_cancel(order=order, actor="customer", reason="cancelled by the customer", by_customer=True)
    except ApplicationError as error:
        fresh = order_for_user(user=user, number=number)
        return _detail_response(request, fresh, status=client_status(error), error=error.message)
    money = money_format(order.total, order.currency)
    refund = f" {money} is refunded to your card." if was_paid else " Nothing was charged."
    messages.success(request, f"Order {order.number} is cancelled.{refund}")
    return see_other(reverse("orders:detail", args=[order.number]))


# --- the payment provider's webhook --------------------------------------------------------------------------------


@csrf_exempt
def payment_webhook(request: HttpRequest) -> HttpResponse:
    """Apply a signed event from the payment provider once: 200 {"result"}, or 4xx {"message", "code"}."""
    if request.method != "POST":
        response = JsonResponse({"message": "Only POST is allowed here.", "code": "method_not_allowed"}, status=405)
        response["Allow"] = "POST"
        return response
    try:
        result = payment_webhook_apply(body=request.body, headers=dict(request.headers))
    except WebhookInvalid as error:
        logger.warning("payment webhook refused: %s", error.code)
        return JsonResponse({"message": error.message, "code": error.code}, status=400)
    except ApplicationError as error:
        logger.warning("payment webhook not applied: %s", error.code)
        return JsonResponse({"message": error.message, "code": error.code}, status=error.status)
    return JsonResponse({"result": result})
