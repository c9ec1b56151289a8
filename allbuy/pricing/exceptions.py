"""Errors the pricing function raises; each has a stable code."""

from allbuy.core.errors import ApplicationError, InvalidInput


class CurrencyMismatch(ApplicationError):
    code = "currency_mismatch"
    status = 400


class InvalidPricingInput(InvalidInput):
    """Lines, deals, promotions or the coupon break a documented limit; `code` names which."""

    code = "invalid_pricing_input"


class UnknownCountry(InvalidInput):
    code = "unknown_country"
