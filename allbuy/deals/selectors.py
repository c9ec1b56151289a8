"""Reads of deals and promotions. Every function takes `now`, so a page, a quote and a test agree on the instant."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import F, Min, Prefetch, Q, QuerySet, Value
from django.db.models.fields import CharField

from allbuy.accounts.models import User
from allbuy.catalog.models import ProductImage
from allbuy.core import clock
from allbuy.deals.exceptions import DealNotFound
from allbuy.deals.models import Deal, DealCustomerUsage, Promotion
from allbuy.deals.windows import day_window, local_day


def _live_deals(now: datetime) -> QuerySet[Deal]:
    """Deals whose price applies at `now`: inside the window and not sold out."""
    not_sold_out = Q(quantity_cap__isnull=True) | Q(units_sold__lt=F("quantity_cap"))
    return Deal.objects.filter(not_sold_out, starts_at__lte=now, ends_at__gt=now)


def _live_promotions(now: datetime) -> QuerySet[Promotion]:
    return Promotion.objects.filter(is_active=True, starts_at__lte=now, ends_at__gt=now)


def deal_get(*, deal_id: int) -> Deal:
    try:
        return Deal.objects.select_related("variant__product").get(pk=deal_id)
    except Deal.DoesNotExist:
        raise DealNotFound("There is no such deal.") from None


def deal_active_for_variants(*, variant_ids: Iterable[int], now: datetime | None = None) -> dict[int, Deal]:
    """Return the live deal of each variant that has one, keyed by variant id (one query).

    A sold-out deal is not live: its variant is back at the regular price.
    """
    moment = now if now is not None else clock.now()
    ids = list(variant_ids)
    if not ids:
        return {}
    return {deal.variant_id: deal for deal in _live_deals(moment).filter(variant_id__in=ids)}


def deal_customer_units_used(*, deal_ids: Iterable[int], user: User | None) -> dict[int, int]:
    """Return the units this account has taken at each deal's price, keyed by deal id (one query).

    Deals the account has not bought are left out (read them as 0). A guest has no count: the limit is keyed
    on the account, so this returns {} for None or an anonymous user. The quote prices at most
    `per_customer_limit - used` units of a deal at the deal price.
    """
    if user is None or user.pk is None:
        return {}
    ids = list(deal_ids)
    if not ids:
        return {}
    rows = DealCustomerUsage.objects.filter(deal_id__in=ids, user_id=user.pk, units__gt=0).values_list("deal_id", "units")
    return dict(rows)


def deals_current_for_products(*, product_ids: Iterable[int], now: datetime | None = None) -> list[Deal]:
    """Return the deals inside their window at `now` on any variant of the products, sold-out ones too (one query).

    The storefront shows a live deal's price and a sold-out deal's state; variants come with the deals.
    """
    moment = now if now is not None else clock.now()
    ids = list(product_ids)
    if not ids:
        return []
    qs = Deal.objects.filter(variant__product_id__in=ids, starts_at__lte=moment, ends_at__gt=moment)
    return list(qs.select_related("variant").order_by("deal_price", "id"))


def deals_today(*, now: datetime | None = None, limit: int = 12) -> list[Deal]:
    """Return today's deals (shop-local day): live now or starting later today, soonest-ending first.

    Sold-out deals stay in the list (the page shows them as sold out). Variant, product, brand and
    category come with the deals; product images in one more query: two queries whatever the length.
    """
    moment = now if now is not None else clock.now()
    _, day_end = day_window(local_day(moment))
    images = Prefetch("variant__product__images", queryset=ProductImage.objects.order_by("position", "id"))
    qs = (
        Deal.objects.filter(starts_at__lt=day_end, ends_at__gt=moment, variant__product__is_active=True)
        .select_related("variant__product__brand", "variant__product__category")
        .prefetch_related(images)
        .order_by("starts_at", "ends_at", "id")
    )
    return list(qs[:limit])


def promotions_active(*, now: datetime | None = None) -> list[Promotion]:
    """Return the promotions running at `now`, highest priority first, with every scope set prefetched."""
    moment = now if now is not None else clock.now()
    return list(_live_promotions(moment).prefetch_related(*Promotion.SCOPE_FIELDS).order_by("-priority", "id"))


def deals_cache_key(*, now: datetime | None = None) -> str:
    """Return a short key that changes exactly when the set of live deals and promotions changes.

    It is a digest of the ids live at `now` (one query), so it moves at every start and end, and when
    a deal sells out or gets units back, with no cron. Edits to a deal or promotion move the catalog
    revision instead, which the page cache keys carry as well.
    """
    moment = now if now is not None else clock.now()
    deals = _live_deals(moment).order_by().values_list(Value("d", output_field=CharField()), "id")
    promotions = _live_promotions(moment).order_by().values_list(Value("p", output_field=CharField()), "id")
    live = sorted(deals.union(promotions, all=True))
    if not live:
        return "none"
    text = ",".join(f"{prefix}{pk}" for prefix, pk in live)
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


@dataclass(frozen=True)
class _KeyMemo:
    revision: int
    valid_from: datetime
    valid_until: datetime | None
    key: str


_memo: _KeyMemo | None = None


def _next_edge(moment: datetime) -> datetime | None:
    """Return the first deal or promotion start or end after `moment` (two aggregate queries)."""
    edges = []
    for model in (Deal, Promotion):
        found = model.objects.aggregate(
            s=Min("starts_at", filter=Q(starts_at__gt=moment)), e=Min("ends_at", filter=Q(ends_at__gt=moment))
        )
        edges += [edge for edge in found.values() if edge is not None]
    return min(edges, default=None)


def deals_cache_key_memoised(*, now: datetime, revision: int) -> str:
    """Return `deals_cache_key(now)`, recomputed only when the catalog revision moves or a window edge passes.

    Between two edges the set of live deals can only change through a write (an edit, a sell-out), and
    every such write moves the catalog revision, so a process may keep the key until then. Computing it
    on every request cost catalog pages more than half their throughput.
    """
    global _memo
    memo = _memo
    if memo and memo.revision == revision and memo.valid_from <= now and (memo.valid_until is None or now < memo.valid_until):
        return memo.key
    key = deals_cache_key(now=now)
    _memo = _KeyMemo(revision=revision, valid_from=now, valid_until=_next_edge(now), key=key)
    return key


def deals_cache_key_forget() -> None:
    """Drop the remembered key (tests start each with a fresh database, whose revision restarts)."""
    global _memo
    _memo = None
