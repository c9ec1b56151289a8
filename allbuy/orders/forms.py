"""Checkout input: the address and shipping method chosen, the card, the attempt's key and the total shown.

The card fields are read here and handed to `card_parse`; nothing here keeps, prints or logs them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from allbuy.accounts.selectors import AddressCard
from allbuy.cart.shipping import DEFAULT_METHOD, METHODS, Method
from allbuy.core.errors import InvalidInput
from allbuy.payments.exceptions import CardInvalid
from allbuy.payments.gateway import Card, card_parse

CARD_FIELDS = ("card_number", "card_exp_month", "card_exp_year", "card_cvc")
# What a shopper may type into a card field at most (a number with spaces is 23 characters).
CARD_FIELD_MAX_LENGTH = 32
MAX_TOTAL = Decimal("9999999999.99")


class ExpectedTotalInvalid(InvalidInput):
    code = "expected_total_invalid"


@dataclass(frozen=True)
class CheckoutChoice:
    """The address and shipping method to show the review for: what was chosen, else the defaults."""

    address: AddressCard | None
    method: Method


def checkout_choice(data: Mapping[str, str], addresses: Sequence[AddressCard]) -> CheckoutChoice:
    """Read `address` and `shipping` from the request; an unknown value shows the default (placing checks it again)."""
    wanted = str(data.get("address", ""))
    address = next((card for card in addresses if str(card.id) == wanted), None)
    if address is None:
        address = next((card for card in addresses if card.is_default), addresses[0] if addresses else None)
    method = METHODS.get(str(data.get("shipping", "")), METHODS[DEFAULT_METHOD])
    return CheckoutChoice(address=address, method=method)


def card_from(data: Mapping[str, str], *, now: datetime) -> Card | None:
    """Return the card typed at checkout, None when every card field is empty; raise CardInvalid naming the field."""
    values = {name: str(data.get(name, ""))[:CARD_FIELD_MAX_LENGTH].strip() for name in CARD_FIELDS}
    if not any(values.values()):
        return None
    if not values["card_number"]:
        raise CardInvalid("Enter the number of your card.", code="card_number_missing", extra={"field": "number"})
    return card_parse(
        number=values["card_number"],
        exp_month=values["card_exp_month"],
        exp_year=values["card_exp_year"],
        cvc=values["card_cvc"],
        now=now,
    )


def expected_total_parse(raw: object) -> Decimal:
    """Return the total the checkout page showed (a hidden field), or raise: without it a price change would go unseen."""
    try:
        value = Decimal(str(raw or "").strip())
    except InvalidOperation:
        value = Decimal("NaN")
    # The range check comes first: quantizing a huge value raises instead of answering.
    if not value.is_finite() or value < 0 or value > MAX_TOTAL or value != value.quantize(Decimal("0.01")):
        raise ExpectedTotalInvalid("This checkout page is out of date. Please check your order and place it again.")
    return value
