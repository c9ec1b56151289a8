"""Writes to deals and promotions. Saves and deletes also invalidate cached catalog pages (see apps.py).

Checkout and lock order
    The checkout takes, per line and inside its one transaction: the variant's stock (conditional UPDATE),
    then `deal_units_take` (the deal's total cap: conditional UPDATE of the deal row), then
    `deal_customer_units_take` (the account's units of that deal: its usage row, SELECT ... FOR UPDATE),
    then the coupon (`coupons.services.coupon_redeem`: customer counter, then coupon). Every writer takes
    these locks in that order, and releases (`deal_units_release`, then `deal_customer_units_release`) too,
    so no two of them can wait on each other in a cycle. Lines must be taken in a stable order (by variant
    id) so that two orders with the same variants lock them alike. A rollback of the checkout gives every
    unit back.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q

from allbuy.accounts.models import User
from allbuy.catalog.models import Variant
from allbuy.catalog.services import catalog_revision_bump
from allbuy.core import clock
from allbuy.core.errors import InvalidInput
from allbuy.deals.exceptions import DealInvalid, DealOverlaps
from allbuy.deals.models import Deal, DealCustomerUsage, Promotion

OVERLAP_CONSTRAINT = "deal_no_overlap_per_variant"


def _invalid(error: ValidationError) -> DealInvalid:
    errors = {field: [str(m) for m in messages] for field, messages in error.message_dict.items()}
    first = next(iter(errors.values()))[0]
    return DealInvalid(first, extra={"errors": errors})


@transaction.atomic
def deal_save(*, deal: Deal) -> Deal:
    """Validate and store `deal`, refusing a window that overlaps another deal on the same variant.

    The variant row is locked first, so two concurrent saves for one variant run their overlap check
    one after the other (SQLite serialises writers anyway). On PostgreSQL an exclusion constraint
    (migration 0002) backs the check in the database itself.
    """
    Variant.objects.select_for_update().filter(pk=deal.variant_id).first()
    try:
        deal.full_clean()
    except ValidationError as error:
        if any(e.code == "deal_overlaps" for e in error.error_dict.get("starts_at", [])):
            raise DealOverlaps("Another deal on this variant overlaps this window.") from None
        raise _invalid(error) from None
    try:
        with transaction.atomic():
            deal.save()
    except IntegrityError as error:
        if OVERLAP_CONSTRAINT in str(error):
            raise DealOverlaps("Another deal on this variant overlaps this window.") from None
        raise
    return deal


def deal_create(
    *,
    variant: Variant,
    title: str,
    deal_price: Decimal,
    starts_at: datetime,
    ends_at: datetime,
    quantity_cap: int | None = None,
    per_customer_limit: int | None = None,
) -> Deal:
    deal = Deal(
        variant=variant,
        title=title,
        deal_price=deal_price,
        currency=variant.currency,
        starts_at=starts_at,
        ends_at=ends_at,
        quantity_cap=quantity_cap,
        per_customer_limit=per_customer_limit,
    )
    return deal_save(deal=deal)


@transaction.atomic
def deal_delete(*, deal: Deal) -> None:
    deal.delete()


def _positive(quantity: int) -> None:
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise InvalidInput("The quantity must be a whole number of at least 1.", code="quantity_invalid")


def deal_units_take(*, deal_id: int, quantity: int, now: datetime | None = None, capped: bool = True) -> bool:
    """Count `quantity` units against the deal's cap if they fit and the deal is live at `now`.

    One conditional UPDATE: the database checks the cap and the window and increments in the same
    statement, so parallel checkouts can never take more than the cap. Return False when the units
    do not fit (or the deal is not live); the caller then sells at the regular price or refuses.
    Call it inside the checkout transaction, so a rollback gives the units back.
    """
    _positive(quantity)
    moment = now if now is not None else clock.now()
    fits = Q(quantity_cap__isnull=True) | Q(units_sold__lte=F("quantity_cap") - quantity)
    updated = (
        Deal.objects.filter(pk=deal_id, starts_at__lte=moment, ends_at__gt=moment)
        .filter(fits)
        .update(units_sold=F("units_sold") + quantity)
    )
    # `capped=False` (the caller read the deal and it has no cap) skips the sell-out check: it cannot sell out.
    if (
        updated
        and capped
        and Deal.objects.filter(pk=deal_id, quantity_cap__isnull=False, units_sold__gte=F("quantity_cap")).exists()
    ):
        # Sold out: cached pages must drop the deal price. After commit, so that the hot revision row
        # is never locked for the length of a checkout transaction.
        transaction.on_commit(catalog_revision_bump)
    return updated == 1


def deal_units_release(*, deal_id: int, quantity: int) -> bool:
    """Give back `quantity` units taken earlier (a failed payment, a cancelled order), even after the window.

    Return False, changing nothing, when fewer units than that were counted: releasing twice is a bug
    the caller must hear about, not a counter to drive below zero.
    """
    _positive(quantity)
    updated = Deal.objects.filter(pk=deal_id, units_sold__gte=quantity).update(units_sold=F("units_sold") - quantity)
    if updated and Deal.objects.filter(pk=deal_id, quantity_cap__isnull=False).exists():
        transaction.on_commit(catalog_revision_bump)  # a sold-out deal may be live again
    return updated == 1


@transaction.atomic
def deal_customer_units_take(*, deal_id: int, user: User, quantity: int) -> bool:
    """Count `quantity` units against this account's `per_customer_limit` on the deal, if they fit.

    Return True, writing nothing, when the deal has no per-customer limit. Otherwise the account's usage row
    is inserted if missing (ON CONFLICT DO NOTHING, so parallel tabs never fail on the unique constraint),
    locked with SELECT ... FOR UPDATE, read and incremented only if `units + quantity <= limit`: tabs of one
    account queue on that row, other accounts never wait there. Return False, changing no count, when the
    units do not fit or the deal does not exist; the caller then sells at the regular price or refuses.

    Call it inside the checkout transaction, after `deal_units_take` (see the lock order above): the row
    stays locked until the checkout commits, and a rollback gives the units back.
    """
    _positive(quantity)
    row = Deal.objects.filter(pk=deal_id).values_list("per_customer_limit").first()
    if row is None:
        return False
    limit = row[0]
    if limit is None:
        return True
    if quantity > limit:
        return False
    DealCustomerUsage.objects.bulk_create([DealCustomerUsage(deal_id=deal_id, user=user)], ignore_conflicts=True)
    usage = DealCustomerUsage.objects.select_for_update().get(deal_id=deal_id, user=user)
    if usage.units + quantity > limit:
        return False
    DealCustomerUsage.objects.filter(pk=usage.pk).update(units=F("units") + quantity)
    return True


def deal_customer_units_release(*, deal_id: int, user: User, quantity: int) -> bool:
    """Give back `quantity` units this account took (a failed payment, a cancelled order); never below zero.

    Return False, changing nothing, when fewer units than that are counted for the account: releasing twice
    is a bug the caller must hear about. A deal without a per-customer limit counted nothing, so releasing
    on it returns True. Call it after `deal_units_release`, inside the same transaction (lock order above).
    """
    _positive(quantity)
    counted = DealCustomerUsage.objects.filter(deal_id=deal_id, user=user, units__gte=quantity)
    if counted.update(units=F("units") - quantity) == 1:
        return True
    row = Deal.objects.filter(pk=deal_id).values_list("per_customer_limit").first()
    nothing_counted = not DealCustomerUsage.objects.filter(deal_id=deal_id, user=user, units__gt=0).exists()
    return row is not None and row[0] is None and nothing_counted


@transaction.atomic
def promotion_save(*, promotion: Promotion) -> Promotion:
    """Validate and store `promotion` (its scope rows are set afterwards, with the `.set()` of each field)."""
    try:
        promotion.full_clean()
    except ValidationError as error:
        raise _invalid(error) from None
    promotion.save()
    return promotion


@transaction.atomic
def promotion_delete(*, promotion: Promotion) -> None:
    promotion.delete()
