"""A shopper ready to check out: an account with an address and a cart holding one variant; test cards."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from allbuy.accounts.models import Address, User
from allbuy.accounts.tests.factories import address_add, customer_create
from allbuy.cart.models import Cart
from allbuy.cart.services import cart_for_user, cart_line_add
from allbuy.catalog.models import Variant
from allbuy.catalog.tests.factories import VariantFactory
from allbuy.payments.gateway import Card, card_parse

NOW = datetime(2026, 6, 10, 10, 0, tzinfo=UTC)

CARD_OK = "4242424242424242"
CARD_DECLINED = "4000000000000002"
CARD_NO_FUNDS = "4000000000009995"
CARD_PENDING = "4000000000003220"
CARD_TIMEOUT = "4000000000000119"


def card(number: str = CARD_OK) -> Card:
    return card_parse(number=number, exp_month=12, exp_year=NOW.year + 3, cvc="123", now=NOW)


@dataclass
class Shopper:
    user: User
    address: Address
    cart: Cart


_counter = iter(range(1, 1_000_000))


def shopper_ready(
    *, variant: Variant | None = None, quantity: int = 1, email: str | None = None, now: datetime = NOW, **address: Any
) -> Shopper:
    user = customer_create(email or f"shopper{next(_counter)}@example.org")
    addr = address_add(user, **address)
    cart = cart_for_user(user=user, now=now)
    chosen = variant or VariantFactory.create(price=Decimal("100.00"))
    cart_line_add(cart=cart, variant_id=chosen.pk, quantity=quantity, now=now)
    return Shopper(user=user, address=addr, cart=cart)
