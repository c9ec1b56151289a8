"""Today's deal on the home page: the server says when it ends, the browser counts down to it."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from allbuy.catalog.tests.factories import ProductFactory, VariantFactory
from allbuy.deals.tests.factories import DealFactory
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_todays_deal_counts_down_and_leads_to_its_product(live_server, page):
    # given a deal running for two more hours
    now = timezone.now()
    product = ProductFactory(name="Redmi Buds 5", slug="redmi-buds-5")
    variant = VariantFactory(product=product, sku="BUDS5-BLK", price=Decimal("49.00"), stock_quantity=10)
    DealFactory(
        variant=variant,
        title="Deal of the day",
        deal_price=Decimal("29.00"),
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=2),
    )

    # when the shopper opens the home page
    page.goto(live_server.url + "/")
    deals = page.locator("section[aria-labelledby='deals-title']")

    # then the deal card counts down live
    countdown = deals.locator(".deal-countdown time").first
    page.wait_for_function("() => /^in 1 h \\d+ min \\d\\d s$/.test(document.querySelector('.deal-countdown time').textContent)")
    first = countdown.inner_text()
    page.wait_for_function("before => document.querySelector('.deal-countdown time').textContent !== before", arg=first)
    assert "€29.00" in deals.inner_text()
    screenshot(page, "deals-1-home-countdown")

    # and the card leads to the product at the deal price
    deals.locator("a[href^='/products/redmi-buds-5/']").first.click()
    page.wait_for_url(re.compile(r"/products/redmi-buds-5/\?sku=BUDS5-BLK"))
    assert page.locator(".price-large").first.inner_text() == "€29.00"
    assert re.match(r"Deal ends in 1 h \d+ min", page.locator("#buy-box .deal-countdown").inner_text())

    # and the header links to all of today's deals
    page.get_by_role("link", name="Today’s deals").first.click()
    page.wait_for_url(re.compile(r"/deals/$"))
    assert page.get_by_role("heading", name="Today’s deals").is_visible()
    assert "Redmi Buds 5" in page.locator("main").inner_text()
