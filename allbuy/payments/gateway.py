"""The payment gateway interface: what the checkout sends to a payment provider, and what comes back.

The checkout never talks to a provider directly. It parses the shopper's card with `card_parse`, builds an
`AuthorizeRequest` and calls `gateway_get().authorize(...)`, then `capture`, `void` or `refund` with the
`gateway_ref` it got back. Which provider answers is a setting (`ALLBUY_PAYMENT_GATEWAY`, a dotted path to a
`PaymentGateway` subclass); the default is the test gateway (`allbuy.payments.test_gateway.TestGateway`).

Rules every gateway keeps, and every caller can rely on:
- Card details live only in memory for one request. A `Card` never prints its number, expiry or CVC (its
  repr and str show the brand and last four digits), and no gateway logs or stores them. What leaves AllBuy
  for the processor is declared in `allbuy.privacy.datamap.EGRESS`; a test proves the two agree.
- Every call that can move money takes an idempotency key: the same key returns the same result, and never
  charges, captures or refunds twice, even when the first call's answer was lost (`GatewayTimeout`).
- A declined card is a normal result (`status=DECLINED` with a `decline_code` and a shopper-readable
  `message`), not an exception. Exceptions are for what the shopper or the caller must act on.
- Call the gateway outside your own database transaction: a provider call is network I/O, and a real
  provider's charge does not roll back with your transaction.
"""

from __future__ import annotations

import re
import threading
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.module_loading import import_string

from allbuy.core.money import Money
from allbuy.payments.exceptions import CardInvalid


class PaymentStatus(StrEnum):
    AUTHORIZED = "authorized"  # the amount is reserved on the card; capture it to take the money
    CAPTURED = "captured"  # the money is taken (a partial refund leaves a charge captured)
    PENDING = "pending"  # the bank must confirm first (3-D Secure, bank transfer): a webhook tells the outcome
    DECLINED = "declined"  # nothing reserved; `decline_code` and `message` say why
    VOIDED = "voided"  # the reservation was released before capture
    REFUNDED = "refunded"  # everything captured was given back


# What the shopper reads for each decline code a gateway may return; unknown codes read as a plain decline.
DECLINE_MESSAGES: dict[str, str] = {
    "card_declined": "Your card was declined.",
    "insufficient_funds": "Your card has insufficient funds.",
}


def decline_message(decline_code: str) -> str:
    """Return the shopper-readable message for a decline code (a plain decline for codes not known here)."""
    return DECLINE_MESSAGES.get(decline_code, DECLINE_MESSAGES["card_declined"])


# ---------------------------------------------------------------------------------------------------------------
# Cards


@dataclass(frozen=True, slots=True, repr=False)
class Card:
    """A payment card, held only in memory for the request that pays with it. Build it with `card_parse`."""

    number: str  # digits only
    exp_month: int  # 1..12
    exp_year: int  # four digits
    cvc: str

    @property
    def last4(self) -> str:
        return self.number[-4:]

    @property
    def brand(self) -> str:
        return card_brand(self.number)

    def __repr__(self) -> str:
        return f"Card(brand={self.brand!r}, last4={self.last4!r})"

    def __str__(self) -> str:
        return f"{self.brand} •••• {self.last4}"


def card_brand(number: str) -> str:
    """Return "visa", "mastercard", "amex" or "card" from the issuer identification number (the first digits)."""
    if number.startswith("4"):
        return "visa"
    if number[:2] in {"34", "37"}:
        return "amex"
    if "51" <= number[:2] <= "55" or (len(number) >= 4 and "2221" <= number[:4] <= "2720"):
        return "mastercard"
    return "card"


def luhn_valid(number: str) -> bool:
    """Return whether a string of digits passes the Luhn checksum every card number carries."""
    total = 0
    for position, char in enumerate(reversed(number)):
        digit = int(char)
        if position % 2 == 1:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


_SEPARATORS = re.compile(r"[\s\-]+")
_DIGITS = re.compile(r"[0-9]+")
_CVC = re.compile(r"[0-9]{3,4}")
YEARS_AHEAD = 20  # cards are issued for a few years; a date further out is a typing mistake


def _as_int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and _DIGITS.fullmatch(value.strip()):
        return int(value.strip())
    return None


def card_parse(*, number: str, exp_month: int | str, exp_year: int | str, cvc: str, now: datetime) -> Card:
    """Return a `Card` from what the shopper typed, or raise `CardInvalid` naming what to correct.

    Spaces and hyphens in the number are ignored; it must then be 12 to 19 digits and pass the Luhn check.
    The expiry month is 1..12, the year four digits or two ("28" is 2028); a card is valid through the last
    day of its expiry month, read against `now`. The CVC is 3 or 4 digits.
    """
    digits = _SEPARATORS.sub("", number or "")
    if not (_DIGITS.fullmatch(digits) and 12 <= len(digits) <= 19 and luhn_valid(digits)):
        raise CardInvalid(
            "This card number is not valid. Please check it and try again.", code="card_number_invalid", extra={"field": "number"}
        )
    month, year = _as_int(exp_month), _as_int(exp_year)
    if year is not None and year < 100:
        year += 2000
    if month is None or year is None or not 1 <= month <= 12 or not 2000 <= year <= now.year + YEARS_AHEAD:
        raise CardInvalid(
            "The expiry date is not valid. Please enter the month and year printed on your card.",
            code="card_expiry_invalid",
            extra={"field": "expiry"},
        )
    if (year, month) < (now.year, now.month):
        raise CardInvalid("This card has expired. Please use another card.", code="card_expired", extra={"field": "expiry"})
    cvc_digits = (cvc or "").strip()
    if not _CVC.fullmatch(cvc_digits):
        raise CardInvalid(
            "The security code is not valid. It is the 3 or 4 digits printed on your card.",
            code="card_cvc_invalid",
            extra={"field": "cvc"},
        )
    return Card(number=digits, exp_month=month, exp_year=year, cvc=cvc_digits)


