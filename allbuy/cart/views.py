"""The shopper's cart pages: add to cart (from the shared product page), the cart, quantities, coupon, on to checkout.

Views are thin: parse, call one cart service or selector, render. Every refusal from a service is an
ApplicationError, shown next to what caused it with its 4xx status; an htmx request gets the updated cart region
(and the header's new item count) back, a request without JavaScript is redirected (303) to the cart page.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from allbuy.accounts.countries import country_name
from allbuy.accounts.models import User
from allbuy.cart import services
from allbuy.cart.exceptions import CartEmpty, CartLineNotFound
from allbuy.cart.models import MAX_QUANTITY_PER_LINE, Cart
from allbuy.cart.quoting import DEFAULT_COUNTRY
from allbuy.cart.selectors import CartView, LineView, cart_view
from allbuy.cart.shipping import DEFAULT_METHOD, METHODS, Method
from allbuy.core.errors import ApplicationError
from allbuy.core.http import client_status, see_other
from allbuy.core.net import client_ip
from allbuy.pricing.types import Quote
from allbuy.storefront.rendering import is_partial
from allbuy.storefront.stock import StockState, stock_state
from allbuy.storefront.visitor import CART_MESSAGE_TAG
from allbuy.tracking.models import EventKind
from allbuy.tracking.services import request_events_record

# --- presentation helpers shared with the checkout and order pages ----------------------------------------------


@dataclass(frozen=True)
class Totals:
    """The money lines of a summary (cart, checkout review, order): what `cart/_totals.html` shows."""

    currency: str
    items: Decimal  # before any discount
    deal: Decimal
    promotion: Decimal
    coupon: Decimal
    coupon_code: str
    subtotal: Decimal  # after discounts
    shipping: Decimal
    shipping_label: str
    tax: Decimal  # VAT contained in the total
    total: Decimal
    refunded: Decimal = Decimal("0")


def totals_from_quote(quote: Quote, *, coupon_code: str, shipping_label: str) -> Totals:
    return Totals(
        currency=quote.currency,
        items=quote.base_subtotal.amount,
        deal=quote.discounts.deal.amount,
        promotion=quote.discounts.promotion.amount,
        coupon=quote.discounts.coupon.amount,
        coupon_code=coupon_code if quote.coupon_applied else "",
        subtotal=quote.subtotal.amount,
        shipping=quote.shipping.amount,
        shipping_label=shipping_label,
        tax=quote.tax.amount,
        total=quote.total.amount,
    )


def shipping_label(method: Method, country: str) -> str:
    return f"{method.name} to {country_name(country)}"


@dataclass(frozen=True)
class LineRow:
    """One cart line as the page shows it, with the refusal of the shopper's last change to it, if any."""

    view: LineView
    url: str
    deal_price: Decimal | None
    deal_units: int
    stock: StockState
    error: str = ""

    @property
    def image_alt(self) -> str:
        image = self.view.image
        return (image.alt_text if image is not None else "") or self.view.product.name


def line_rows(view: CartView, errors: dict[int, str] | None = None) -> list[LineRow]:
    errors = errors or {}
    priced = view.priced
    applied = {deal.variant_id: deal.units for deal in priced.quote.applied_deals} if priced else {}
    rows = []
    for line in view.lines:
        deal = priced.deals.get(line.variant.pk) if priced is not None and line.deal_title else None
        units = applied.get(line.variant.pk, 0)
        product_url = reverse("storefront:product", args=[line.product.slug])
        rows.append(
            LineRow(
                view=line,
                url=f"{product_url}?{urlencode({'sku': line.variant.sku})}",
                deal_price=deal.deal_price if deal is not None and units else None,
                deal_units=units,
                stock=stock_state(line.stock),
                error=errors.get(line.line.pk, ""),
            )
        )
    return rows


# --- request helpers -----------------------------------------------------------------------------------------------


def _user(request: HttpRequest) -> User | None:
    user = request.user
    return user if isinstance(user, User) and user.is_authenticated else None


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


def _cart(request: HttpRequest) -> Cart | None:
    return services.cart_for_request(request, create=False)


# --- add to cart ---------------------------------------------------------------------------------------------------


@require_POST
def add(request: HttpRequest) -> HttpResponse:
    """Add the chosen variant from the product page: htmx gets a confirmation, a plain form a redirect back.

    CSRF: product pages are cached whole and shared by every visitor, so the form's token is filled into a
    per-visitor slot on every request (allbuy/storefront/visitor.py) and checked here as on any other form.
    """
    back = _safe_next(request, reverse("cart:detail"))
    try:
        quantity = services.quantity_parse(request.POST.get("quantity", "1"))
        cart = services.cart_for_request(request, create=True)
        assert cart is not None
        line = services.cart_line_add(cart=cart, variant_id=request.POST.get("variant", ""), quantity=quantity)
    except ApplicationError as error:
        status = client_status(error)
        if is_partial(request):
            return render(request, "cart/_add_result.html", {"error": error.message}, status=status)
        return render(request, "cart/add_refused.html", {"message": error.message, "back": back}, status=status)
    request_events_record(request, kind=EventKind.ADD_TO_CART, variant_ids=lambda: [line.variant_id])
    variant = line.variant
    options = " / ".join(str(value) for value in variant.attributes.values())
    name = f"{variant.product.name} ({options})" if options else variant.product.name
    confirmation = f"Added {quantity} × {name} to your cart."
    if is_partial(request):
        return render(request, "cart/_add_result.html", {"confirmation": confirmation})
    messages.success(request, confirmation, extra_tags=CART_MESSAGE_TAG)
    return see_other(back)


