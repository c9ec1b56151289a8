"""The product page's "Bought together" and "Customers also viewed": built into the cached page, at a fixed cost."""

import re

import pytest
from django.core.cache import cache

from allbuy.catalog.models import Product
from allbuy.catalog.services import catalog_revision_bump
from allbuy.personalisation.models import Neighbour, SimilarityKind
from allbuy.storefront.tests.test_caching import queries_for

pytestmark = pytest.mark.django_db

URL = "/products/redmi-note-13-pro/"


def neighbours(product: Product, others: list[Product], kind: int) -> None:
    """Make `others` the neighbours of `product`, best first, as the similarity job would (it moves the revision on)."""
    for rank, other in enumerate(others, start=1):
        Neighbour.objects.create(product=product, kind=kind, rank=rank, neighbour=other, score=1 / rank)
    catalog_revision_bump()


def section(html: str, slug: str) -> str:
    found = re.search(rf'<section class="section" aria-labelledby="{slug}-title">.*?</section>', html, re.S)
    return found.group(0) if found else ""


def card_names(html: str) -> list[str]:
    return re.findall(r'<a class="card-link" href="[^"]*">([^<]*)</a>', html)


def page(client) -> str:
    response = client.get(URL)
    assert response.status_code == 200
    return response.content.decode()


def test_the_sections_show_what_shoppers_viewed_and_bought_with_links(client, phone, make_products):
    viewed = make_products(3)
    bought = make_products(2)
    make_products(1)  # one more for "You may also like"
    neighbours(phone, viewed, SimilarityKind.VIEWED)
    neighbours(phone, bought, SimilarityKind.BOUGHT)

    html = page(client)

    also_viewed = section(html, "also-viewed")
    bought_together = section(html, "bought-together")
    assert '<h2 id="also-viewed-title">Customers also viewed</h2>' in also_viewed
    assert '<h2 id="bought-together-title">Bought together</h2>' in bought_together
    assert card_names(also_viewed) == [p.name for p in viewed]
    assert card_names(bought_together) == [p.name for p in bought]
    assert f'href="/products/{viewed[0].slug}/"' in also_viewed
    assert '<div class="grid">' in also_viewed  # the same card grid as "You may also like"
    assert html.index("bought-together-title") < html.index("also-viewed-title") < html.index("related-title")


def test_without_neighbours_there_are_no_sections(client, phone, make_products):
    make_products(3)

    html = page(client)

    assert "also-viewed" not in html
    assert "bought-together" not in html
    assert section(html, "related")  # "You may also like" as before


def test_a_section_with_nothing_in_it_is_left_out(client, phone, make_products):
    neighbours(phone, make_products(2), SimilarityKind.BOUGHT)

    html = page(client)

    assert section(html, "bought-together")
    assert "also-viewed" not in html


def test_you_may_also_like_does_not_repeat_a_card_of_the_sections(client, phone, make_products):
    first, second, third = make_products(3)
    html = page(client)
    assert card_names(section(html, "related")) == [first.name, second.name, third.name]

    neighbours(phone, [second], SimilarityKind.VIEWED)
    html = page(client)

    assert card_names(section(html, "also-viewed")) == [second.name]
    assert card_names(section(html, "related")) == [first.name, third.name]


def test_products_taken_off_sale_are_not_shown(client, phone, make_products):
    shown, gone = make_products(2)
    neighbours(phone, [gone, shown], SimilarityKind.VIEWED)
    Product.objects.filter(pk=gone.pk).update(is_active=False)
    catalog_revision_bump()

    assert card_names(section(page(client), "also-viewed")) == [shown.name]


def test_only_inactive_neighbours_leave_no_section(client, phone, make_products):
    (gone,) = make_products(1)
    neighbours(phone, [gone], SimilarityKind.BOUGHT)
    gone.is_active = False
    gone.save()

    assert "bought-together" not in page(client)


def test_at_most_eight_cards_a_section(client, phone, make_products):
    viewed = make_products(12)
    neighbours(phone, viewed, SimilarityKind.VIEWED)

    assert card_names(section(page(client), "also-viewed")) == [p.name for p in viewed[:8]]


def test_a_cached_product_page_costs_the_same_with_and_without_neighbours(client, phone, make_products):
    products = make_products(8)
    page(client)
    without = queries_for(client, URL)

    neighbours(phone, products[:4], SimilarityKind.VIEWED)
    neighbours(phone, products[4:], SimilarityKind.BOUGHT)
    html = page(client)  # built again at the new revision
    cached = queries_for(client, URL)

    assert section(html, "also-viewed")
    assert section(html, "bought-together")
    assert cached == without <= 2


def test_building_the_page_costs_the_same_with_one_neighbour_and_with_sixteen(client, phone, make_products):
    products = make_products(16)
    cache.clear()
    none = queries_for(client, URL)

    neighbours(phone, products[:1], SimilarityKind.VIEWED)
    cache.clear()
    one = queries_for(client, URL)

    Neighbour.objects.all().delete()
    neighbours(phone, products[:8], SimilarityKind.VIEWED)
    neighbours(phone, products[8:], SimilarityKind.BOUGHT)
    cache.clear()
    sixteen = queries_for(client, URL)

    assert none == one == sixteen
    assert len(card_names(section(page(client), "also-viewed"))) == 8
