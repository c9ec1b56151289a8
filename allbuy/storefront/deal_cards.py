"""How a daily deal reads on the storefront: its price against the regular one, its state and its countdown.

Pages are cached and shared, so nothing here says "in 5 hours": times are absolute, in the shop's zone
("at 23:59 CET"), true whenever the page is read; shop.js turns them into a live countdown.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from allbuy.catalog.models import Product
from allbuy.deals.models import Deal
from allbuy.deals.selectors import deals_current_for_products
from allbuy.deals.windows import local_day, shop_timezone
from allbuy.storefront.stock import saving_percent


@dataclass(frozen=True)
class DealView:
    deal: Deal
    price: Decimal
    regular_price: Decimal
    currency: str
    saving: int  # whole percent off the regular price
    units_left: int | None  # None: no cap
    sold_out: bool
    upcoming: bool  # later today: not yet at the deal price
    starts_iso: str
    starts_label: str
    ends_iso: str
    ends_label: str

    @property
    def live(self) -> bool:
        return not (self.sold_out or self.upcoming)


def time_label(moment: datetime, now: datetime) -> str:
    """Return `moment` as shop-local wall time: "at 23:59 CET", with the date when it is not today."""
    local = moment.astimezone(shop_timezone())
    if local_day(moment) == local_day(now):
        return f"at {local:%H:%M %Z}"
    return f"on {local:%a} {local.day} {local:%b}, {local:%H:%M %Z}"


def deal_view(deal: Deal, now: datetime) -> DealView:
    regular = deal.variant.price
    return DealView(
        deal=deal,
        price=deal.deal_price,
        regular_price=regular,
        currency=deal.currency or deal.variant.currency,
        saving=saving_percent(deal.deal_price, regular),
        units_left=deal.units_left,
        sold_out=deal.is_sold_out,
        upcoming=deal.starts_at > now,
        starts_iso=deal.starts_at.isoformat(),
        starts_label=time_label(deal.starts_at, now),
        ends_iso=deal.ends_at.isoformat(),
        ends_label=time_label(deal.ends_at, now),
    )


def deal_views(deals: Iterable[Deal], now: datetime) -> list[DealView]:
    return [deal_view(deal, now) for deal in deals]


def variant_deals(deals: Iterable[Deal], now: datetime) -> dict[int, DealView]:
    """Return the deal of each variant (live, or sold out inside its window), keyed by variant id."""
    return {deal.variant_id: deal_view(deal, now) for deal in deals}


def cards_with_deals(products: Sequence[Product], now: datetime, deals: Iterable[Deal] | None = None) -> None:
    """Give each product card its cheapest live deal as `card_deal` (None without one); one query unless `deals` given."""
    found = deals_current_for_products(product_ids=[p.pk for p in products], now=now) if deals is None else deals
    live: dict[int, list[Deal]] = defaultdict(list)
    for deal in found:
        if not deal.is_sold_out and deal.starts_at <= now < deal.ends_at:
            live[deal.variant.product_id].append(deal)
    for product in products:
        cheapest = min(live.get(product.pk, []), key=lambda d: (d.deal_price, d.pk), default=None)
        product.card_deal = deal_view(cheapest, now) if cheapest is not None else None  # type: ignore[attr-defined]
