"""Daily deals on the storefront: home section, /deals/, product page, listing cards, all following the deal window."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache

from allbuy.catalog.models import Variant
from allbuy.catalog.selectors import catalog_revision
from allbuy.core import clock
from allbuy.deals.tests.factories import NOW, DealFactory
from allbuy.storefront.tests.conftest import HX
from allbuy.storefront.tests.test_caching import queries_for

pytestmark = pytest.mark.django_db

STARTS = NOW - timedelta(hours=1)
ENDS = NOW + timedelta(hours=5)  # 15:00 UTC, 17:00 in Berlin (summer time)
PRODUCT = "/products/redmi-note-13-pro/"


@pytest.fixture
def at(monkeypatch):
    """Move the shop's clock: `at(moment)`; starts at NOW."""

    def move(moment):
        monkeypatch.setattr(clock, "now", lambda: moment)

    move(NOW)
    return move


@pytest.fixture
def deal(phone):
    variant = Variant.objects.get(sku="RN13P-BLK-256")  # regular price €299.00
    return DealFactory(variant=variant, title="Deal of the day", deal_price=Decimal("249.00"), starts_at=STARTS, ends_at=ENDS)


def page(client, url: str, **extra: str) -> str:
    response = client.get(url, **extra)
    assert response.status_code == 200, url
    return response.content.decode()


def deals_section(html: str) -> str:
    start = html.index('id="deals-title"')
    return html[start : html.index("</section>", start)]


def buy_box(html: str) -> str:
    start = html.index('id="buy-box"')
    return html[start : html.index("</div>\n", html.index('class="sku"', start))]


def test_home_shows_the_deal_inside_its_window_with_a_countdown(client, deal, at):
    section = deals_section(page(client, "/"))

    assert "Redmi Note 13 Pro" in section
    assert "Deal of the day" in section
    assert "€249.00" in section
    assert '<s class="price-compare"><span class="visually-hidden">Regular price </span>€299.00</s>' in section
    assert "Save 16%" in section
    assert f'<time datetime="{ENDS.isoformat()}">at 17:00 CEST</time>' in section
    assert "Ends" in section
    assert 'href="/deals/"' in section
    assert "placeholder-panel" not in section


def test_home_keeps_the_placeholder_without_deals(client, phone, at):
    section = deals_section(page(client, "/"))

    assert "New deals every day at midnight" in section
    assert 'href="/deals/"' not in section


def test_deals_page_lists_todays_deals(client, deal, make_products, at):
    other = make_products(1)[0].variants.first()
    DealFactory(variant=other, deal_price=Decimal("50.00"), starts_at=STARTS, ends_at=ENDS, quantity_cap=10, units_sold=4)
    html = page(client, "/deals/")

    assert '<h1 id="deals-page-title">Today’s deals</h1>' in html
    assert "Redmi Note 13 Pro" in html
    assert "Gadget 0000" in html
    assert "6 left at this price" in html
    assert 'href="/deals/"' in html  # the header's link


def test_deals_page_says_so_when_there_are_none(client, phone, at):
    html = page(client, "/deals/")

    assert "No deals right now" in html


def test_an_upcoming_deal_of_today_shows_when_it_starts_but_not_its_price_yet(client, deal, at):
    at(STARTS - timedelta(seconds=1))

    section = deals_section(page(client, "/"))
    box = buy_box(page(client, PRODUCT))

    assert "Starts" in section
    assert f'<time datetime="{STARTS.isoformat()}">at 11:00 CEST</time>' in section
    assert "€299.00" in box
    assert "€249.00" not in box
    assert "Deal ends" not in box


def test_product_page_shows_the_deal_price_inside_the_window(client, deal, at):
    box = buy_box(page(client, PRODUCT))

    assert '<span class="price price-large price-deal">€249.00</span>' in box
    assert "€299.00</s>" in box
    assert "Save 16%" in box
    assert "Deal ends" in box
    assert f'<time datetime="{ENDS.isoformat()}">at 17:00 CEST</time>' in box


def test_structured_data_offers_the_deal_price_until_the_deal_ends(client, deal, at):
    html = page(client, PRODUCT)

    assert '"price":"249.00","priceCurrency":"EUR"' in html
    assert f'"priceValidUntil":"{ENDS.isoformat()}"' in html


