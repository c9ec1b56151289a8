"""Caps hold under real parallel connections (PostgreSQL): each thread has its own connection and transaction."""

import threading
import time
from collections import Counter
from collections.abc import Callable

import pytest
from django.db import connection, transaction

from allbuy.accounts.services import user_create
from allbuy.coupons.exceptions import CouponError
from allbuy.coupons.models import Coupon, CouponRedemption
from allbuy.coupons.services import coupon_redeem
from allbuy.coupons.tests.factories import CouponFactory

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
        except CouponError as error:
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
    assert not any(thread.is_alive() for thread in threads), "a redemption never finished"
    return outcomes


def redeem(coupon_id: int, user, order_ref: str) -> Callable[[], str]:
    def job() -> str:
        coupon_redeem(coupon_id=coupon_id, user=user, order_ref=order_ref)
        return "ok"

    return job


def test_fifty_shoppers_racing_for_ten_uses():
    # given
    coupon = CouponFactory.create(total_cap=10)
    users = [user_create(email=f"racer{n}@example.org") for n in range(50)]
    # when
    outcomes = run_together([redeem(coupon.pk, user, f"order-{n}") for n, user in enumerate(users)])
    # then
    assert Counter(outcomes) == {"ok": 10, "cap_reached": 40}
    coupon.refresh_from_db()
    assert coupon.uses == 10
    assert CouponRedemption.objects.filter(coupon=coupon).count() == 10


def test_one_customer_in_five_tabs_redeems_once():
    coupon = CouponFactory.create(per_customer_cap=1)
    user = user_create(email="tabs@example.org")
    outcomes = run_together([redeem(coupon.pk, user, f"tab-{n}") for n in range(5)])
    assert Counter(outcomes) == {"ok": 1, "already_used_by_you": 4}
    coupon.refresh_from_db()
    assert coupon.uses == 1
    assert CouponRedemption.objects.filter(coupon=coupon, user=user).count() == 1


def test_a_rolled_back_redemption_leaves_the_last_use_to_a_waiting_shopper():
    # given: one use left; the first order takes it, then its payment fails while a second shopper waits on the row
    coupon = CouponFactory.create(total_cap=1)
    first, second = user_create(email="first@example.org"), user_create(email="second@example.org")
    first_holds_the_use, second_started = threading.Event(), threading.Event()

    class PaymentFailed(Exception):
        pass

    def failing_order() -> str:
        try:
            with transaction.atomic():
                coupon_redeem(coupon_id=coupon.pk, user=first, order_ref="first")
                first_holds_the_use.set()
                assert second_started.wait(WAIT)
                time.sleep(0.3)  # let the second shopper's UPDATE queue behind our row lock
                raise PaymentFailed
        except PaymentFailed:
            return "rolled back"

    def waiting_order() -> str:
        assert first_holds_the_use.wait(WAIT)
        second_started.set()
        coupon_redeem(coupon_id=coupon.pk, user=second, order_ref="second")
        return "ok"

    # when
    outcomes = run_together([failing_order, waiting_order])
    # then
    assert sorted(outcomes) == ["ok", "rolled back"]
    coupon.refresh_from_db()
    assert coupon.uses == 1
    assert list(CouponRedemption.objects.values_list("order_ref", flat=True)) == ["second"]


def test_a_rolled_back_redemption_leaves_uses_unchanged():
    coupon = CouponFactory.create(total_cap=3)
    users = [user_create(email=f"undo{n}@example.org") for n in range(3)]

    def rolled_back(user, n: int) -> Callable[[], str]:
        def job() -> str:
            with transaction.atomic():
                coupon_redeem(coupon_id=coupon.pk, user=user, order_ref=f"undo-{n}")
                transaction.set_rollback(True)
            return "rolled back"

        return job

    outcomes = run_together([rolled_back(user, n) for n, user in enumerate(users)])
    assert outcomes == ["rolled back"] * 3
    assert Coupon.objects.get(pk=coupon.pk).uses == 0
    assert not CouponRedemption.objects.exists()
