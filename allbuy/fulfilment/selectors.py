"""Reads of the fulfilment app: what a merchant's staff may see of their own shipments, sales and products.

Everything here is scoped to one merchant: another merchant's shipment or product is simply not found (404),
so ids leak nothing. None of these reads touches the customer's personal data: the recipient's name, address
and phone are read only through `services.shipment_ship_to`, under the merchant's grant, on the one page that
shows them.
"""

from __future__ import annotations

import uuid
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Case, IntegerField, Prefetch, QuerySet, Sum, Value, When
from django.db.models.functions import TruncDate

from allbuy.catalog.models import Product, Variant
from allbuy.core.errors import NotFound
from allbuy.fulfilment.models import Merchant, MerchantStaff, Shipment, ShipmentEvent, ShipmentLine, ShipmentStatus
from allbuy.orders.models import Order, OrderLine, OrderStatus
from allbuy.privacy.datamap import GRANT_RECIPIENTS, Purpose, declaration_for
from allbuy.privacy.models import AccessGrant

SHIPMENTS_PAGE_SIZE = 20
PRODUCTS_PAGE_SIZE = 25
SALES_DAYS = 30
# Orders whose money is in: paid and on their way (cancelled, refunded and unpaid orders are not sales).
SOLD_STATUSES = (OrderStatus.PAID, OrderStatus.FULFILLING, OrderStatus.SHIPPED, OrderStatus.DELIVERED)


class ShipmentNotFound(NotFound):
    code = "shipment_not_found"


class ProductNotFound(NotFound):
    code = "product_not_found"


def merchant_memberships(*, user_id: int) -> list[MerchantStaff]:
    """The merchants a user works for, with the role at each, in the merchants' name order (one query)."""
    return list(MerchantStaff.objects.filter(user_id=user_id).select_related("merchant").order_by("merchant__name", "id"))