def test_the_deal_ends_exactly_at_ends_at(client, deal, at):
    at(ENDS)

    box = buy_box(page(client, PRODUCT))
    section = deals_section(page(client, "/"))

    assert '<span class="price price-large">€299.00</span>' in box
    assert "€249.00" not in box
    assert "Deal ends" not in box
    assert "Redmi Note 13 Pro" not in section


def test_the_variant_partial_shows_the_deal_of_the_chosen_variant(client, deal, at):
    chosen = page(client, "/products/redmi-note-13-pro/variant?sku=RN13P-BLK-256", **HX)
    other = page(client, "/products/redmi-note-13-pro/variant?sku=RN13P-BLK-512", **HX)

    assert "€249.00" in chosen
    assert "Deal ends" in chosen
    assert "€249.00" not in other
    assert "Deal ends" not in other


def test_listing_cards_show_the_deal_price(client, deal, at):
    html = page(client, "/categories/phones/")

    assert '<span class="price price-deal">€249.00</span>' in html
    assert "Regular price </span>€299.00</s>" in html
    assert "Deal ends" in html


def test_a_sold_out_deal_shows_sold_out_and_the_regular_price(client, deal, at):
    deal.quantity_cap = 3
    deal.units_sold = 3
    deal.save()

    box = buy_box(page(client, PRODUCT))
    section = deals_section(page(client, "/"))

    assert '<span class="price price-large">€299.00</span>' in box
    assert "Sold out" in box
    assert "Deal ends" not in box
    assert "Sold out" in section


def test_selling_out_through_checkout_drops_the_deal_from_cached_pages(client, deal, at, django_capture_on_commit_callbacks):
    from allbuy.deals.services import deal_units_take

    deal.quantity_cap = 2
    deal.save()
    assert "Deal ends" in buy_box(page(client, PRODUCT))  # cached with the deal price
    assert queries_for(client, PRODUCT) == 1  # warm: only the catalog revision; the deals key is remembered

    with django_capture_on_commit_callbacks(execute=True):
        assert deal_units_take(deal_id=deal.pk, quantity=2)

    box = buy_box(page(client, PRODUCT))
    assert "Sold out" in box
    assert '<span class="price price-large">€299.00</span>' in box


def test_the_cached_page_changes_at_the_window_edge_without_a_catalog_write(client, deal, at):
    at(ENDS - timedelta(seconds=1))
    revision = catalog_revision()
    before = page(client, PRODUCT)
    assert queries_for(client, PRODUCT) <= 2  # served from the cache

    at(ENDS)
    after = page(client, PRODUCT)

    assert catalog_revision() == revision
    assert "Deal ends" in before
    assert "Deal ends" not in after
    assert '<span class="price price-large">€299.00</span>' in buy_box(after)
    assert queries_for(client, PRODUCT) <= 2  # the new key is cached in turn


def test_the_cached_home_page_picks_up_a_deal_at_its_start(client, deal, at):
    at(STARTS - timedelta(minutes=1))
    assert "Starts" in deals_section(page(client, "/"))

    at(STARTS)
    section = deals_section(page(client, "/"))

    assert "Starts" not in section
    assert "Ends" in section


@pytest.mark.parametrize("url", ["/", "/deals/", "/categories/phones/", "/search?q=gadget"])
def test_pages_with_deals_run_a_fixed_number_of_queries(client, make_products, at, url):
    def with_deals(products):
        for product in products:
            DealFactory(variant=product.variants.first(), deal_price=Decimal("50.00"), starts_at=STARTS, ends_at=ENDS)
            product.is_featured = True
            product.save()

    with_deals(make_products(2))
    cache.clear()
    few = queries_for(client, url)
    with_deals(make_products(6))
    cache.clear()

    assert queries_for(client, url) == few
    assert queries_for(client, url) <= 2


def test_product_page_with_deals_runs_a_fixed_number_of_queries(client, phone, deal, make_products, at):
    def with_deals(products):
        for product in products:
            DealFactory(variant=product.variants.first(), deal_price=Decimal("50.00"), starts_at=STARTS, ends_at=ENDS)

    with_deals(make_products(1))
    cache.clear()
    few = queries_for(client, PRODUCT)
    with_deals(make_products(6))
    cache.clear()

    assert queries_for(client, PRODUCT) == few
