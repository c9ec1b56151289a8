"""Failed coupon codes are rate-limited per account and per IP address, in fixed windows, without storing an IP."""

import base64
from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import connection

from allbuy.coupons.eligibility import Reason
from allbuy.coupons.exceptions import CouponRateLimited
from allbuy.coupons.ratelimit import (
    CACHE_ALIAS,
    FAILED_REASONS,
    coupon_attempt_check,
    coupon_attempt_record_failure,
)
from allbuy.coupons.selectors import coupon_get_by_code
from allbuy.coupons.tests.factories import CouponFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # a window boundary for the default 900 s (and any divisor of an hour)
WINDOW = timedelta(seconds=900)
IP = "203.0.113.7"
ACCOUNT = 41


def fail(times: int, *, user_id: int | None = ACCOUNT, ip: str = IP, now: datetime = NOW) -> None:
    for _ in range(times):
        coupon_attempt_check(user_id=user_id, ip=ip, now=now)
        coupon_attempt_record_failure(user_id=user_id, ip=ip, now=now)


def refused(*, user_id: int | None = ACCOUNT, ip: str = IP, now: datetime = NOW) -> bool:
    try:
        coupon_attempt_check(user_id=user_id, ip=ip, now=now)
    except CouponRateLimited:
        return True
    return False


def try_code(code: str, *, user_id: int | None = ACCOUNT, ip: str = IP, now: datetime = NOW) -> bool:
    """What the apply-coupon flow does: check, look the code up, count it only if it did not work."""
    coupon_attempt_check(user_id=user_id, ip=ip, now=now)
    if coupon_get_by_code(code=code) is None:
        coupon_attempt_record_failure(user_id=user_id, ip=ip, now=now)
        return False
    return True


def test_the_eleventh_failure_from_one_account_is_refused():
    fail(10, ip="")  # no address: only the account counts

    with pytest.raises(CouponRateLimited) as caught:
        coupon_attempt_check(user_id=ACCOUNT, ip="", now=NOW + timedelta(minutes=3))

    error = caught.value
    assert (error.status, error.code) == (429, "coupon_rate_limited")
    assert error.extra == {"retry_after": 12 * 60}
    assert "try again in 12 minutes" in error.message


def test_another_account_is_not_affected():
    fail(10, user_id=ACCOUNT, ip="198.51.100.1")

    assert refused(user_id=ACCOUNT, ip="198.51.100.1")
    assert not refused(user_id=ACCOUNT + 1, ip="198.51.100.2")
    assert not refused(user_id=ACCOUNT + 1, ip="198.51.100.1")  # the shared address is at 10 of 30


def test_the_address_limit_counts_every_account_and_guest_behind_it():
    for user_id in range(100, 129):
        fail(1, user_id=user_id)
    fail(1, user_id=None)  # the 30th: a guest

    assert refused(user_id=999)
    assert refused(user_id=None)
    assert not refused(user_id=999, ip="203.0.113.8")


def test_a_guest_is_limited_by_address_alone():
    fail(30, user_id=None)

    assert refused(user_id=None)
    assert not refused(user_id=None, ip="203.0.113.8")


def test_ipv6_addresses_count_per_64_block():
    fail(30, user_id=None, ip="2001:db8:1:2::1")

    assert refused(user_id=None, ip="2001:db8:1:2:ffff::9")
    assert not refused(user_id=None, ip="2001:db8:1:3::1")


def test_an_ipv4_mapped_address_counts_as_the_ipv4_address():
    fail(30, user_id=None, ip="::ffff:203.0.113.7")

    assert refused(user_id=None, ip=IP)


def test_the_limit_lifts_when_the_window_ends():
    fail(10)

    assert refused(now=NOW + WINDOW - timedelta(seconds=1))
    assert not refused(now=NOW + WINDOW)
    fail(10, now=NOW + WINDOW + timedelta(minutes=1))
    assert refused(now=NOW + WINDOW + timedelta(minutes=2))


def test_retry_after_counts_down_to_the_end_of_the_window():
    fail(10)

    with pytest.raises(CouponRateLimited) as caught:
        coupon_attempt_check(user_id=ACCOUNT, ip=IP, now=NOW + WINDOW - timedelta(seconds=30))

    assert caught.value.extra == {"retry_after": 30}
    assert "try again in 30 seconds" in caught.value.message


def test_codes_that_work_do_not_count():
    CouponFactory.create(code="SPRING-10")

    assert all(try_code("spring 10") for _ in range(25))
    assert not any(try_code(f"GUESS{n}") for n in range(9))
    assert not refused()
    assert not try_code("GUESS9")
    assert refused()
    with pytest.raises(CouponRateLimited):
        try_code("SPRING-10")  # refused before the look-up: a guesser learns nothing more this window


def test_the_limits_come_from_settings(settings):
    settings.ALLBUY_COUPON_FAILURES_PER_ACCOUNT = 2
    settings.ALLBUY_COUPON_FAILURES_PER_IP = 3
    settings.ALLBUY_COUPON_FAILURE_WINDOW_SECONDS = 60

    fail(2)
    assert refused()
    assert not refused(now=NOW + timedelta(seconds=60))
    fail(1, user_id=7)
    assert refused(user_id=8)


def test_failures_about_the_code_itself_are_the_ones_to_count():
    assert {Reason.UNKNOWN, Reason.EXPIRED} <= FAILED_REASONS
    assert Reason.MINIMUM_NOT_MET not in FAILED_REASONS


def test_the_counters_are_shared_by_every_worker_and_hold_no_raw_ip():
    addresses = [IP, "2001:db8:1:2::1", "::ffff:198.51.100.23"]
    for ip in addresses:
        fail(3, ip=ip)

    assert not isinstance(caches[CACHE_ALIAS], LocMemCache)
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key, value FROM allbuy_axes_cache")
        rows = cursor.fetchall()
    stored = " ".join(f"{key} {base64.b64decode(value)!r}" for key, value in rows)
    assert sum(":coupon-failures:ip:" in key for key, _ in rows) == 3
    for text in (*addresses, "198.51.100.23", "2001:db8:1:2::", "203.0.113"):
        assert text not in stored
