"""Shipments: split at payment, moved by merchants and carriers, and the shipping-data grants that go with them.

Grant model (see `allbuy.privacy.grants`): when an order is paid, each of its shipments gets two grants —
one for its merchant, one for its carrier — to read exactly the order's recipient name, address and phone
(`SHIP_TO_MEMBERS`) for the shipping purpose, valid from the payment. Delivery sets their end to delivery
plus `ALLBUY_SHIPPING_GRANT_DAYS_AFTER_DELIVERY` days; cancelling the order revokes them at once. Every read
goes through `granted_read`, which checks the grant and logs who read which fields for which shipment.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet

from allbuy.core import clock
from allbuy.core.errors import ApplicationError
from allbuy.fulfilment.models import (
    Carrier,
    CarrierToken,
    Merchant,
    Shipment,
    ShipmentEvent,
    ShipmentLine,
    ShipmentStatus,
)
from allbuy.orders.models import SHIP_TO_MEMBERS, Order, OrderLine, OrderStatus
from allbuy.privacy.crypto import decrypt_value, encrypt_value
from allbuy.privacy.datamap import Purpose, Recipient
from allbuy.privacy.grants import GrantState, grant_create, grant_state, granted_read, grants_close, grants_revoke
from allbuy.privacy.models import AccessGrant
from allbuy.privacy.services import Actor

S = ShipmentStatus
HOUSE_MERCHANT = "allbuy"  # products with no merchant are packed and shipped by AllBuy itself
SECRET_FIELD = "fulfilment.Carrier.webhook_secret"  # noqa: S105 - a field label, not a secret

# Who may move a shipment from which status to which: merchants pack and hand over, carriers do the rest.
MERCHANT_MOVES: dict[str, frozenset[str]] = {S.READY: frozenset({S.PACKED}), S.PACKED: frozenset({S.HANDED_OVER})}
CARRIER_MOVES: dict[str, frozenset[str]] = {
    S.HANDED_OVER: frozenset({S.PICKED_UP}),
    S.PICKED_UP: frozenset({S.IN_TRANSIT}),
    S.IN_TRANSIT: frozenset({S.FAILED_ATTEMPT, S.DELIVERED}),
    S.FAILED_ATTEMPT: frozenset({S.IN_TRANSIT, S.DELIVERED}),
}
# How far along each status is, to derive the order's status from its shipments.
RANK: dict[str, int] = {
    S.READY: 0,
    S.PACKED: 1,
    S.HANDED_OVER: 2,
    S.PICKED_UP: 3,
    S.IN_TRANSIT: 3,
    S.FAILED_ATTEMPT: 3,
    S.DELIVERED: 4,
}


class TransitionRefused(ApplicationError):
    code = "status_transition_invalid"
    status = 409


def merchant_actor(merchant: Merchant) -> Actor:
    return Actor(kind=Recipient.MERCHANT, ref=f"merchant:{merchant.pk}", label=f"Merchant: {merchant.name}")


def carrier_actor(carrier: Carrier) -> Actor:
    return Actor(kind=Recipient.CARRIER, ref=f"carrier:{carrier.pk}", label=f"Carrier: {carrier.name}")


def house_merchant() -> Merchant:
    merchant, _ = Merchant.objects.get_or_create(slug=HOUSE_MERCHANT, defaults={"name": "AllBuy"})
    return merchant


def carrier_for(country: str) -> Carrier:
    """The cheapest carrier that serves `country` (an empty country list means everywhere)."""
    for carrier in Carrier.objects.order_by("price", "code"):
        if not carrier.countries or country in carrier.countries:
            return carrier
    return Carrier.objects.get_or_create(code="allbuy-post", defaults={"name": "AllBuy Post", "price": "9.99"})[0]


def _tracking_number(carrier: Carrier) -> str:
    return f"{carrier.code.upper()[:4]}{secrets.randbelow(10**12):012d}"


def shipments_create(*, order: Order, now: datetime) -> list[Shipment]:
    """Split a paid order into one shipment per merchant, assign carriers, and grant both the shipping data."""
    from allbuy.orders.selectors import order_country

    if Shipment.objects.filter(order=order).exists():
        return list(Shipment.objects.filter(order=order))
    lines = list(OrderLine.objects.filter(order=order).select_related("variant__product__merchant"))
    by_merchant: dict[int, list[OrderLine]] = defaultdict(list)
    merchants: dict[int, Merchant] = {}
    for line in lines:
        merchant = line.variant.product.merchant or house_merchant()
        merchants[merchant.pk] = merchant
        by_merchant[merchant.pk].append(line)
    carrier = carrier_for(order_country(order=order))
    shipments = []
    for merchant_id, merchant_lines in by_merchant.items():
        merchant = merchants[merchant_id]
        shipment = Shipment.objects.create(
            order=order,
            merchant=merchant,
            carrier=carrier,
            tracking_number=_tracking_number(carrier),
            created_at=now,
            updated_at=now,
        )
        ShipmentLine.objects.bulk_create(ShipmentLine(shipment=shipment, order_line=line) for line in merchant_lines)
        ShipmentEvent.objects.create(shipment=shipment, to_status=S.READY, actor="AllBuy", note="paid", at=now)
        context = {"order": order.number, "shipment": str(shipment.public_id)}
        for actor in (merchant_actor(merchant), carrier_actor(carrier)):
            grant_create(
                actor=actor, instance=order, fields=SHIP_TO_MEMBERS, purpose=Purpose.SHIPPING, valid_from=now, context=context
            )
        shipments.append(shipment)
    return shipments


def _shipment_grants(shipment: Shipment) -> QuerySet[AccessGrant]:
    return AccessGrant.objects.filter(record=f"orders.Order:{shipment.order_id}", context__shipment=str(shipment.public_id))


def shipments_cancel(*, order: Order, now: datetime) -> None:
    """The order was cancelled: its shipments stop and the merchants' and carriers' access ends at once."""
    for shipment in Shipment.objects.filter(order=order).exclude(status__in=[S.DELIVERED, S.CANCELLED]):
        _move(shipment, to=S.CANCELLED, actor="AllBuy", note="order cancelled", now=now)
    grants_revoke(grants=AccessGrant.objects.filter(record=f"orders.Order:{order.pk}"), reason="the order was cancelled", now=now)


def _move(shipment: Shipment, *, to: str, actor: str, note: str, now: datetime) -> None:
    fields: dict[str, object] = {"status": to, "updated_at": now}
    if to == S.DELIVERED:
        fields["delivered_at"] = now
    moved = Shipment.objects.filter(pk=shipment.pk, status=shipment.status).update(**fields)
    if not moved:
        raise TransitionRefused("This shipment changed meanwhile; reload it.")
    ShipmentEvent.objects.create(shipment=shipment, from_status=shipment.status, to_status=to, actor=actor, note=note, at=now)
    for name, value in fields.items():
        setattr(shipment, name, value)


def shipment_move(*, shipment: Shipment, to: str, by: Actor, now: datetime | None = None, note: str = "") -> Shipment:
    """Move the shipment one allowed step, as its merchant or its carrier; refuse backwards, skipped or foreign moves."""
    moment = now or clock.now()
    moves = MERCHANT_MOVES if by.kind == Recipient.MERCHANT else CARRIER_MOVES if by.kind == Recipient.CARRIER else {}
    owner = merchant_actor(shipment.merchant) if by.kind == Recipient.MERCHANT else carrier_actor(shipment.carrier)
    if by.ref != owner.ref:
        raise TransitionRefused("This shipment is not yours.", code="forbidden", status=403)
    with transaction.atomic():
        locked = Shipment.objects.select_for_update().select_related("merchant", "carrier").get(pk=shipment.pk)
        if to not in moves.get(locked.status, frozenset()):
            raise TransitionRefused(
                f"A shipment that is {locked.get_status_display().lower()} cannot become {S(to).label.lower()} this way."
                if to in S.values
                else f"Unknown status {to!r}.",
                extra={"status": locked.status},
            )
        _move(locked, to=to, actor=by.label, note=note[:200], now=moment)
        if to == S.DELIVERED:
            grants_close(
                grants=_shipment_grants(locked), at=moment, days_after=settings.ALLBUY_SHIPPING_GRANT_DAYS_AFTER_DELIVERY
            )
        _order_follow(order=locked.order, now=moment)
    return locked


def _order_follow(*, order: Order, now: datetime) -> None:
    """Move the order along as its shipments progress: packing started, all handed over, all delivered."""
    from allbuy.orders.services import order_status_set

    ranks = [
        RANK.get(status, -1)
        for status in Shipment.objects.filter(order=order).exclude(status=S.CANCELLED).values_list("status", flat=True)
    ]
    if not ranks:
        return
    order.refresh_from_db(fields=["status"])
    wanted = [OrderStatus.FULFILLING] if max(ranks) >= 1 else []
    if min(ranks) >= 2:
        wanted.append(OrderStatus.SHIPPED)
    if min(ranks) >= 4:
        wanted.append(OrderStatus.DELIVERED)
    chain: list[str] = [OrderStatus.PAID, OrderStatus.FULFILLING, OrderStatus.SHIPPED, OrderStatus.DELIVERED]
    for status in wanted:
        if order.status in chain and chain.index(order.status) < chain.index(status):
            order_status_set(order=order, to_status=status, actor="fulfilment", now=now)


@dataclass(frozen=True)
class ShipTo:
    """What a merchant's or carrier's screen shows: the address, or why it is withheld."""

    values: dict[str, str] | None
    withheld_reason: str = ""


def shipment_ship_to(*, shipment: Shipment, actor: Actor, now: datetime | None = None) -> dict[str, str]:
    """Read the shipment's recipient name, address and phone as its merchant or carrier, under their grant (logged)."""
    context = {"order": shipment.order.number, "shipment": str(shipment.public_id)}
    return granted_read(
        actor=actor, instance=shipment.order, fields=SHIP_TO_MEMBERS, purpose=Purpose.SHIPPING, now=now, context=context,
        within={"shipment": str(shipment.public_id)},  # only this shipment's grant, not one for another of the order
    )  # fmt: skip


