"""The merchant portal (`/merchant/`): a merchant's staff fulfil their own shipments, and owners see sales and stock.

Access: signed in, with a `MerchantStaff` row; anyone else signed in gets a 403 page, anonymous visitors the
sign-in page. Someone who works for several merchants picks one with the switcher (kept in the session; the
first by name otherwise). Packers see and act on shipments; owners also see sales and manage products.

Everything is scoped to the chosen merchant: another merchant's shipment or product is a plain 404, like an
unknown id. The recipient's name, address and phone are read only on the shipment page and its packing slip,
through `shipment_ship_to` under the merchant's grant — each render is one logged read — and never in lists.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from allbuy.accounts.countries import country_name
from allbuy.core import clock
from allbuy.core.errors import ApplicationError, InvalidInput, NotFound
from allbuy.core.http import see_other
from allbuy.fulfilment.models import Merchant, MerchantStaff, Shipment, ShipmentStatus, StaffRole
from allbuy.fulfilment.portal_forms import ProductStockForm, ShipmentFilterForm
from allbuy.fulfilment.selectors import (
    merchant_memberships,
    merchant_product_get,
    merchant_products_page,
    merchant_sales,
    merchant_shipment_get,
    merchant_shipments_page,
)
from allbuy.fulfilment.services import (
    MERCHANT_MOVES,
    TransitionRefused,
    merchant_actor,
    merchant_product_update,
    shipment_move,
    shipment_ship_to,
    shipment_ship_to_state,
)
from allbuy.storefront.errors import application_error_response

SESSION_KEY = "merchant_portal_slug"
MOVE_BUTTONS = {ShipmentStatus.PACKED: "Mark packed", ShipmentStatus.HANDED_OVER: "Handed to carrier"}

View = Callable[..., HttpResponse]


@dataclass(frozen=True)
class Portal:
    """Who is working in the portal: the chosen membership and all of the user's memberships."""

    membership: MerchantStaff
    memberships: list[MerchantStaff]

    @property
    def merchant(self) -> Merchant:
        return self.membership.merchant

    @property
    def is_owner(self) -> bool:
        return self.membership.role == StaffRole.OWNER


def _forbidden(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "merchant/forbidden.html", {"message": message}, status=403)


def _portal_for(request: HttpRequest) -> Portal | None:
    memberships = merchant_memberships(user_id=int(request.user.pk or 0))
    if not memberships:
        return None
    wanted = request.session.get(SESSION_KEY)
    chosen = next((m for m in memberships if m.merchant.slug == wanted), memberships[0])
    return Portal(membership=chosen, memberships=memberships)


def merchant_page(*, owners_only: bool = False) -> Callable[[View], View]:
    """Signed in, staff of a merchant (an owner if `owners_only`), never cached; domain errors as their pages."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            portal = _portal_for(request)
            if portal is None:
                return _forbidden(request, "The merchant portal is for the staff of AllBuy's merchants.")
            if owners_only and not portal.is_owner:
                return _forbidden(request, "Only the owners of a merchant see this page.")
            try:
                return view(request, portal, *args, **kwargs)
            except ApplicationError as error:
                return application_error_response(request, error)

        return never_cache(login_required(wrapper))

    return decorate


def _context(portal: Portal, **extra: Any) -> dict[str, Any]:
    return {"portal": portal, "merchant": portal.merchant, "shop_tz": settings.ALLBUY_TIMEZONE, **extra}


# --- shipments -------------------------------------------------------------------------------------------------


@merchant_page()
@require_safe
def shipment_list(request: HttpRequest, portal: Portal) -> HttpResponse:
    """The merchant's shipments to fulfil: ready and packed first; never the customer's personal data."""
    form = ShipmentFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        raise InvalidInput("There is no such shipment status to filter by.", code="status_invalid")
    status = form.cleaned_data.get("status", "") if form.is_bound else ""
    page = merchant_shipments_page(merchant=portal.merchant, status=status, page=request.GET.get("page", "1"))
    return render(request, "merchant/shipments.html", _context(portal, page=page, form=form, status=status))


def _ship_to_context(shipment: Shipment, portal: Portal) -> dict[str, Any]:
    """The ship-to block: read under the merchant's grant (one logged read), or withheld with the reason."""
    actor = merchant_actor(portal.merchant)
    now = clock.now()
    state = shipment_ship_to_state(shipment=shipment, actor=actor, now=now)
    if not state.valid:
        return {"ship_to": None, "withheld_reason": state.reason}
    ship_to = shipment_ship_to(shipment=shipment, actor=actor, now=now)
    return {"ship_to": ship_to, "ship_country": country_name(ship_to.get("country", "")), "withheld_reason": ""}


