"""Idempotency holds under real parallel connections (PostgreSQL): one charge, however many calls race with one key."""

import threading
from collections import Counter
from collections.abc import Callable

import pytest
from django.db import connection

from allbuy.payments.exceptions import PaymentError
from allbuy.payments.models import TestGatewayCharge, TestGatewayOperation
from allbuy.payments.test_gateway import TestGateway
from allbuy.payments.tests.conftest import TIMEOUT, VISA_OK, eur, request_make

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SQLite serialises all writers, so it cannot show a race; run on PostgreSQL"
    ),
]
WAIT = 60  # seconds: a bound on every wait, so a deadlock fails the test instead of hanging it


def run_together(jobs: list[Callable[[], str]]) -> list[str]:
    """Run each job in its own thread and connection, released at once by a barrier; return their outcomes."""
    start = threading.Barrier(len(jobs), timeout=WAIT)
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(job: Callable[[], str]) -> None:
        try:
            start.wait()
            outcome = job()
        except PaymentError as error:
            outcome = error.code
        except BaseException as error:  # reported by the caller's assertion
            outcome = f"crashed: {error!r}"
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=WAIT)
    assert not any(thread.is_alive() for thread in threads), "a payment call never finished"
    return outcomes


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
