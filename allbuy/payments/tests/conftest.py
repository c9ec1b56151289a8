"""A test gateway, a fixed clock and helpers to pay with the test cards."""

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from allbuy.core.money import Money
from allbuy.payments.gateway import AuthorizeRequest, Card, PaymentResult, card_parse
from allbuy.payments.test_gateway import TestGateway

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
VISA_OK = "4242 4242 4242 4242"
MASTERCARD_OK = "5555 5555 5555 4444"
DECLINED = "4000 0000 0000 0002"
INSUFFICIENT_FUNDS = "4000 0000 0000 9995"
PENDING = "4000 0000 0000 3220"
TIMEOUT = "4000 0000 0000 0119"
UNAVAILABLE = "4000 0000 0000 0036"


def card_make(number: str = VISA_OK, *, cvc: str = "123") -> Card:
    return card_parse(number=number, exp_month=12, exp_year=2030, cvc=cvc, now=NOW)


def eur(amount: str) -> Money:
    return Money(Decimal(amount), "EUR")


def request_make(number: str = VISA_OK, *, key: str = "order-1-pay-1", amount: str = "99.90", reference: str = "AB-1001"):
    return AuthorizeRequest(reference=reference, amount=eur(amount), idempotency_key=key, card=card_make(number))


@pytest.fixture
def gateway() -> TestGateway:
    return TestGateway()


@pytest.fixture
def authorize(gateway: TestGateway) -> Callable[..., PaymentResult]:
    def pay(number: str = VISA_OK, **kwargs: str) -> PaymentResult:
        return gateway.authorize(request_make(number, **kwargs))

    return pay
