"""Promotion banners: a strip under the header of every storefront page, live exactly while the promotion runs."""

import re
from datetime import timedelta

import pytest

from allbuy.catalog.tests.factories import BrandFactory
from allbuy.core import clock
from allbuy.deals.tests.factories import NOW, PromotionFactory
from allbuy.storefront.tests.conftest import HX
from allbuy.storefront.tests.test_caching import queries_for

pytestmark = pytest.mark.django_db

STARTS = NOW - timedelta(hours=1)
ENDS = NOW + timedelta(hours=5)
PAGES = [
    "/",
    "/deals/",
    "/categories/phones/",
    "/brands/xiaomi/",
    "/search?q=redmi",
    "/products/redmi-note-13-pro/",
]
STRIP = '<section class="promo-strip" aria-label="Current promotions">'


@pytest.fixture
def at(monkeypatch):
    """Move the shop's clock: `at(moment)`; starts at NOW."""

    def move(moment):
        monkeypatch.setattr(clock, "now", lambda: moment)

    move(NOW)
    return move


@pytest.fixture
def summer(db):
    return PromotionFactory.create(
        title="Summer sale", banner_text="10% off everything until Sunday", starts_at=STARTS, ends_at=ENDS
    )


def page(client, url: str, **extra: str) -> str:
    response = client.get(url, **extra)
    assert response.status_code == 200, url
    return response.content.decode()


def strip(html: str) -> str:
    """Return the promotion strip of a page, or "" when it has none."""
    if STRIP not in html:
        return ""
    start = html.index(STRIP)
    return html[start : html.index("</section>", start)]


