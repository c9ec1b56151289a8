"""Payment failures: each carries a stable code and the HTTP status the shopper's page or the API answers with.

A *declined* card is not an exception: it is a normal `PaymentResult` with `status=DECLINED`. These are for
input that cannot be sent (`CardInvalid`), a provider that did not answer (`GatewayTimeout`,
`GatewayUnavailable`), operations the charge's state does not allow, and webhooks that cannot be trusted.
"""

from __future__ import annotations

from typing import Any

from allbuy.core.errors import ApplicationError


class PaymentError(ApplicationError):
    code = "payment_error"
    status = 400
    default_message = "The payment could not be processed."

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        status: int | None = None,
        extra: dict[str, Any] | None = None,
    ):
        super().__init__(message or self.default_message, code=code, status=status, extra=extra)


class GatewayTimeout(PaymentError):
    """The provider did not answer in time: the charge may or may not exist. Retry with the same idempotency key."""

    code = "payment_timeout"
    status = 504
    default_message = (
        "The payment provider did not answer in time. You can safely try again: nothing is charged twice if you retry."
    )


class GatewayUnavailable(PaymentError):
    """The provider refused the connection or answered with an outage: nothing was charged."""

    code = "payment_unavailable"
    status = 503
    default_message = "Card payments are unavailable for a moment. Nothing was charged; please try again in a few minutes."


class CardInvalid(PaymentError):
    """The card details cannot be sent: `code` says which (card_number_invalid, card_expired, …)."""

    code = "card_invalid"
    status = 400
    default_message = "Please check your card details."


class WebhookInvalid(PaymentError):
    """A webhook that cannot be trusted or read: bad signature, stale timestamp, malformed body."""

    code = "webhook_invalid"
    status = 400
    default_message = "The webhook could not be verified."


class RefundTooLarge(PaymentError):
    """More was asked back than was captured and not yet refunded; `extra["refundable"]` says how much is left."""

    code = "refund_too_large"
    status = 400
    default_message = "The refund is larger than what is left to refund."


class PaymentAmountInvalid(PaymentError):
    code = "payment_amount_invalid"
    status = 400
    default_message = "The amount must be positive, in whole cents, and in the charge's currency."


class PaymentNotFound(PaymentError):
    code = "payment_not_found"
    status = 404
    default_message = "The payment provider does not know this payment."


class PaymentStateInvalid(PaymentError):
    """The charge's state does not allow the operation (capturing a voided charge, refunding before capture, …)."""

    code = "payment_state_invalid"
    status = 409
    default_message = "This payment cannot be changed that way in its current state."


class IdempotencyKeyReused(PaymentError):
    """The same idempotency key was sent again with different parameters: a caller's bug, never retried blindly."""

    code = "idempotency_key_reused"
    status = 409
    default_message = "This idempotency key was already used for a different payment request."
