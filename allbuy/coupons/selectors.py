"""Reads: find a coupon by what a shopper typed, and describe it as plain data for eligibility."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator

from django.db import connection

from allbuy.accounts.models import User
from allbuy.coupons.eligibility import CouponView, Kind
from allbuy.coupons.models import Coupon, CouponCustomerUsage, code_normalise

CSV_HEADER = ("code", "kind", "value", "valid_from", "valid_until")


def coupon_get_by_code(*, code: str) -> Coupon | None:
    """Return the coupon whatever case, spaces or hyphens the shopper typed, or None."""
    key = code_normalise(code)
    return Coupon.objects.filter(code_key=key).first() if key else None


_SCOPE_RELATIONS = (
    ("include_brands", "brand_id"),
    ("include_categories", "category_id"),
    ("include_products", "product_id"),
    ("exclude_brands", "brand_id"),
    ("exclude_categories", "category_id"),
    ("exclude_products", "product_id"),
)


@functools.cache
def _scope_sql() -> str:
    """The UNION ALL over the six link tables, written once from the models' own table and column names.

    Building it through the ORM on every call cost ~3 ms of query compilation per checkout (measured by the
    checkout benchmark); the statement never changes, so it is built once per process.
    """
    quote = connection.ops.quote_name
    parts = []
    for index, (relation, target) in enumerate(_SCOPE_RELATIONS):
        through = getattr(Coupon, relation).through._meta
        column = through.get_field(target.removesuffix("_id")).column
        owner = through.get_field("coupon").column
        table = quote(through.db_table)
        parts.append(f"SELECT {index}, {quote(column)} FROM {table} WHERE {quote(owner)} = %s")  # noqa: S608 - model names only
    return " UNION ALL ".join(parts)


def _scope_ids(coupon_id: int) -> dict[str, frozenset[int]]:
    """Read the six include/exclude lists of one coupon in one query (a UNION ALL over their link tables)."""
    found: dict[int, set[int]] = {index: set() for index in range(len(_SCOPE_RELATIONS))}
    with connection.cursor() as cursor:
        cursor.execute(_scope_sql(), [coupon_id] * len(_SCOPE_RELATIONS))
        for index, pk in cursor.fetchall():
            found[index].add(pk)
    return {relation: frozenset(found[index]) for index, (relation, _) in enumerate(_SCOPE_RELATIONS)}


def coupon_view(*, coupon: Coupon) -> CouponView:
    """Describe the coupon for `eligibility.coupon_check`; its whole scope is read in one query."""
    scope = _scope_ids(coupon.pk)
    return CouponView(
        id=coupon.pk,
        code=coupon.code,
        kind=Kind(coupon.kind),
        value=coupon.value,
        currency=coupon.currency,
        min_subtotal=coupon.min_subtotal,
        valid_from=coupon.valid_from,
        valid_until=coupon.valid_until,
        total_cap=coupon.total_cap,
        uses=coupon.uses,
        per_customer_cap=coupon.per_customer_cap,
        is_active=coupon.is_active,
        stacks_with_deals=coupon.stacks_with_deals,
        stacks_with_promotions=coupon.stacks_with_promotions,
        include_brand_ids=scope["include_brands"],
        include_category_ids=scope["include_categories"],
        include_product_ids=scope["include_products"],
        exclude_brand_ids=scope["exclude_brands"],
        exclude_category_ids=scope["exclude_categories"],
        exclude_product_ids=scope["exclude_products"],
    )


def coupon_view_for_code(*, code: str) -> CouponView | None:
    """Describe the coupon the shopper typed, in two queries (the row, then its whole scope), or None."""
    coupon = coupon_get_by_code(code=code)
    return None if coupon is None else coupon_view(coupon=coupon)


def coupon_customer_uses(*, coupon_id: int, user: User | None) -> int:
    """Return how often this account has used the coupon (0 for a guest: the cap is keyed on the account)."""
    if user is None or user.pk is None:
        return 0
    usage = CouponCustomerUsage.objects.filter(coupon_id=coupon_id, user=user).values_list("uses", flat=True).first()
    return usage or 0


def coupon_csv_rows(*, coupons: Iterable[Coupon]) -> Iterator[tuple[str, ...]]:
    """Yield the header, then one row per coupon (times in ISO 8601, empty for no end)."""
    yield CSV_HEADER
    for coupon in coupons:
        yield (
            coupon.code,
            coupon.kind,
            str(coupon.value),
            coupon.valid_from.isoformat(),
            coupon.valid_until.isoformat() if coupon.valid_until else "",
        )