# ---------------------------------------------------------------------------------------------------------------
# Requests, results, events


@dataclass(frozen=True, slots=True)
class AuthorizeRequest:
    """Reserve `amount` on `card` for the order `reference`. Its repr shows the card masked, like the card's own."""

    reference: str  # the order's reference, shown on the provider's dashboard
    amount: Money
    idempotency_key: str  # the same key returns the same result and never charges twice
    card: Card


@dataclass(frozen=True, slots=True)
class PaymentResult:
    """The provider's answer. `status` is the charge's state after the call; `amount` is what the call moved."""

    status: PaymentStatus
    gateway_ref: str  # the provider's id of the charge: keep it to capture, void, refund and match webhooks
    amount: Money
    decline_code: str = ""  # "card_declined", "insufficient_funds", … when declined
    message: str = ""  # shopper-readable, when declined
    card_brand: str = ""
    card_last4: str = ""

    @property
    def is_declined(self) -> bool:
        return self.status == PaymentStatus.DECLINED


class WebhookKind(StrEnum):
    SUCCEEDED = "payment.succeeded"  # a pending charge is now authorized: capture it as usual
    FAILED = "payment.failed"  # a pending charge was declined: `decline_code` says why


@dataclass(frozen=True, slots=True)
class WebhookEvent:
    """A verified notification from the provider.

    A gateway checks the signature and the timestamp; it does not remember which events it has seen. Applying
    each `event_id` at most once (providers deliver again until they get a 2xx) is the caller's job.
    """

    event_id: str
    kind: str  # a WebhookKind value
    gateway_ref: str
    decline_code: str = ""


# ---------------------------------------------------------------------------------------------------------------
# The interface


class PaymentGateway(ABC):
    """A payment provider. Subclasses need no constructor arguments: they read their settings themselves."""

    code: str  # short name stored with each payment, e.g. "test"

    @abstractmethod
    def authorize(self, request: AuthorizeRequest) -> PaymentResult:
        """Reserve the amount on the card; a decline is a result. May raise GatewayTimeout or GatewayUnavailable."""

    @abstractmethod
    def capture(self, *, gateway_ref: str, amount: Money, idempotency_key: str) -> PaymentResult:
        """Take an authorized amount (all of it, or part of it)."""

    @abstractmethod
    def void(self, *, gateway_ref: str, idempotency_key: str) -> PaymentResult:
        """Release an authorized or pending charge before capture."""

    @abstractmethod
    def refund(self, *, gateway_ref: str, amount: Money, idempotency_key: str) -> PaymentResult:
        """Give back part or all of a captured amount; more than is left raises RefundTooLarge."""

    @abstractmethod
    def webhook_parse(self, *, body: bytes, headers: Mapping[str, str], now: datetime) -> WebhookEvent:
        """Verify and read a webhook; raise WebhookInvalid when it cannot be trusted. Replays are the caller's to refuse."""


# ---------------------------------------------------------------------------------------------------------------
# The configured gateway

_lock = threading.Lock()
_loaded: dict[str, PaymentGateway] = {}


def _gateway_load(path: str) -> PaymentGateway:
    try:
        gateway_class = import_string(path)
    except ImportError as error:
        raise ImproperlyConfigured(f"ALLBUY_PAYMENT_GATEWAY names {path!r}, which cannot be imported: {error}") from error
    if not (isinstance(gateway_class, type) and issubclass(gateway_class, PaymentGateway)):
        raise ImproperlyConfigured(f"ALLBUY_PAYMENT_GATEWAY names {path!r}, which is not a PaymentGateway subclass.")
    return gateway_class()


def gateway_get() -> PaymentGateway:
    """Return the gateway named by `settings.ALLBUY_PAYMENT_GATEWAY`, created once per process."""
    path: str = settings.ALLBUY_PAYMENT_GATEWAY
    gateway = _loaded.get(path)
    if gateway is None:
        with _lock:
            gateway = _loaded.get(path)
            if gateway is None:
                _loaded.clear()
                gateway = _loaded[path] = _gateway_load(path)
    return gateway


def gateway_reset() -> None:
    """Forget the loaded gateway, so the next `gateway_get` builds it again from the settings (for tests)."""
    with _lock:
        _loaded.clear()


@receiver(setting_changed)
def _gateway_reset_on_setting_changed(*, setting: str, **_: Any) -> None:
    if setting.startswith("ALLBUY_PAYMENT_"):
        gateway_reset()