def shipment_ship_to_state(*, shipment: Shipment, actor: Actor, now: datetime | None = None) -> GrantState:
    return grant_state(
        actor=actor, instance=shipment.order, fields=SHIP_TO_MEMBERS, purpose=Purpose.SHIPPING, now=now or clock.now(),
        within={"shipment": str(shipment.public_id)},
    )  # fmt: skip


# --- carrier credentials -----------------------------------------------------------------------------------


def carrier_token_create(*, carrier: Carrier, scopes: list[str], label: str = "", now: datetime | None = None) -> str:
    """Make a new API token for the carrier and return it: it is shown once and only its SHA-256 is kept."""
    prefix = secrets.token_hex(4)
    token = f"abct_{prefix}_{secrets.token_urlsafe(32)}"
    CarrierToken.objects.create(
        carrier=carrier, prefix=prefix, digest=hashlib.sha256(token.encode()).hexdigest(), scopes=scopes, label=label,
        created_at=now or clock.now(),
    )  # fmt: skip
    return token


def carrier_token_check(raw: str) -> CarrierToken | None:
    """Return the live token row for a presented token, or None (unknown, malformed, or revoked)."""
    parts = raw.split("_", 2)  # the secret part may itself contain "_"
    if len(parts) != 3 or parts[0] != "abct" or len(parts[1]) != 8:
        return None
    row = CarrierToken.objects.select_related("carrier").filter(prefix=parts[1], revoked_at__isnull=True).first()
    if row is None or not hmac.compare_digest(row.digest, hashlib.sha256(raw.encode()).hexdigest()):
        return None
    return row


