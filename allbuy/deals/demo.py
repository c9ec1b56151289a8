"""Demo offers for `seed_demo`: today's deals, running promotions and a few coupon codes.

Run at every start of the embedded shop (`make run`), so each run must leave today's offers in place
without duplicating anything: deals are made for the shop-local day that contains `now` (chosen by a
random generator seeded with the date, so the same day always gets the same deals), promotions are
renewed only when none of that title is running, and coupons are created once by code.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_DOWN, Decimal

from django.db import transaction

from allbuy.catalog.models import Category, Variant
from allbuy.catalog.services import catalog_revision_bump
from allbuy.coupons.models import Coupon, code_normalise
from allbuy.coupons.services import coupon_create
from allbuy.deals.models import Deal, Promotion, PromotionKind
from allbuy.deals.services import deal_create, promotion_save
from allbuy.deals.windows import day_window, local_day

DEALS_PER_DAY = 6
DEAL_TITLES = ("Deal of the day", "Flash deal", "Today only", "Daily steal")


@dataclass(frozen=True)
class OffersReport:
    deals: int
    promotions: int
    coupons: int

    def summary(self) -> str:
        return f"offers: {self.deals} new deals, {self.promotions} new promotions, {self.coupons} new coupons"


def _deal_price(price: Decimal, rng: random.Random) -> Decimal:
    """15–35 % off, ending in .99 (or .00 below €10), always below the regular price."""
    off = Decimal(rng.randrange(15, 36)) / 100
    target = price * (1 - off)
    if target < 10:
        return max(Decimal("0.50"), target.quantize(Decimal("0.10"), rounding=ROUND_DOWN))
    return target.quantize(Decimal("1"), rounding=ROUND_DOWN) - Decimal("0.01")


def _todays_deals(now: datetime) -> int:
    start, end = day_window(local_day(now))
    if Deal.objects.filter(starts_at=start, ends_at=end).exists():
        return 0
    rng = random.Random(local_day(now).toordinal())
    candidates = list(
        Variant.objects.filter(product__is_active=True, stock_quantity__gt=0, price__gte=15)
        .exclude(deals__ends_at__gt=start, deals__starts_at__lt=end)
        .order_by("id")
        .values_list("id", flat=True)
    )
    chosen = rng.sample(candidates, min(DEALS_PER_DAY, len(candidates)))
    variants = Variant.objects.in_bulk(chosen)
    for index, pk in enumerate(chosen):
        variant = variants[pk]
        deal_create(
            variant=variant,
            title=DEAL_TITLES[index % len(DEAL_TITLES)],
            deal_price=_deal_price(variant.price, rng),
            starts_at=start,
            ends_at=end,
            quantity_cap=(None, 25, 50)[index % 3],
            per_customer_limit=2 if index == 0 else None,
        )
    return len(chosen)


def _promotion(*, title: str, now: datetime, include_categories: list[Category] | None = None, **values: object) -> int:
    if Promotion.objects.filter(title=title, is_active=True, starts_at__lte=now, ends_at__gt=now).exists():
        return 0
    scope = include_categories
    start = now - timedelta(hours=1)
    promotion = promotion_save(promotion=Promotion(title=title, starts_at=start, ends_at=start + timedelta(days=7), **values))
    if scope:
        promotion.include_categories.set(scope)
    return 1


def _promotions(now: datetime) -> int:
    wearables = list(Category.objects.filter(slug="wearables"))
    made = _promotion(
        title="Wearables week",
        now=now,
        banner_text="Wearables week: 10 % off every smartwatch and fitness band",
        kind=PromotionKind.PERCENT,
        value=Decimal("10"),
        priority=10,
        include_categories=wearables,
    )
    made += _promotion(
        title="Free shipping over €25",
        now=now,
        banner_text="Free standard shipping on orders over €25",
        kind=PromotionKind.FREE_SHIPPING_OVER,
        min_subtotal=Decimal("25"),
        currency="EUR",
        stackable=True,
    )
    return made


def _coupons(now: datetime) -> int:
    audio = list(Category.objects.filter(slug="audio").values_list("id", flat=True))
    plans: list[dict[str, object]] = [
        {"code": "WELCOME10", "kind": "percent", "value": Decimal("10"), "min_subtotal": Decimal("50"),
         "currency": "EUR", "per_customer_cap": 1, "stacks_with_deals": True},
        {"code": "FREESHIP", "kind": "free_shipping", "value": Decimal("0")},
        {"code": "AUDIO15", "kind": "percent", "value": Decimal("15"), "include_category_ids": audio},
        {"code": "TAKE5", "kind": "fixed", "value": Decimal("5"), "currency": "EUR", "min_subtotal": Decimal("30"),
         "total_cap": 500},
        {"code": "SPRING10", "kind": "percent", "value": Decimal("10"), "valid_until": now - timedelta(days=30),
         "valid_from": now - timedelta(days=120)},
    ]  # fmt: skip
    made = 0
    for plan in plans:
        if Coupon.objects.filter(code_key=code_normalise(str(plan["code"]))).exists():
            continue
        plan.setdefault("valid_from", now - timedelta(days=1))
        coupon_create(**plan)  # type: ignore[arg-type]
        made += 1
    return made


def demo_offers_seed(*, now: datetime) -> OffersReport:
    """Make sure today's deals, this week's promotions and the demo coupons exist; create only what is missing."""
    with transaction.atomic():
        report = OffersReport(deals=_todays_deals(now), promotions=_promotions(now), coupons=_coupons(now))
        if report.deals or report.promotions:
            catalog_revision_bump()
    return report