def _status_label(status: str) -> str:
    return ShipmentStatus(status).label if status in ShipmentStatus.values else status


def _moves(shipment: Shipment) -> list[tuple[str, str]]:
    allowed = MERCHANT_MOVES.get(shipment.status, frozenset())
    return [(str(to), label) for to, label in MOVE_BUTTONS.items() if to in allowed]


def _detail_response(
    request: HttpRequest, portal: Portal, shipment: Shipment, *, status: int = 200, error: str = ""
) -> HttpResponse:
    context = _context(
        portal,
        shipment=shipment,
        lines=[line.order_line for line in shipment.lines.all()],
        events=[(event, _status_label(event.to_status)) for event in shipment.events.all()],
        moves=_moves(shipment),
        error=error,
        **_ship_to_context(shipment, portal),
    )
    return render(request, "merchant/shipment_detail.html", context, status=status)


@merchant_page()
@require_safe
def shipment_detail(request: HttpRequest, portal: Portal, public_id: str) -> HttpResponse:
    shipment = merchant_shipment_get(merchant=portal.merchant, public_id=public_id)
    return _detail_response(request, portal, shipment)


@merchant_page()
@require_safe
def shipment_slip(request: HttpRequest, portal: Portal, public_id: str) -> HttpResponse:
    """The printable packing slip: this merchant's items and the ship-to block (or why it is withheld)."""
    shipment = merchant_shipment_get(merchant=portal.merchant, public_id=public_id)
    context = _context(
        portal, shipment=shipment, lines=[line.order_line for line in shipment.lines.all()], **_ship_to_context(shipment, portal)
    )
    return render(request, "merchant/slip.html", context)


@merchant_page()
@require_POST
def shipment_move_view(request: HttpRequest, portal: Portal, public_id: str) -> HttpResponse:
    """Mark the shipment packed or handed to the carrier; a refused move is shown on the page with 409."""
    shipment = merchant_shipment_get(merchant=portal.merchant, public_id=public_id)
    target = str(request.POST.get("to", ""))[:40]
    try:
        moved = shipment_move(shipment=shipment, to=target, by=merchant_actor(portal.merchant))
    except TransitionRefused as error:
        fresh = merchant_shipment_get(merchant=portal.merchant, public_id=public_id)
        return _detail_response(request, portal, fresh, status=error.status, error=error.message)
    messages.success(request, f"Shipment marked “{moved.get_status_display().lower()}”.")
    return see_other(reverse("merchant:shipment", args=[shipment.public_id]))


@never_cache
@login_required
@require_POST
def merchant_switch(request: HttpRequest) -> HttpResponse:
    """Work for another of the user's merchants (a merchant the user does not work for is not found)."""
    portal = _portal_for(request)
    if portal is None:
        return _forbidden(request, "The merchant portal is for the staff of AllBuy's merchants.")
    slug = str(request.POST.get("merchant", ""))
    if not any(m.merchant.slug == slug for m in portal.memberships):
        return application_error_response(request, NotFound("There is no such merchant.", code="merchant_not_found"))
    request.session[SESSION_KEY] = slug
    return see_other(reverse("merchant:shipments"))


# --- owners: sales and products --------------------------------------------------------------------------------


@merchant_page(owners_only=True)
@require_safe
def sales(request: HttpRequest, portal: Portal) -> HttpResponse:
    report = merchant_sales(merchant=portal.merchant, now=clock.now())
    return render(request, "merchant/sales.html", _context(portal, sales=report))


@merchant_page(owners_only=True)
@require_safe
def product_list(request: HttpRequest, portal: Portal) -> HttpResponse:
    page = merchant_products_page(merchant=portal.merchant, page=request.GET.get("page", "1"))
    return render(request, "merchant/products.html", _context(portal, page=page))


@merchant_page(owners_only=True)
@require_http_methods(["GET", "HEAD", "POST"])
def product_edit(request: HttpRequest, portal: Portal, product_id: int) -> HttpResponse:
    """A product's active flag and its variants' stock; errors are shown next to the fields (400), never a 500."""
    product = merchant_product_get(merchant=portal.merchant, product_id=product_id)
    if request.method != "POST":
        form = ProductStockForm(product=product)
        return render(request, "merchant/product_edit.html", _context(portal, product=product, form=form))
    form = ProductStockForm(request.POST, product=product)
    if not form.is_valid():
        return render(request, "merchant/product_edit.html", _context(portal, product=product, form=form), status=400)
    merchant_product_update(
        merchant=portal.merchant, product_id=product.pk, is_active=form.cleaned_data["is_active"], stock=form.stock()
    )
    messages.success(request, f"Saved {product.name}.")
    return see_other(reverse("merchant:products"))
