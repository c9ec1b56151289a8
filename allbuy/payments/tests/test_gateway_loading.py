"""The gateway is a setting: any PaymentGateway subclass, named by its dotted path, plugs in."""

from collections.abc import Mapping
from datetime import datetime

import pytest
from django.core.exceptions import ImproperlyConfigured

from allbuy.core.money import Money
from allbuy.payments.gateway import (
    AuthorizeRequest,
    PaymentGateway,
    PaymentResult,
    PaymentStatus,
    WebhookEvent,
    gateway_get,
    gateway_reset,
)
from allbuy.payments.test_gateway import TestGateway
from allbuy.payments.tests.conftest import request_make


class ApprovingGateway(PaymentGateway):
    """A stand-in provider that approves everything and remembers nothing."""

    code = "approving"

    def authorize(self, request: AuthorizeRequest) -> PaymentResult:
        return PaymentResult(PaymentStatus.AUTHORIZED, f"ok-{request.reference}", request.amount, card_last4=request.card.last4)

    def capture(self, *, gateway_ref: str, amount: Money, idempotency_key: str) -> PaymentResult:
        return PaymentResult(PaymentStatus.CAPTURED, gateway_ref, amount)

    def void(self, *, gateway_ref: str, idempotency_key: str) -> PaymentResult:
        raise NotImplementedError

    def refund(self, *, gateway_ref: str, amount: Money, idempotency_key: str) -> PaymentResult:
        raise NotImplementedError

    def webhook_parse(self, *, body: bytes, headers: Mapping[str, str], now: datetime) -> WebhookEvent:
        raise NotImplementedError


class NotAGateway:
    pass


@pytest.fixture(autouse=True)
def _fresh_gateway():
    gateway_reset()
    yield
    gateway_reset()


def test_the_default_is_the_test_gateway_created_once():
    gateway = gateway_get()
    assert isinstance(gateway, TestGateway)
    assert gateway.code == "test"
    assert gateway_get() is gateway


def test_a_gateway_named_in_the_settings_is_used(settings):
    default = gateway_get()
    settings.ALLBUY_PAYMENT_GATEWAY = f"{__name__}.ApprovingGateway"
    gateway = gateway_get()
    assert isinstance(gateway, ApprovingGateway)
    assert gateway is not default
    assert gateway_get() is gateway
    result = gateway.authorize(request_make(reference="AB-7"))
    assert (result.gateway_ref, result.card_last4) == ("ok-AB-7", "4242")


def test_changing_the_setting_back_restores_the_default(settings):
    settings.ALLBUY_PAYMENT_GATEWAY = f"{__name__}.ApprovingGateway"
    assert gateway_get().code == "approving"
    settings.ALLBUY_PAYMENT_GATEWAY = "allbuy.payments.test_gateway.TestGateway"
    assert gateway_get().code == "test"


def test_reset_builds_a_new_instance():
    first = gateway_get()
    gateway_reset()
    assert gateway_get() is not first


@pytest.mark.parametrize("path", ["allbuy.payments.nowhere.Gateway", f"{__name__}.NotAGateway", f"{__name__}.request_make"])
def test_a_setting_that_names_no_gateway_is_a_configuration_error(settings, path):
    settings.ALLBUY_PAYMENT_GATEWAY = path
    with pytest.raises(ImproperlyConfigured, match="ALLBUY_PAYMENT_GATEWAY"):
        gateway_get()


def test_an_incomplete_gateway_cannot_be_created():
    class Partial(PaymentGateway):
        code = "partial"

    with pytest.raises(TypeError):
        Partial()  # type: ignore[abstract]