def carrier_token_revoke(*, token: CarrierToken, now: datetime | None = None) -> None:
    CarrierToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now or clock.now())


def carrier_webhook_secret_new(*, carrier: Carrier) -> str:
    """Make a new webhook signing secret for the carrier, store it encrypted, and return it (shown once)."""
    secret = secrets.token_urlsafe(32)
    carrier.webhook_secret = encrypt_value(secret, subject_id=None, scope="system", field=SECRET_FIELD)
    carrier.save(update_fields=["webhook_secret"])
    return secret


def carrier_webhook_secret(carrier: Carrier) -> str:
    return decrypt_value(carrier.webhook_secret, field=SECRET_FIELD) if carrier.webhook_secret else ""


# --- the merchant portal's catalog edits ------------------------------------------------------------------


def merchant_product_update(*, merchant: Merchant, product_id: int, is_active: bool, stock: dict[int, int]) -> None:
    """Set a merchant's product active or not and its variants' stock; saved rows move the catalog revision on.

    Another merchant's product, or a variant of another product, is refused as not found.
    """
    from allbuy.catalog.models import Product, Variant
    from allbuy.core.errors import NotFound

    with transaction.atomic():
        product = Product.objects.select_for_update().filter(merchant=merchant, pk=product_id).first()
        if product is None:
            raise NotFound("There is no such product.", code="product_not_found")
        variants = {variant.pk: variant for variant in Variant.objects.select_for_update().filter(product=product)}
        if not set(stock) <= set(variants):
            raise NotFound("There is no such variant.", code="variant_not_found")
        if product.is_active != is_active:
            product.is_active = is_active
            product.save(update_fields=["is_active", "updated_at"])
        for variant_id, quantity in stock.items():
            variant = variants[variant_id]
            if variant.stock_quantity != quantity:
                variant.stock_quantity = quantity
                variant.save(update_fields=["stock_quantity"])