def banner_texts(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", item).strip() for item in re.findall(r'<li class="promo-item">(.*?)</li>', strip(html), re.S)]


def page_body_marker(url: str) -> str:
    """Return a piece of HTML that starts the page's own content."""
    return {"/": 'class="hero"', "/deals/": 'id="deals-page-title"', "/products/redmi-note-13-pro/": "<h1"}.get(
        url, 'class="container listing"'
    )


@pytest.mark.parametrize("url", PAGES)
def test_every_storefront_page_shows_the_live_promotion_under_the_header(client, phone, summer, at, url):
    html = page(client, url)

    assert banner_texts(html) == ["10% off everything until Sunday"]
    assert html.index("</header>") < html.index(STRIP) < html.index(page_body_marker(url))
    assert "storefront/promotions.css" in html


@pytest.mark.parametrize("url", PAGES)
def test_pages_without_a_live_promotion_have_no_strip_and_no_stylesheet(client, phone, at, url):
    html = page(client, url)

    assert STRIP not in html
    assert "promo-strip" not in html
    assert "storefront/promotions.css" not in html


def test_the_banner_disappears_from_cached_pages_when_the_promotion_ends(client, phone, summer, at):
    at(ENDS - timedelta(seconds=1))
    assert banner_texts(page(client, "/")) == ["10% off everything until Sunday"]
    assert banner_texts(page(client, "/categories/phones/")) == ["10% off everything until Sunday"]
    assert queries_for(client, "/") <= 2  # served from the cache

    at(ENDS)

    assert STRIP not in page(client, "/")
    assert STRIP not in page(client, "/categories/phones/")


def test_the_banner_appears_on_cached_pages_when_the_promotion_starts(client, phone, summer, at):
    at(STARTS - timedelta(seconds=1))
    assert STRIP not in page(client, "/products/redmi-note-13-pro/")

    at(STARTS)

    assert banner_texts(page(client, "/products/redmi-note-13-pro/")) == ["10% off everything until Sunday"]


def test_inactive_and_future_promotions_are_not_shown(client, phone, at):
    PromotionFactory.create(title="Switched off", is_active=False, starts_at=STARTS, ends_at=ENDS)
    PromotionFactory.create(title="Next week", starts_at=NOW + timedelta(days=7), ends_at=NOW + timedelta(days=8))
    PromotionFactory.create(title="Last week", starts_at=NOW - timedelta(days=8), ends_at=NOW - timedelta(days=7))

    assert STRIP not in page(client, "/")


def test_switching_a_promotion_off_removes_its_banner_from_cached_pages(client, phone, summer, at):
    assert banner_texts(page(client, "/")) == ["10% off everything until Sunday"]

    summer.is_active = False
    summer.save()

    assert STRIP not in page(client, "/")


def test_at_most_three_banners_highest_priority_first(client, phone, at):
    for title, priority in [("Low", 1), ("Top", 30), ("Middle", 10), ("Lowest", 0), ("High", 20)]:
        PromotionFactory.create(title=title, banner_text="", priority=priority, starts_at=STARTS, ends_at=ENDS)

    assert banner_texts(page(client, "/")) == ["Top", "High", "Middle"]


def test_equal_priorities_show_the_older_promotion_first(client, phone, at):
    first = PromotionFactory.create(title="First", priority=5, starts_at=STARTS, ends_at=ENDS)
    PromotionFactory.create(title="Second", priority=5, starts_at=STARTS, ends_at=ENDS)

    assert banner_texts(page(client, "/")) == [first.title, "Second"]


def test_the_title_stands_in_for_an_empty_banner_text_and_text_is_escaped(client, phone, at):
    PromotionFactory.create(title="Spring <b>deals</b>", banner_text="  ", priority=2, starts_at=STARTS, ends_at=ENDS)
    PromotionFactory.create(title="Ignored", banner_text="Buy 2 & save", priority=1, starts_at=STARTS, ends_at=ENDS)

    section = strip(page(client, "/"))

    assert "Spring &lt;b&gt;deals&lt;/b&gt;" in section
    assert "Buy 2 &amp; save" in section
    assert "Ignored" not in section


def test_a_banner_links_to_the_one_brand_or_category_its_promotion_covers(client, phone, phones, xiaomi, at):
    brand_promo = PromotionFactory.create(title="Xiaomi week", priority=3, starts_at=STARTS, ends_at=ENDS)
    brand_promo.include_brands.set([xiaomi])
    category_promo = PromotionFactory.create(title="Phone days", priority=2, starts_at=STARTS, ends_at=ENDS)
    category_promo.include_categories.set([phones])
    product_promo = PromotionFactory.create(title="Redmi special", priority=1, starts_at=STARTS, ends_at=ENDS)
    product_promo.include_products.set([phone])

    section = strip(page(client, "/"))

    assert '<a class="promo-link" href="/brands/xiaomi/">Xiaomi week</a>' in section
    assert '<a class="promo-link" href="/categories/xiaomi-phones/">Phone days</a>' in section
    assert '<a class="promo-link" href="/products/redmi-note-13-pro/">Redmi special</a>' in section


def test_a_banner_has_no_link_when_no_one_page_lists_its_scope(client, phone, xiaomi, huawei, at):
    everything = PromotionFactory.create(title="Everything", priority=3, starts_at=STARTS, ends_at=ENDS)
    two_brands = PromotionFactory.create(title="Two brands", priority=2, starts_at=STARTS, ends_at=ENDS)
    two_brands.include_brands.set([xiaomi, huawei])
    with_exclusion = PromotionFactory.create(title="Xiaomi but not this", priority=1, starts_at=STARTS, ends_at=ENDS)
    with_exclusion.include_brands.set([xiaomi])
    with_exclusion.exclude_products.set([phone])

    section = strip(page(client, "/"))

    assert banner_texts(page(client, "/")) == [everything.title, "Two brands", "Xiaomi but not this"]
    assert "<a " not in section


def test_a_scope_change_updates_the_link_on_cached_pages(client, phone, summer, at):
    assert "<a " not in strip(page(client, "/"))

    summer.include_brands.set([BrandFactory.create(name="POCO", slug="poco")])

    assert 'href="/brands/poco/"' in strip(page(client, "/"))


def test_the_cached_home_page_costs_no_more_queries_with_banners(client, phone, at, django_assert_num_queries):
    page(client, "/")
    without = queries_for(client, "/")
    for priority in range(3):
        PromotionFactory.create(priority=priority, starts_at=STARTS, ends_at=ENDS).include_brands.set([phone.brand])
    page(client, "/")  # built once with its banners

    with django_assert_num_queries(without):
        html = page(client, "/")

    assert len(banner_texts(html)) == 3


def test_htmx_partials_carry_no_strip(client, phone, summer, at):
    html = page(client, "/categories/phones/?brand=xiaomi", **HX)

    assert STRIP not in html
