"""Idempotency holds under real parallel connections (PostgreSQL): one charge, however many calls race with one key."""

from collections import Counter
from collections.abc import Callable

from allbuy.core.tests.parallel import ON_POSTGRES_ONLY, codes_or_results
from allbuy.core.tests.parallel import run_together as shared_run_together
from allbuy.payments.exceptions import PaymentError
from allbuy.payments.models import TestGatewayCharge, TestGatewayOperation
from allbuy.payments.test_gateway import TestGateway
from allbuy.payments.tests.conftest import TIMEOUT, VISA_OK, eur, request_make

pytestmark = ON_POSTGRES_ONLY


def run_together(jobs: list[Callable[[], str]]) -> list[str]:
    """Run the jobs at once, each in its own connection: a refusal reads as its code."""
    return codes_or_results(shared_run_together(jobs, what="a payment call"), PaymentError)


def authorize(number: str, key: str) -> Callable[[], str]:
    def job() -> str:
        result = TestGateway().authorize(request_make(number, key=key))
        return f"{result.status}:{result.gateway_ref}"

    return job


def test_ten_parallel_authorizations_with_one_key_make_one_charge():
    outcomes = run_together([authorize(VISA_OK, "double-click") for _ in range(10)])
    ref = TestGatewayCharge.objects.get().gateway_ref
    assert Counter(outcomes) == {f"authorized:{ref}": 10}


def test_parallel_retries_after_a_timeout_make_one_charge():
    outcomes = run_together([authorize(TIMEOUT, "lost-answer") for _ in range(10)])
    ref = TestGatewayCharge.objects.get().gateway_ref
    # exactly one call recorded the charge and lost its answer; every other call got the recorded result
    assert Counter(outcomes) == {"payment_timeout": 1, f"authorized:{ref}": 9}


def test_parallel_refunds_never_give_back_more_than_was_captured():
    gateway = TestGateway()
    ref = gateway.authorize(request_make(VISA_OK, key="pay", amount="100.00")).gateway_ref
    gateway.capture(gateway_ref=ref, amount=eur("100.00"), idempotency_key="cap")

    def refund(key: str) -> Callable[[], str]:
        def job() -> str:
            return str(TestGateway().refund(gateway_ref=ref, amount=eur("30.00"), idempotency_key=key).status)

        return job

    # eight different refunds of 30.00 race, twice each (a retry racing its original)
    outcomes = run_together([refund(f"refund-{n % 8}") for n in range(16)])
    refunded = {op.idempotency_key for op in TestGatewayOperation.objects.filter(kind="refund")}
    assert len(refunded) == 3  # 90.00 of 100.00
    assert Counter(outcomes) == {"captured": 6, "refund_too_large": 10}
    assert TestGatewayCharge.objects.get().refunded_amount == 90