# --- the cart page -------------------------------------------------------------------------------------------------


def _cart_response(
    request: HttpRequest,
    *,
    status: int = 200,
    line_errors: dict[int, str] | None = None,
    coupon_error: str = "",
    coupon_typed: str = "",
    error: str = "",
) -> HttpResponse:
    view = cart_view(cart=_cart(request), user=_user(request))
    rows = line_rows(view, line_errors)
    shown = {row.view.line.pk for row in rows}
    unplaced = [message for line_id, message in (line_errors or {}).items() if line_id not in shown]
    method = METHODS[DEFAULT_METHOD]
    quote = view.priced.quote if view.priced else None
    coupon = view.coupon
    context: dict[str, Any] = {
        "view": view,
        "rows": rows,
        "currency": quote.currency if quote else "",
        "totals": totals_from_quote(
            quote, coupon_code=coupon.code if coupon else "", shipping_label=shipping_label(method, DEFAULT_COUNTRY)
        )
        if quote
        else None,
        "coupon": coupon,
        "coupon_error": coupon_error,
        "coupon_typed": coupon_typed,
        "error": error or " ".join(unplaced),
        "max_quantity": MAX_QUANTITY_PER_LINE,
        "partial": is_partial(request),
    }
    template = "cart/_cart.html" if context["partial"] else "cart/cart.html"
    return render(request, template, context, status=status)


def _after_change(request: HttpRequest, message: str = "") -> HttpResponse:
    if is_partial(request):
        return _cart_response(request)
    if message:
        messages.success(request, message)
    return see_other(reverse("cart:detail"))


def _line_not_found(request: HttpRequest, error: ApplicationError) -> HttpResponse:
    """Someone else's line, or one already gone: a 404 page (for htmx, the cart region saying so)."""
    if is_partial(request):
        return _cart_response(request, status=404, error=error.message)
    return render(request, "404.html", {"message": error.message, "status": 404}, status=404)


@never_cache
@require_safe
def detail(request: HttpRequest) -> HttpResponse:
    return _cart_response(request)


@never_cache
@require_POST
def line_update(request: HttpRequest, line_id: int) -> HttpResponse:
    """Set a line's quantity (0 removes it); a refusal is shown at that line's quantity field."""
    cart = _cart(request)
    try:
        if cart is None:
            raise CartLineNotFound("There is no such item in your cart.")
        services.cart_line_set_quantity(cart=cart, line_id=line_id, quantity=request.POST.get("quantity", ""))
    except CartLineNotFound as error:
        return _line_not_found(request, error)
    except ApplicationError as error:
        return _cart_response(request, status=client_status(error), line_errors={line_id: error.message})
    return _after_change(request, "Your cart is updated.")


@never_cache
@require_POST
def line_remove(request: HttpRequest, line_id: int) -> HttpResponse:
    cart = _cart(request)
    try:
        if cart is None:
            raise CartLineNotFound("There is no such item in your cart.")
        variant_id = services.cart_line_remove(cart=cart, line_id=line_id)
    except CartLineNotFound as error:
        return _line_not_found(request, error)
    request_events_record(request, kind=EventKind.REMOVE_FROM_CART, variant_ids=lambda: [variant_id])
    return _after_change(request, "The item is removed from your cart.")


@never_cache
@require_POST
def coupon_apply(request: HttpRequest) -> HttpResponse:
    """Check a code against the cart (failed codes count against the rate limit); refusals show at the field."""
    code = request.POST.get("code", "")
    cart = _cart(request)
    try:
        if cart is None:
            raise CartEmpty("Add something to your cart before using a code.")
        state = services.cart_coupon_apply(cart=cart, code=code, user=_user(request), ip=client_ip(request))
    except ApplicationError as error:
        response = _cart_response(
            request, status=client_status(error), coupon_error=error.message, coupon_typed=code.strip()[:40]
        )
        retry_after = error.extra.get("retry_after")
        if retry_after:
            response["Retry-After"] = str(int(retry_after))
        return response
    return _after_change(request, f"The code {state.code} is applied.")


@never_cache
@require_POST
def coupon_remove(request: HttpRequest) -> HttpResponse:
    cart = _cart(request)
    if cart is not None:
        services.cart_coupon_remove(cart=cart)
    return _after_change(request, "The code is removed.")


@require_POST
def proceed(request: HttpRequest) -> HttpResponse:
    """On to checkout: the shopper has now seen the current prices; an anonymous shopper signs in first."""
    cart = _cart(request)
    if cart is not None:
        services.cart_prices_acknowledge(cart=cart)
    checkout = reverse("orders:checkout")
    if _user(request) is None:
        return see_other(f"{reverse('account_login')}?{urlencode({'next': checkout})}")
    return see_other(checkout)