def _to_fulfil_first() -> Case:
    return Case(
        When(status=ShipmentStatus.READY, then=Value(0)),
        When(status=ShipmentStatus.PACKED, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )


def merchant_shipments(*, merchant: Merchant, status: str = "") -> QuerySet[Shipment]:
    """The merchant's shipments, ready and packed first, newest first within; only this merchant's lines."""
    shipments = Shipment.objects.filter(merchant=merchant)
    if status:
        shipments = shipments.filter(status=status)
    own_lines = ShipmentLine.objects.select_related("order_line").order_by("order_line_id")
    return (
        shipments.select_related("order", "carrier")
        .only(
            "public_id",
            "status",
            "tracking_number",
            "created_at",
            "merchant_id",
            "order__number",
            "order__currency",
            "carrier__name",
        )
        .prefetch_related(Prefetch("lines", queryset=own_lines))
        .annotate(fulfil_rank=_to_fulfil_first())
        .order_by("fulfil_rank", "-created_at", "-id")
    )


def merchant_shipments_page(*, merchant: Merchant, status: str = "", page: str | int = 1) -> Page:
    """One page of the merchant's shipments (a count, the shipments, their lines: three queries whatever the size)."""
    return Paginator(merchant_shipments(merchant=merchant, status=status), SHIPMENTS_PAGE_SIZE).get_page(page)


def merchant_shipment_get(*, merchant: Merchant, public_id: str | uuid.UUID) -> Shipment:
    """The merchant's shipment by its public id; another merchant's, or an unknown or malformed id, is not found."""
    try:
        wanted = uuid.UUID(str(public_id))
    except ValueError:
        raise ShipmentNotFound("There is no such shipment.") from None
    shipment = (
        Shipment.objects.filter(merchant=merchant, public_id=wanted)
        .select_related("order", "carrier", "merchant")
        .prefetch_related(Prefetch("lines", queryset=ShipmentLine.objects.select_related("order_line").order_by("order_line_id")))
        .first()
    )
    if shipment is None:
        raise ShipmentNotFound("There is no such shipment.")
    return shipment


@dataclass(frozen=True)
class SalesDay:
    day: date
    currency: str
    units: int
    revenue: Decimal


@dataclass
class Sales:
    since: date
    until: date
    days: list[SalesDay]
    units: int = 0
    revenue: dict[str, Decimal] = field(default_factory=dict)  # per currency


def merchant_sales(*, merchant: Merchant, now: datetime, days: int = SALES_DAYS) -> Sales:
    """Units sold and revenue per day (in the shop's time zone) over the last `days` days, from the merchant's
    shipments' order lines of paid orders; one query. Revenue is what the lines were sold for, after discounts."""
    tz = zoneinfo.ZoneInfo(settings.ALLBUY_TIMEZONE)
    today = now.astimezone(tz).date()
    since = today - timedelta(days=days - 1)
    start = datetime.combine(since, datetime.min.time(), tzinfo=tz)
    rows = (
        OrderLine.objects.filter(
            shipment_line__shipment__merchant=merchant,
            order__status__in=SOLD_STATUSES,
            order__placed_at__gte=start,
            order__placed_at__lte=now,
        )
        .annotate(day=TruncDate("order__placed_at", tzinfo=tz))
        .values("day", "order__currency")
        .annotate(units=Sum("quantity"), revenue=Sum("total"))
        .order_by("-day", "order__currency")
    )
    sales = Sales(since=since, until=today, days=[])
    for row in rows:
        revenue = Decimal(row["revenue"] or 0).quantize(Decimal("0.01"))
        entry = SalesDay(day=row["day"], currency=row["order__currency"], units=int(row["units"] or 0), revenue=revenue)
        sales.days.append(entry)
        sales.units += entry.units
        sales.revenue[entry.currency] = sales.revenue.get(entry.currency, Decimal("0.00")) + revenue
    return sales


def merchant_products_page(*, merchant: Merchant, page: str | int = 1) -> Page:
    """One page of the merchant's products with their variants (a count, the products, their variants)."""
    products = (
        Product.objects.filter(merchant=merchant)
        .only("name", "slug", "is_active", "merchant_id")
        .prefetch_related(Prefetch("variants", queryset=Variant.objects.order_by("position", "id")))
        .order_by("name", "id")
    )
    return Paginator(products, PRODUCTS_PAGE_SIZE).get_page(page)


def merchant_product_get(*, merchant: Merchant, product_id: int) -> Product:
    """The merchant's product with its variants; another merchant's (or AllBuy's own) product is not found."""
    product = (
        Product.objects.filter(merchant=merchant, pk=product_id)
        .prefetch_related(Prefetch("variants", queryset=Variant.objects.order_by("position", "id")))
        .first()
    )
    if product is None:
        raise ProductNotFound("There is no such product.")
    return product


# --- the customer's view: an order's shipments, the shipping-data grants and the access log -----------------
# (`order_shipments` for the order page and the API; `shipping_grants_for` and `access_log_details` for My
# privacy. None of these reads personal data: they show businesses, statuses, dates and field names.)

# The steps a shipment shows as its own progress. Picked up, in transit and a failed attempt are all "on its way".
SHIPMENT_STEPS: tuple[tuple[str, frozenset[str]], ...] = (
    ("Ready to pack", frozenset({ShipmentStatus.READY})),
    ("Packed", frozenset({ShipmentStatus.PACKED})),
    ("Handed to the carrier", frozenset({ShipmentStatus.HANDED_OVER})),
    ("On its way", frozenset({ShipmentStatus.PICKED_UP, ShipmentStatus.IN_TRANSIT, ShipmentStatus.FAILED_ATTEMPT})),
    ("Delivered", frozenset({ShipmentStatus.DELIVERED})),
)


@dataclass(frozen=True)
class ShipmentStep:
    label: str
    done: bool
    current: bool


@dataclass(frozen=True)
class ShipmentEventView:
    at: datetime
    from_status: str
    to_status: str
    label: str
    by: str  # a business ("Merchant: …", "Carrier: …", "AllBuy"), never a person
    note: str


@dataclass(frozen=True)
class ShipmentView:
    public_id: str
    merchant: str
    carrier: str
    tracking_number: str
    status: str
    status_label: str
    delivered_at: datetime | None
    steps: tuple[ShipmentStep, ...]
    events: tuple[ShipmentEventView, ...]

    @property
    def stopped(self) -> bool:
        return self.status == ShipmentStatus.CANCELLED


def _status_label(status: str) -> str:
    return ShipmentStatus(status).label if status in ShipmentStatus.values else status


def _step_index(status: str) -> int:
    for index, (_, statuses) in enumerate(SHIPMENT_STEPS):
        if status in statuses:
            return index
    return -1


def _steps(shipment: Shipment, events: Sequence[ShipmentEvent]) -> tuple[ShipmentStep, ...]:
    """The steps up to where the shipment got (a cancelled one shows how far it had come, with no current step)."""
    reached = [_step_index(event.to_status) for event in events]
    reached.append(_step_index(shipment.status))
    last = max(reached, default=0)
    stopped = shipment.status == ShipmentStatus.CANCELLED
    return tuple(
        ShipmentStep(label=label, done=index <= last, current=index == last and not stopped)
        for index, (label, _) in enumerate(SHIPMENT_STEPS)
    )


def shipment_view(shipment: Shipment) -> ShipmentView:
    """A shipment with its merchant, carrier and events loaded (as `order_shipments` loads them)."""
    events = list(shipment.events.all())
    return ShipmentView(
        public_id=str(shipment.public_id),
        merchant=shipment.merchant.name,
        carrier=shipment.carrier.name,
        tracking_number=shipment.tracking_number,
        status=shipment.status,
        status_label=_status_label(shipment.status),
        delivered_at=shipment.delivered_at,
        steps=_steps(shipment, events),
        events=tuple(
            ShipmentEventView(
                at=event.at,
                from_status=event.from_status,
                to_status=event.to_status,
                label=_status_label(event.to_status),
                by=event.actor,
                note=event.note,
            )
            for event in events
        ),
    )


def order_shipments(order: Order) -> list[ShipmentView]:
    """The order's shipments, one per merchant, with carrier, tracking, status and history (two queries)."""
    shipments = (
        Shipment.objects.filter(order_id=order.pk)
        .select_related("merchant", "carrier")
        .prefetch_related(Prefetch("events", queryset=ShipmentEvent.objects.order_by("at", "id")))
        .order_by("created_at", "id")
    )
    return [shipment_view(shipment) for shipment in shipments]


@dataclass(frozen=True)
class ShipmentRef:
    public_id: str
    merchant: str
    carrier: str
    tracking_number: str
    order_number: str

    @property
    def text(self) -> str:
        return f"{self.merchant}’s parcel, {self.carrier} {self.tracking_number}"


def shipment_refs(public_ids: Iterable[str], *, subject_id: Any) -> dict[str, ShipmentRef]:
    """The shipments of this subject's orders among `public_ids`, by public id (one query; others are left out)."""
    valid: list[uuid.UUID] = []
    for value in {str(value) for value in public_ids if value}:
        try:
            valid.append(uuid.UUID(value))
        except ValueError:
            continue  # a malformed id in a log context: not shown
    if not valid:
        return {}
    rows = Shipment.objects.filter(public_id__in=valid, order__subject_id=subject_id).values_list(
        "public_id", "merchant__name", "carrier__name", "tracking_number", "order__number"
    )
    return {
        str(public_id): ShipmentRef(str(public_id), merchant, carrier, tracking, number)
        for public_id, merchant, carrier, tracking, number in rows
    }


def _field_texts(labels: Iterable[str]) -> tuple[str, ...]:
    texts = []
    for label in labels:
        decl = declaration_for(str(label))
        texts.append(decl.description if decl else str(label))
    return tuple(dict.fromkeys(texts))


@dataclass(frozen=True)
class GrantView:
    who: str
    fields: tuple[str, ...]
    order_number: str
    shipment: ShipmentRef | None
    valid_from: datetime
    state: str  # "active", "upcoming", "ended" or "revoked"
    until: datetime | None  # the end, once it is known
    days_after_delivery: int
    reason: str  # why it ended, for ended and revoked grants

    @property
    def until_text(self) -> str:
        return f"Until {self.days_after_delivery} days after delivery" if self.until is None else ""


def _grant_view(grant: AccessGrant, *, refs: dict[str, ShipmentRef], now: datetime, days: int) -> GrantView:
    context = grant.context or {}
    until: datetime | None
    if grant.revoked_at is not None:
        state, until, reason = "revoked", grant.revoked_at, grant.revoke_reason or "revoked"
    elif grant.valid_until is not None and now >= grant.valid_until:
        state, until, reason = "ended", grant.valid_until, f"{days} days after delivery"
    elif grant.valid_from > now:
        state, until, reason = "upcoming", grant.valid_until, ""
    else:
        state, until, reason = "active", grant.valid_until, ""
    return GrantView(
        who=grant.recipient_label,
        fields=_field_texts(grant.fields or []),
        order_number=str(context.get("order", "")),
        shipment=refs.get(str(context.get("shipment", ""))),
        valid_from=grant.valid_from,
        state=state,
        until=until,
        days_after_delivery=days,
        reason=reason,
    )


def shipping_grants_for(*, subject_id: Any, now: datetime) -> list[GrantView]:
    """Every shipping-data grant on this subject's orders: current ones first, then ended ones (two queries)."""
    grants = list(
        AccessGrant.objects.filter(
            subject_id=subject_id, purpose=Purpose.SHIPPING, recipient_kind__in=[str(kind) for kind in GRANT_RECIPIENTS]
        ).order_by("-valid_from", "recipient_kind", "recipient_label")
    )
    refs = shipment_refs(((grant.context or {}).get("shipment", "") for grant in grants), subject_id=subject_id)
    days = int(settings.ALLBUY_SHIPPING_GRANT_DAYS_AFTER_DELIVERY)
    views = [_grant_view(grant, refs=refs, now=now, days=days) for grant in grants]
    return sorted(views, key=lambda view: view.state not in ("active", "upcoming"))


@dataclass(frozen=True)
class AccessDetail:
    """One access log row with its order (to link to) and its shipment (as the customer knows it) picked out."""

    row: Any  # an allbuy.privacy.selectors.AccessLogRow
    order_number: str
    shipment: ShipmentRef | None
    others: tuple[tuple[str, str], ...]


ACCESS_CONTEXT_SHOWN_APART = frozenset({"grant", "order", "shipment"})


def access_log_details(rows: Sequence[Any], *, subject_id: Any) -> list[AccessDetail]:
    """Pick the order and the shipment out of each row's details (one query, none when no row names a shipment)."""
    refs = shipment_refs((value for row in rows for key, value in row.context if key == "shipment"), subject_id=subject_id)
    details = []
    for row in rows:
        context = dict(row.context)
        shipment = refs.get(context.get("shipment", ""))
        details.append(
            AccessDetail(
                row=row,
                order_number=shipment.order_number if shipment else context.get("order", ""),
                shipment=shipment,
                others=tuple((key, value) for key, value in row.context if key not in ACCESS_CONTEXT_SHOWN_APART),
            )
        )
    return details
