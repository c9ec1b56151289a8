"""A shopper's first visit: home → search "redmi" → a product → another variant → the price follows."""

import re

import pytest
from django.core.management import call_command

from allbuy.catalog.models import Product
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def seeded(media_on_disk):
    call_command("seed_demo", "--quiet")


def test_search_open_a_product_and_pick_another_variant(seeded, live_server, page):
    # given the home page
    page.goto(live_server.url + "/")
    assert page.get_by_role("heading", name=re.compile("Featured")).is_visible()

    # when the shopper searches for "redmi" from the header
    page.get_by_label("Search products").fill("redmi")
    page.get_by_label("Search products").press("Enter")
    page.wait_for_url(re.compile(r"/search\?q=redmi"))
    results = page.locator("main a[href^='/products/']")
    assert results.count() > 3
    assert all("redmi" in (results.nth(i).inner_text().lower()) for i in range(3))
    screenshot(page, "journey-1-search-redmi")

    # and opens a phone with several storage options
    slug = next(
        p.slug
        for p in Product.objects.filter(brand__slug="redmi", category__parent__slug="phones").prefetch_related("variants")
        if len({v.attributes.get("storage") for v in p.variants.all()}) > 1
        and page.locator(f"main a[href='/products/{p.slug}/']").count()
    )
    page.locator(f"main a[href='/products/{slug}/']").first.click()
    page.wait_for_url(re.compile(f"/products/{slug}/"))
    price = page.locator(".price-large").first
    before = price.inner_text()
    screenshot(page, "journey-2-product")

    # and picks another storage size (a real radio button, chosen by its label)
    picker = page.locator("#variant-picker")
    storage_options = picker.locator("input[type=radio][name=storage]")
    assert storage_options.count() > 1
    other = storage_options.nth(storage_options.count() - 1)
    picker.locator(f"label[for='{other.get_attribute('id')}']").click()

    # then the price changes in place (htmx) and the URL names the chosen SKU
    page.wait_for_function("before => document.querySelector('.price-large').innerText !== before", arg=before)
    assert price.inner_text() != before
    page.wait_for_url(re.compile(r"[?&]sku="))
    screenshot(page, "journey-3-variant-picked")

    # and reloading the shared URL shows the same variant
    after = price.inner_text()
    page.reload()
    assert page.locator(".price-large").first.inner_text() == after


def test_the_shop_is_usable_on_a_phone(seeded, live_server, browser):
    context = browser.new_context(viewport={"width": 375, "height": 800}, is_mobile=True, has_touch=True)
    try:
        phone = context.new_page()
        for path in ("/", "/categories/phones/", "/search?q=band+8"):
            phone.goto(live_server.url + path)
            overflow = phone.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at 375px"
            assert phone.locator("img:not([alt])").count() == 0
        screenshot(phone, "journey-phone-search")
    finally:
        context.close()
