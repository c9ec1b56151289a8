"""Shipping methods AllBuy offers, and where it ships: every country with a VAT rate in the pricing table.

Prices are gross (VAT included) like every other price; free-shipping offers (promotions, coupons) and the
method's own `free_over` threshold are applied by the pricing function.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from allbuy.accounts.countries import COUNTRY_NAMES
from allbuy.core.errors import InvalidInput
from allbuy.core.money import Money
from allbuy.pricing.tax import VAT_RATES
from allbuy.pricing.types import ShippingMethod


@dataclass(frozen=True, slots=True)
class Method:
    code: str
    name: str
    delivery: str
    price: Decimal
    free_over: Decimal | None

    def pricing(self, currency: str) -> ShippingMethod:
        free_over = Money(self.free_over, currency) if self.free_over is not None else None
        return ShippingMethod(code=self.code, price=Money(self.price, currency), free_over=free_over)


METHODS: dict[str, Method] = {
    "standard": Method("standard", "Standard delivery", "3–5 working days", Decimal("4.99"), Decimal("50.00")),
    "express": Method("express", "Express delivery", "1–2 working days", Decimal("9.99"), None),
}
DEFAULT_METHOD = "standard"
SHIPPING_COUNTRIES: frozenset[str] = frozenset(code for code in VAT_RATES if code in COUNTRY_NAMES)


class ShippingMethodUnknown(InvalidInput):
    code = "shipping_method_unknown"


class ShippingCountryUnsupported(InvalidInput):
    code = "shipping_country_unsupported"


def method_get(code: str) -> Method:
    method = METHODS.get(code)
    if method is None:
        raise ShippingMethodUnknown(f"Choose one of the shipping methods: {', '.join(METHODS)}.")
    return method


def country_check(country: str) -> str:
    code = (country or "").upper()
    if code not in SHIPPING_COUNTRIES:
        raise ShippingCountryUnsupported("We don't ship to this country yet; choose another address.")
    return code
