"""Cards for a list of product ids, related products read together with them, and the catalog's alike products."""

import pytest
from django.utils.text import slugify

from allbuy.catalog.models import Category, Product
from allbuy.catalog.selectors import product_alike_ids, product_cards, product_related, product_related_with_cards
from allbuy.catalog.tests.factories import CategoryFactory, ProductFactory, ProductImageFactory, VariantFactory

pytestmark = pytest.mark.django_db


def category(name: str, parent: Category | None = None) -> Category:
    made: Category = CategoryFactory.create(name=name, slug=slugify(name), parent=parent)
    return made


def product(name: str, in_category: Category, *, featured: bool = False, active: bool = True) -> Product:
    made: Product = ProductFactory.create(
        name=name, slug=slugify(name), category=in_category, is_featured=featured, is_active=active
    )
    VariantFactory.create(product=made)
    ProductImageFactory.create(product=made)
    return made


@pytest.fixture
def shelves() -> dict[str, Category]:
    wearables = category("Wearables")
    return {"watches": category("Smartwatches", wearables), "bands": category("Fitness bands", wearables)}


def test_cards_come_in_the_order_asked_active_only_in_two_queries(shelves, django_assert_num_queries):
    a, b, c = (product(name, shelves["watches"]) for name in ("Watch A", "Watch B", "Watch C"))
    gone = product("Watch Gone", shelves["watches"], active=False)

    with django_assert_num_queries(2):
        cards = product_cards(ids=[c.pk, gone.pk, a.pk, c.pk, 10**9, b.pk])
        images = [len(card.images.all()) for card in cards]  # prefetched

    assert [card.pk for card in cards] == [c.pk, a.pk, b.pk]
    assert images == [1, 1, 1]
    assert cards[0].price_from is not None  # type: ignore[attr-defined]


def test_no_ids_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert product_cards(ids=[]) == []


def test_related_read_with_cards_leaves_out_the_cards_and_costs_the_same(shelves, django_assert_num_queries):
    watch = product("Watch A", shelves["watches"])
    others = [product(f"Watch {x}", shelves["watches"]) for x in "BCDE"]
    band = product("Band 1", shelves["bands"], featured=True)

    with django_assert_num_queries(2):
        related, cards = product_related_with_cards(product=watch, ids=[band.pk, others[1].pk])

    assert [p.pk for p in cards] == [band.pk, others[1].pk]
    assert [p.pk for p in related] == [others[0].pk, others[2].pk, others[3].pk]  # the band is a card already
    assert related == [p for p in product_related(product=watch, limit=6) if p.pk not in {band.pk, others[1].pk}]


def test_alike_products_same_category_then_siblings_featured_first(shelves):
    seen = product("Watch A", shelves["watches"])
    b = product("Watch B", shelves["watches"])
    featured = product("Watch Z", shelves["watches"], featured=True)
    band = product("Band 1", shelves["bands"])
    product("Watch Gone", shelves["watches"], active=False)
    product("Phone", category("Phones"))

    assert product_alike_ids(ids=[seen.pk]) == [featured.pk, b.pk, band.pk]
    assert product_alike_ids(ids=[seen.pk], exclude=[featured.pk], limit=1) == [b.pk]
