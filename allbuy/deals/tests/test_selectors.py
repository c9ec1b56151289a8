from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from allbuy.catalog.tests.factories import BrandFactory, ProductFactory, ProductImageFactory, VariantFactory
from allbuy.deals.models import Deal
from allbuy.deals.selectors import deal_active_for_variants, deals_cache_key, deals_today, promotions_active
from allbuy.deals.services import deal_units_release, deal_units_take
from allbuy.deals.tests.factories import NOW, DealFactory, PromotionFactory

pytestmark = pytest.mark.django_db

# 12:00 in Berlin on 2025-06-10; the local day is [2025-06-09 22:00 UTC, 2025-06-10 22:00 UTC).
NOON = datetime(2025, 6, 10, 10, 0, tzinfo=UTC)
DAY_END = datetime(2025, 6, 10, 22, 0, tzinfo=UTC)


def test_active_deals_by_variant_in_one_query():
    live = DealFactory.create()
    sold_out = DealFactory.create(quantity_cap=1, units_sold=1)
    later = DealFactory.create(starts_at=NOW + timedelta(days=1), ends_at=NOW + timedelta(days=2))
    ids = [live.variant_id, sold_out.variant_id, later.variant_id, VariantFactory.create().pk]

    with CaptureQueriesContext(connection) as queries:
        active = deal_active_for_variants(variant_ids=ids, now=NOW)

    assert active == {live.variant_id: live}
    assert len(queries) == 1
    assert deal_active_for_variants(variant_ids=[], now=NOW) == {}


def test_active_deal_follows_the_window_edges():
    deal = DealFactory.create()

    assert deal_active_for_variants(variant_ids=[deal.variant_id], now=deal.starts_at)
    assert not deal_active_for_variants(variant_ids=[deal.variant_id], now=deal.ends_at)


def test_deals_today_lists_live_and_later_today_only():
    live = DealFactory.create(starts_at=NOON - timedelta(hours=3), ends_at=NOON + timedelta(hours=1))
    later_today = DealFactory.create(starts_at=DAY_END - timedelta(hours=1), ends_at=DAY_END + timedelta(hours=5))
    sold_out = DealFactory.create(starts_at=NOON - timedelta(hours=1), ends_at=DAY_END, quantity_cap=5, units_sold=5)
    DealFactory.create(starts_at=DAY_END, ends_at=DAY_END + timedelta(days=1))  # tomorrow
    DealFactory.create(starts_at=NOON - timedelta(hours=5), ends_at=NOON)  # ended
    hidden = ProductFactory.create(is_active=False)
    DealFactory.create(variant=VariantFactory.create(product=hidden))

    deals = deals_today(now=NOON)

    assert deals == [live, sold_out, later_today]
    assert deals_today(now=NOON, limit=1) == [live]


def test_deals_today_loads_products_brands_and_images_in_a_fixed_number_of_queries():
    for _ in range(5):
        product = ProductFactory.create()
        ProductImageFactory.create(product=product)
        ProductImageFactory.create(product=product)
        DealFactory.create(
            variant=VariantFactory.create(product=product), starts_at=NOON - timedelta(hours=1), ends_at=NOON + timedelta(hours=1)
        )

    with CaptureQueriesContext(connection) as queries:
        deals = deals_today(now=NOON)
        cards = [
            (
                d.variant.sku,
                d.variant.product.brand.name,
                d.variant.product.category.name,
                [i.alt_text for i in d.variant.product.images.all()],
            )
            for d in deals
        ]

    assert len(cards) == 5
    assert all(len(images) == 2 for *_, images in cards)
    assert len(queries) == 2


def test_promotions_active_have_their_scope_prefetched():
    high = PromotionFactory.create(priority=10)
    high.include_brands.set([BrandFactory.create()])
    low = PromotionFactory.create(priority=1)
    PromotionFactory.create(is_active=False)
    PromotionFactory.create(starts_at=NOW + timedelta(hours=1))

    promotions = promotions_active(now=NOW)
    with CaptureQueriesContext(connection) as queries:
        scopes = [[list(getattr(p, field).all()) for field in p.SCOPE_FIELDS] for p in promotions]

    assert promotions == [high, low]
    assert len(scopes[0][0]) == 1
    assert len(queries) == 0


def test_cache_key_changes_at_a_deals_start_and_end_and_not_in_between():
    deal = DealFactory.create(starts_at=NOW, ends_at=NOW + timedelta(hours=6))
    before = deals_cache_key(now=NOW - timedelta(microseconds=1))

    at_start = deals_cache_key(now=NOW)
    during = {deals_cache_key(now=NOW + timedelta(hours=h)) for h in range(6)}
    at_end = deals_cache_key(now=deal.ends_at)

    assert before != at_start
    assert during == {at_start}
    assert at_end == before
    assert len(at_start) <= 16


def test_cache_key_changes_with_promotions_too():
    PromotionFactory.create(starts_at=NOW, ends_at=NOW + timedelta(hours=1))

    assert deals_cache_key(now=NOW) != deals_cache_key(now=NOW - timedelta(seconds=1))
    assert deals_cache_key(now=NOW + timedelta(hours=1)) == deals_cache_key(now=NOW - timedelta(seconds=1))


def test_cache_key_changes_when_a_deal_sells_out_and_when_units_come_back():
    deal = DealFactory.create(quantity_cap=1)
    live = deals_cache_key(now=NOW)

    deal_units_take(deal_id=deal.pk, quantity=1, now=NOW)
    sold_out = deals_cache_key(now=NOW)
    deal_units_release(deal_id=deal.pk, quantity=1)

    assert sold_out != live
    assert deals_cache_key(now=NOW) == live


def test_cache_key_runs_one_query():
    DealFactory.create()
    PromotionFactory.create()

    with CaptureQueriesContext(connection) as queries:
        deals_cache_key(now=NOW)

    assert len(queries) == 1
    assert Deal.objects.count() == 1
