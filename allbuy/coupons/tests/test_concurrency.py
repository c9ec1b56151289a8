"""Caps hold under real parallel connections (PostgreSQL): each thread has its own connection and transaction."""

import threading
import time
from collections import Counter
from collections.abc import Callable

from django.db import transaction

from allbuy.accounts.services import user_create
from allbuy.core.tests.parallel import ON_POSTGRES_ONLY, WAIT, codes_or_results
from allbuy.core.tests.parallel import run_together as shared_run_together
from allbuy.coupons.exceptions import CouponError
from allbuy.coupons.models import Coupon, CouponRedemption
from allbuy.coupons.services import coupon_redeem
from allbuy.coupons.tests.factories import CouponFactory

pytestmark = ON_POSTGRES_ONLY


def run_together(jobs: list[Callable[[], str]]) -> list[str]:
    """Run the jobs at once, each in its own connection: a refusal reads as its code."""
    return codes_or_results(shared_run_together(jobs, what="a redemption"), CouponError)


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
