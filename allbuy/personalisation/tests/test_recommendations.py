"""What is recommended to whom: similar products, then popular ones of the same categories, then alike ones."""

from datetime import UTC, datetime, timedelta

import pytest

from allbuy.catalog.models import Product
from allbuy.personalisation.models import Neighbour, Popularity, SimilarityKind
from allbuy.personalisation.selectors import (
    TITLE_PERSONAL,
    TITLE_POPULAR,
    neighbours_for,
    popular,
    recommended_for,
    recommended_for_products,
)
from allbuy.personalisation.tests.wearables import category, product
from allbuy.personalisation.tests.wearables import viewed as viewed_by

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 10, 12, 0, tzinfo=UTC)
VISITOR = "c" * 32


def viewed(products: list[Product], *, visitor: str = VISITOR, now: datetime = NOW) -> None:
    viewed_by(products, visitor=visitor, now=now)


def neighbour(of: Product, other: Product, *, kind: int = SimilarityKind.VIEWED, rank: int = 1, score: float = 1.0) -> None:
    Neighbour.objects.create(product=of, kind=kind, rank=rank, neighbour=other, score=score)


def popularity(of: Product, score: float) -> None:
    Popularity.objects.create(product=of, category_id=of.category_id, score=score)


def ids(*products: Product) -> tuple[int, ...]:
    return tuple(p.pk for p in products)


# ---------------------------------------------------------------------------------------------------------------
# A visitor who looked at three Huawei watches


def test_before_any_rebuild_three_watches_bring_other_watches_then_other_wearables(shop, django_assert_num_queries):
    viewed(shop.watched)

    # events, neighbours, popularity of the categories, the catalog's alike products
    with django_assert_num_queries(4):
        recommendation = recommended_for(visitor=VISITOR, now=NOW)

    assert recommendation.title == TITLE_PERSONAL
    assert recommendation.personal
    assert recommendation.product_ids == ids(shop.gt5, shop.d2, shop.band8, shop.band9)


def test_popular_products_of_the_viewed_categories_come_before_alike_ones(shop):
    viewed(shop.watched)
    popularity(shop.d2, 5)
    popularity(shop.pura, 50)  # popular, but not a category the visitor looked at
    popularity(shop.watched[0], 40)  # already seen

    recommendation = recommended_for(visitor=VISITOR, now=NOW)

    assert recommendation.product_ids == ids(shop.d2, shop.gt5, shop.band8, shop.band9)


def test_similar_products_come_first_with_both_kinds_of_similarity_added_up(shop):
    viewed(shop.watched)
    gt4, fit3, _ = shop.watched
    neighbour(gt4, shop.band9, score=0.5)
    neighbour(fit3, shop.band9, kind=SimilarityKind.BOUGHT, score=0.4)
    neighbour(gt4, shop.nova, rank=2, score=0.8)
    neighbour(gt4, fit3, rank=3, score=2.0)  # seen already

    recommendation = recommended_for(visitor=VISITOR, now=NOW)

    assert recommendation.product_ids == ids(shop.band9, shop.nova, shop.gt5, shop.d2, shop.band8)


def test_enough_similar_products_cost_two_queries(shop, django_assert_num_queries):
    viewed(shop.watched)
    neighbour(shop.watched[0], shop.band9)
    neighbour(shop.watched[1], shop.nova)

    with django_assert_num_queries(2):
        recommendation = recommended_for(visitor=VISITOR, now=NOW, limit=2)

    assert set(recommendation.product_ids) == set(ids(shop.band9, shop.nova))


def test_products_taken_off_sale_are_not_recommended(shop):
    viewed(shop.watched)
    neighbour(shop.watched[0], shop.nova)
    popularity(shop.band8, 3)
    for gone in (shop.nova, shop.band8, shop.gt5):
        Product.objects.filter(pk=gone.pk).update(is_active=False)

    recommendation = recommended_for(visitor=VISITOR, now=NOW)

    assert recommendation.product_ids == ids(shop.d2, shop.band9)


def test_only_events_of_the_last_days_count(shop):
    viewed(shop.watched, now=NOW - timedelta(days=60))

    assert recommended_for(visitor=VISITOR, now=NOW).title == TITLE_POPULAR


def test_nothing_alike_gives_the_popular_products(shop):
    lonely = product("Huawei FreeBuds", category("Earbuds"))

    recommendation = recommended_for_products(product_ids=[lonely.pk])

    assert recommendation.title == TITLE_POPULAR
    assert not recommendation.personal
    assert recommendation.product_ids == ids(shop.pura, shop.gt5)


# ---------------------------------------------------------------------------------------------------------------
# No personalisation: the shop's popular products


def test_without_a_visitor_the_most_popular_products_in_one_query(shop, django_assert_num_queries):
    popularity(shop.band8, 3)
    popularity(shop.pura, 10)
    popularity(shop.d2, 5)

    with django_assert_num_queries(1):
        recommendation = recommended_for(visitor=None, now=NOW)

    assert recommendation.title == TITLE_POPULAR
    assert not recommendation.personal
    assert recommendation.product_ids == ids(shop.pura, shop.d2, shop.band8)


def test_a_visitor_without_events_gets_the_popular_products(shop):
    popularity(shop.band8, 3)

    assert recommended_for(visitor=VISITOR, now=NOW) == popular()


def test_before_popularity_is_known_the_featured_products(shop):
    recommendation = recommended_for(visitor=None, now=NOW)

    assert recommendation.title == TITLE_POPULAR
    assert recommendation.product_ids == ids(shop.pura, shop.gt5)


# ---------------------------------------------------------------------------------------------------------------
# One product's neighbours


def test_neighbours_for_a_product_by_kind_best_first_in_one_query(shop, django_assert_num_queries):
    watch = shop.watched[0]
    neighbour(watch, shop.d2, rank=2)
    neighbour(watch, shop.gt5, rank=1)
    neighbour(watch, shop.band8, rank=3)
    neighbour(watch, shop.pura, kind=SimilarityKind.BOUGHT, rank=1)
    neighbour(shop.d2, shop.nova)  # another product's

    with django_assert_num_queries(1):
        found = neighbours_for(product_id=watch.pk, limit=2)

    assert found == {SimilarityKind.VIEWED: [shop.gt5.pk, shop.d2.pk], SimilarityKind.BOUGHT: [shop.pura.pk]}


def test_neighbours_taken_off_sale_leave_room_for_the_next(shop):
    watch = shop.watched[0]
    neighbour(watch, shop.gt5, rank=1)
    neighbour(watch, shop.d2, rank=2)
    neighbour(watch, shop.band8, rank=3)
    Product.objects.filter(pk=shop.gt5.pk).update(is_active=False)

    assert neighbours_for(product_id=watch.pk, limit=2) == {SimilarityKind.VIEWED: [shop.d2.pk, shop.band8.pk]}
