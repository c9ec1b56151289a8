"""Checkout and order errors; each has a stable code shared by the pages and the API."""

from allbuy.core.errors import ApplicationError, InvalidInput, NotFound


class OrderNotFound(NotFound):
    code = "order_not_found"


class IdempotencyKeyInvalid(InvalidInput):
    code = "idempotency_key_invalid"


class IdempotencyKeyReused(ApplicationError):
    code = "idempotency_key_reused"
    status = 422


class PriceChanged(ApplicationError):
    """What the shopper was shown is no longer what they would pay: show the new quote, ask again."""

    code = "price_changed"
    status = 409


class StockUnavailable(ApplicationError):
    code = "out_of_stock"
    status = 409


class DealLimitReached(ApplicationError):
    code = "deal_limit_reached"
    status = 409


class PaymentDeclined(ApplicationError):
    code = "card_declined"
    status = 402


class PaymentPending(ApplicationError):
    code = "payment_pending"
    status = 202


class TransitionNotAllowed(ApplicationError):
    code = "transition_not_allowed"
    status = 409


class RefundInvalid(InvalidInput):
    code = "refund_invalid"


class CheckoutInProgress(ApplicationError):
    """Another tab or window is paying for this cart right now."""

    code = "checkout_in_progress"
    status = 409


class CardRequired(InvalidInput):
    code = "card_required"
