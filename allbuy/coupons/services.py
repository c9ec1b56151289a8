"""Writes: create coupons, redeem and release uses without ever exceeding a cap, generate batches of codes.

Caps under concurrency
- The total cap is one conditional UPDATE (`uses = uses + 1 WHERE ... AND (total_cap IS NULL OR uses < total_cap)`).
  PostgreSQL re-checks the WHERE on the newest row version after waiting for a concurrent writer's lock, so of N
  parallel redemptions exactly `total_cap - uses` see one updated row; the others see none. A check constraint
  (`uses <= total_cap`) backs it up.
- The per-customer cap locks a per-(coupon, account) counter row with SELECT ... FOR UPDATE: the row is first
  inserted with ON CONFLICT DO NOTHING (so parallel tabs never fail on the unique constraint), then locked, read and
  incremented. Tabs of one account queue on that row; different accounts never wait for each other there.
- Locks are always taken in the same order (customer counter, then coupon) by redeem and release, so they cannot
  deadlock with each other. Everything runs in `transaction.atomic()`: inside a caller's order transaction, a
  rollback gives every use back.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F, Q

from allbuy.accounts.models import User
from allbuy.core import clock
from allbuy.core.errors import InvalidInput
from allbuy.coupons.eligibility import MESSAGES, Reason
from allbuy.coupons.exceptions import CouponAlreadyUsed, CouponCapReached, CouponError, CouponNotFound
from allbuy.coupons.models import Coupon, CouponBatch, CouponCustomerUsage, CouponRedemption, code_normalise

# No 0/O or 1/I: codes are read off printed cards and typed by hand.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10
BATCH_CHUNK = 500  # below SQLite's bound on query parameters for the clash check
BATCH_MAX = 100_000
_CHUNK_ATTEMPTS = 5


def coupon_create(
    *,
    code: str,
    kind: str,
    value: Decimal,
    valid_from: datetime,
    valid_until: datetime | None = None,
    currency: str = "",
    min_subtotal: Decimal = Decimal("0"),
    total_cap: int | None = None,
    per_customer_cap: int | None = None,
    stacks_with_deals: bool = False,
    stacks_with_promotions: bool = False,
    include_brand_ids: Iterable[int] = (),
    include_category_ids: Iterable[int] = (),
    include_product_ids: Iterable[int] = (),
    exclude_brand_ids: Iterable[int] = (),
    exclude_category_ids: Iterable[int] = (),
    exclude_product_ids: Iterable[int] = (),
) -> Coupon:
    coupon = Coupon(
        code=code,
        kind=kind,
        value=value,
        currency=currency,
        min_subtotal=min_subtotal,
        valid_from=valid_from,
        valid_until=valid_until,
        total_cap=total_cap,
        per_customer_cap=per_customer_cap,
        stacks_with_deals=stacks_with_deals,
        stacks_with_promotions=stacks_with_promotions,
    )
    coupon.code_key = code_normalise(code)
    with transaction.atomic():
        coupon.full_clean()
        coupon.save()
        coupon.include_brands.set(include_brand_ids)
        coupon.include_categories.set(include_category_ids)
        coupon.include_products.set(include_product_ids)
        coupon.exclude_brands.set(exclude_brand_ids)
        coupon.exclude_categories.set(exclude_category_ids)
        coupon.exclude_products.set(exclude_product_ids)
    return coupon


_UNREAD = object()


def _refusal(reason: Reason) -> CouponError:
    if reason == Reason.CAP_REACHED:
        return CouponCapReached(MESSAGES[reason])
    if reason == Reason.ALREADY_USED_BY_YOU:
        return CouponAlreadyUsed(MESSAGES[reason])
    return CouponError(MESSAGES[reason], code=reason.value)


def _why_not_taken(coupon_id: int, moment: datetime) -> CouponError:
    coupon = Coupon.objects.filter(pk=coupon_id).first()
    if coupon is None:
        return CouponError(MESSAGES[Reason.UNKNOWN], code=Reason.UNKNOWN.value, status=404)
    if not coupon.is_active:
        return _refusal(Reason.INACTIVE)
    if moment < coupon.valid_from:
        return _refusal(Reason.NOT_YET_VALID)
    if coupon.valid_until is not None and moment >= coupon.valid_until:
        return _refusal(Reason.EXPIRED)
    return _refusal(Reason.CAP_REACHED)


def _customer_use_take(*, coupon_id: int, user: User, cap: int) -> None:
    CouponCustomerUsage.objects.bulk_create([CouponCustomerUsage(coupon_id=coupon_id, user=user)], ignore_conflicts=True)
    usage = CouponCustomerUsage.objects.select_for_update().get(coupon_id=coupon_id, user=user)
    if usage.uses >= cap:
        raise _refusal(Reason.ALREADY_USED_BY_YOU)
    CouponCustomerUsage.objects.filter(pk=usage.pk).update(uses=F("uses") + 1)


@transaction.atomic
def coupon_redeem(
    *,
    coupon_id: int,
    user: User,
    order_ref: str,
    now: datetime | None = None,
    per_customer_cap: int | object | None = _UNREAD,
) -> CouponRedemption:
    """Consume one use of the coupon for this account's order, or raise the reason it cannot be used.

    Call it inside the order's transaction: the use commits or rolls back with the order. A caller that has
    just read the coupon passes its `per_customer_cap` and saves a query.
    """
    moment = now or clock.now()
    cap = per_customer_cap
    if cap is _UNREAD:
        row = Coupon.objects.filter(pk=coupon_id).values_list("per_customer_cap").first()
        if row is None:
            raise CouponNotFound(MESSAGES[Reason.UNKNOWN])
        cap = row[0]
    if isinstance(cap, int):
        _customer_use_take(coupon_id=coupon_id, user=user, cap=cap)
    taken = (
        Coupon.objects.filter(pk=coupon_id, is_active=True, valid_from__lte=moment)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=moment))
        .filter(Q(total_cap__isnull=True) | Q(uses__lt=F("total_cap")))
        .update(uses=F("uses") + 1)
    )
    if taken != 1:
        raise _why_not_taken(coupon_id, moment)
    return CouponRedemption.objects.create(coupon_id=coupon_id, user=user, order_ref=order_ref)


@transaction.atomic
def coupon_release(*, redemption: CouponRedemption, now: datetime | None = None) -> CouponRedemption:
    """Give the use back (a failed or cancelled payment). Releasing twice changes nothing."""
    locked = CouponRedemption.objects.select_for_update().get(pk=redemption.pk)
    if locked.released_at is not None:
        return locked
    if locked.user_id is not None:
        usage = CouponCustomerUsage.objects.filter(coupon_id=locked.coupon_id, user_id=locked.user_id, uses__gt=0)
        usage.update(uses=F("uses") - 1)
    Coupon.objects.filter(pk=locked.coupon_id, uses__gt=0).update(uses=F("uses") - 1)
    locked.released_at = now or clock.now()
    locked.save(update_fields=["released_at"])
    return locked


@dataclass(frozen=True, slots=True)
class CouponTemplate:
    """What every code of a batch shares; each code is single-use (total cap 1)."""

    kind: str
    value: Decimal
    valid_from: datetime
    valid_until: datetime | None = None
    currency: str = ""
    min_subtotal: Decimal = Decimal("0")
    stacks_with_deals: bool = False
    stacks_with_promotions: bool = False

    def coupon(self, *, code: str, batch: CouponBatch | None = None) -> Coupon:
        return Coupon(
            code=code,
            code_key=code_normalise(code),
            kind=self.kind,
            value=self.value,
            currency=self.currency.upper(),
            min_subtotal=self.min_subtotal,
            valid_from=self.valid_from,
            valid_until=self.valid_until,
            total_cap=1,
            per_customer_cap=1,
            stacks_with_deals=self.stacks_with_deals,
            stacks_with_promotions=self.stacks_with_promotions,
            batch=batch,
        )


def code_random(*, prefix: str = "") -> str:
    """Return a fresh code: the prefix, a hyphen, then CODE_LENGTH characters from an unambiguous alphabet."""
    body = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{prefix}-{body}" if prefix else body


def _prefix_clean(prefix: str) -> str:
    cleaned = prefix.strip().upper()
    if len(cleaned) > 12 or not all(ch.isascii() and ch.isalnum() for ch in cleaned):
        raise InvalidInput("The prefix must be at most 12 letters or digits.", code="invalid_prefix")
    return cleaned


def _codes_unclaimed(*, prefix: str, count: int, seen: set[str]) -> list[str]:
    """Return `count` codes that are neither in this batch yet (`seen`) nor in the database."""
    codes: dict[str, str] = {}
    while len(codes) < count:
        for _ in range(count - len(codes)):
            code = code_random(prefix=prefix)
            key = code_normalise(code)
            if key not in seen:
                codes[key] = code
        taken = set(Coupon.objects.filter(code_key__in=list(codes)).values_list("code_key", flat=True))
        for key in taken:
            del codes[key]
    return list(codes.values())


def _chunk_insert(*, template: CouponTemplate, batch: CouponBatch, prefix: str, count: int, seen: set[str]) -> None:
    for _ in range(_CHUNK_ATTEMPTS):
        codes = _codes_unclaimed(prefix=prefix, count=count, seen=seen)
        try:
            with transaction.atomic():
                Coupon.objects.bulk_create([template.coupon(code=code, batch=batch) for code in codes])
        except IntegrityError:
            continue  # another writer claimed one of these codes since the check: draw the chunk again
        seen.update(code_normalise(code) for code in codes)
        return
    raise InvalidInput("Could not find unused codes; try a longer prefix.", code="codes_exhausted")


@transaction.atomic
def coupon_batch_generate(*, template: CouponTemplate, count: int, prefix: str = "", label: str = "") -> CouponBatch:
    """Create `count` unique single-use codes sharing the template, all or none."""
    if not 1 <= count <= BATCH_MAX:
        raise InvalidInput(f"The count must be between 1 and {BATCH_MAX:,}.", code="invalid_count")
    prefix = _prefix_clean(prefix)
    sample = template.coupon(code=code_random(prefix=prefix))
    sample.full_clean(exclude=["code_key", "batch"], validate_unique=False)
    batch = CouponBatch.objects.create(label=label, prefix=prefix, size=count)
    seen: set[str] = set()
    for start in range(0, count, BATCH_CHUNK):
        _chunk_insert(template=template, batch=batch, prefix=prefix, count=min(BATCH_CHUNK, count - start), seen=seen)
    return batch
