"""Merchants, their staff, carriers, and paid orders with items of several merchants, made through the real services.

`order_paid_from` checks out through `order_place` with the test card, so the order is paid exactly as at the
checkout: the `order_paid` signal splits it into shipments and creates the shipping-data grants.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.utils.text import slugify

from allbuy.accounts.models import User
from allbuy.accounts.tests.factories import address_add, customer_create
from allbuy.cart.services import cart_for_user, cart_line_add
from allbuy.catalog.models import Product, Variant
from allbuy.catalog.tests.factories import ProductFactory, VariantFactory
from allbuy.fulfilment.models import Carrier, Merchant, MerchantStaff, Shipment, StaffRole
from allbuy.orders.models import Order, OrderStatus
from allbuy.orders.services import order_place
from allbuy.orders.tests.factories import CARD_OK, NOW, card

_counter = iter(range(1, 1_000_000))

# A valid city, postcode and phone for destinations the tests use (`order_paid_from(country=...)` fills them in).
PLACES: dict[str, dict[str, str]] = {
    "DE": {"city": "Berlin", "postcode": "10117", "phone": "+49 30 1234567"},
    "AT": {"city": "Wien", "postcode": "1010", "phone": "+43 1 5123456"},
    "FR": {"city": "Paris", "postcode": "75001", "phone": "+33 1 42 68 53 00"},
    "NL": {"city": "Amsterdam", "postcode": "1012 JS", "phone": "+31 20 123 4567"},
    "CH": {"city": "Zürich", "postcode": "8001", "phone": "+41 44 123 45 67"},
    "US": {"city": "Springfield", "postcode": "62701", "phone": "+1 217 555 0100", "region": "IL"},
}


def merchant_create(name: str) -> Merchant:
    return Merchant.objects.create(name=name, slug=slugify(name)[:60])


def staff_add(merchant: Merchant, user: User, role: str = StaffRole.PACKER) -> MerchantStaff:
    return MerchantStaff.objects.create(merchant=merchant, user=user, role=role)


def carrier_create(code: str, countries: Sequence[str] = (), price: Decimal | str = "4.90", *, name: str = "") -> Carrier:
    return Carrier.objects.create(name=name or code.upper(), code=code, countries=list(countries), price=Decimal(price))


def variant_of(merchant: Merchant | None, *, price: Decimal | str = "40.00", name: str = "") -> Variant:
    """A variant of a new product sold by `merchant` (None: AllBuy's own house merchant)."""
    product = ProductFactory.create(merchant=merchant, **({"name": name} if name else {}))
    return VariantFactory.create(product=product, price=Decimal(price), stock_quantity=20)


def order_paid_from(
    *,
    merchants: Mapping[Merchant | None, Variant | None],
    email: str | None = None,
    quantity: Any = 1,
    now: Any = NOW,
    key: Any = "checkout-0001",
    **address: Any,
) -> Order:
    """A paid order with one line per merchant (the variant given, or a new one; its product is made the merchant's).

    `address` overrides the shopper's address (e.g. `country="AT"`); the shopper is a new customer each time.
    (`quantity: int`, `now: datetime` and `key: str` are typed Any so callers may pass `**CUSTOMER` dicts.)
    """
    user = customer_create(email or f"buyer{next(_counter)}@example.org")
    addr = address_add(user, **{**PLACES.get(address.get("country", "DE"), {}), **address})
    cart = cart_for_user(user=user, now=now)
    for merchant, variant in merchants.items():
        chosen = variant or variant_of(merchant)
        if chosen.product.merchant_id != (merchant.pk if merchant else None):
            Product.objects.filter(pk=chosen.product_id).update(merchant=merchant)
        cart_line_add(cart=cart, variant_id=chosen.pk, quantity=quantity, now=now)
    placement = order_place(
        user=user,
        cart=cart,
        address_id=addr.pk,
        shipping_code="standard",
        idempotency_key=key,
        card=card(CARD_OK),
        now=now,
    )
    order = placement.order
    assert order.status == OrderStatus.PAID, order.status
    return order


def shipment_of(order: Order, merchant: Merchant) -> Shipment:
    return Shipment.objects.select_related("order", "merchant", "carrier").get(order=order, merchant=merchant)
