"""Rate limit on coupon codes that do not work, per account and per IP address, against brute-forcing codes.

How a caller uses it, around each code a shopper submits:

    coupon_attempt_check(user_id=..., ip=..., now=now)            # raises CouponRateLimited (429) when over a limit
    ... look the code up and check it ...
    if refused for a reason in FAILED_REASONS:
        coupon_attempt_record_failure(user_id=..., ip=..., now=now)

Only failed attempts count: a code that works (or one refused because of the cart, which proves the code exists)
costs nothing. At most `ALLBUY_COUPON_FAILURES_PER_ACCOUNT` failures per account (guests: none; the address limit
covers them) and `ALLBUY_COUPON_FAILURES_PER_IP` per IP address, across every account and guest behind it, are
allowed per window of `ALLBUY_COUPON_FAILURE_WINDOW_SECONDS`; the attempt after that is refused until the window
ends.

Counting
    Fixed windows: the counters are keyed on floor(now / window), so a window starts afresh for everyone at once
    (a burst straddling a boundary may get up to twice a limit, which is fine against guessing 10-character codes).
    They live in the "ratelimit" cache, which every gunicorn worker shares: Redis when REDIS_URL is set, otherwise
    the database table of the "axes" cache. A failure is `cache.add(key, 1)`, or `cache.incr` when the key exists.
    On Redis INCR is atomic. On the database cache, incr is a read then a write, so two failures at the very same
    moment may count once: a few extra guesses at worst, which is good enough. Because the database cache writes
    through the default connection, record a failure outside any transaction the refusal rolls back.

Privacy
    An IP address is personal data, so none is stored: the address counter is keyed on its blind index (HMAC-SHA256
    under a key derived from a master-key-wrapped secret, `allbuy.privacy.crypto.blind_index`), which cannot be
    turned back into the address. IPv6 addresses are counted per /64, the block one subscriber usually holds. The
    account counter is keyed on the account id, and every counter expires with its window.
"""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import caches

from allbuy.coupons.eligibility import Reason
from allbuy.coupons.exceptions import CouponRateLimited
from allbuy.privacy.crypto import blind_index

CACHE_ALIAS = "ratelimit"
# Refusals about the code itself, what a guesser mostly sees; refusals about the cart or caps name a real code.
FAILED_REASONS = frozenset({Reason.UNKNOWN, Reason.INACTIVE, Reason.NOT_YET_VALID, Reason.EXPIRED})


@dataclass(frozen=True, slots=True)
class _Counter:
    key: str
    limit: int


def _window_seconds() -> int:
    return max(1, int(settings.ALLBUY_COUPON_FAILURE_WINDOW_SECONDS))


def _window_index(now: datetime) -> int:
    return math.floor(now.timestamp() / _window_seconds())


def _address_key(ip: str) -> str:
    """Return what an address is counted under: IPv4 as is, IPv6 by its /64, both blind-indexed."""
    text = ip.strip()
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        subject = text  # not an address (a misconfigured proxy header?): still counted, still never stored
    else:
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            subject = str(address.ipv4_mapped)
        elif isinstance(address, ipaddress.IPv6Address):
            subject = str(ipaddress.IPv6Network((address, 64), strict=False))
        else:
            subject = str(address)
    return blind_index(subject, kind="coupon-ip")


def _counters(*, user_id: int | None, ip: str, now: datetime) -> list[_Counter]:
    window = _window_index(now)
    counters = []
    if user_id is not None:
        counters.append(_Counter(f"coupon-failures:account:{user_id}:{window}", settings.ALLBUY_COUPON_FAILURES_PER_ACCOUNT))
    if ip.strip():
        counters.append(_Counter(f"coupon-failures:ip:{_address_key(ip)}:{window}", settings.ALLBUY_COUPON_FAILURES_PER_IP))
    return counters


def _seconds_left(now: datetime) -> int:
    window = _window_seconds()
    ends = (_window_index(now) + 1) * window
    return max(1, math.ceil(ends - now.timestamp()))


def _wait_text(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def coupon_attempt_check(*, user_id: int | None, ip: str, now: datetime) -> None:
    """Raise CouponRateLimited when this account or address has used up its failures for the current window.

    One cache read (both counters at once). `retry_after` in the error's extra is the number of seconds until the
    window ends, also said in its message; the API returns it in `extra`.
    """
    counters = _counters(user_id=user_id, ip=ip, now=now)
    if not counters:
        return
    counts = caches[CACHE_ALIAS].get_many([counter.key for counter in counters])
    if any(counts.get(counter.key, 0) >= counter.limit for counter in counters):
        retry_after = _seconds_left(now)
        raise CouponRateLimited(
            f"Too many codes didn't work. Please try again in {_wait_text(retry_after)}.",
            extra={"retry_after": retry_after},
        )


def coupon_attempt_record_failure(*, user_id: int | None, ip: str, now: datetime) -> None:
    """Count one failed code against the account (if any) and the address, in the window of `now`."""
    cache = caches[CACHE_ALIAS]
    # Each counter outlives its window, whenever in it the first failure came (`now` is the caller's clock).
    timeout = _window_seconds()
    for counter in _counters(user_id=user_id, ip=ip, now=now):
        if cache.add(counter.key, 1, timeout):
            continue
        try:
            cache.incr(counter.key)
        except ValueError:  # expired between add and incr: this failure starts it again
            cache.add(counter.key, 1, timeout)
            continue
        # The database cache's incr rewrites the entry with the alias's default timeout; keep the window's.
        cache.touch(counter.key, timeout)
