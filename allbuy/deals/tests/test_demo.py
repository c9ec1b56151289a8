"""`seed_demo`'s offers: today's deals, running promotions, demo coupons and a demo customer, never twice."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client

from allbuy.accounts.demo import DEMO_EMAIL, DEMO_PASSWORD, demo_customer_seed
from allbuy.catalog.demo import demo_catalog_seed
from allbuy.coupons.models import Coupon
from allbuy.deals.demo import DEALS_PER_DAY, demo_offers_seed
from allbuy.deals.models import Deal, Promotion
from allbuy.deals.selectors import deals_today, promotions_active
from allbuy.deals.tests.factories import NOW

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog():
    demo_catalog_seed(now=NOW)


def test_a_first_run_makes_todays_deals_promotions_and_coupons(catalog):
    # when
    report = demo_offers_seed(now=NOW)

    # then
    assert (report.deals, report.promotions, report.coupons) == (DEALS_PER_DAY, 2, 5)
    today = deals_today(now=NOW)
    assert len(today) == DEALS_PER_DAY
    assert all(deal.deal_price < deal.variant.price for deal in today)
    assert {p.title for p in promotions_active(now=NOW)} == {"Wearables week", "Free shipping over €25"}
    assert set(Coupon.objects.values_list("code", flat=True)) == {"WELCOME10", "FREESHIP", "AUDIO15", "TAKE5", "SPRING10"}
    spring = Coupon.objects.get(code="SPRING10")
    assert spring.valid_until is not None
    assert spring.valid_until < NOW


def test_a_second_run_the_same_day_writes_nothing(catalog):
    demo_offers_seed(now=NOW)
    report = demo_offers_seed(now=NOW + timedelta(hours=1))
    assert (report.deals, report.promotions, report.coupons) == (0, 0, 0)
    assert Deal.objects.count() == DEALS_PER_DAY


def test_the_next_day_gets_its_own_deals_and_promotions_are_renewed_when_they_end(catalog):
    demo_offers_seed(now=NOW)
    later = demo_offers_seed(now=NOW + timedelta(days=8))
    assert later.deals == DEALS_PER_DAY
    assert later.promotions == 2
    assert Deal.objects.count() == 2 * DEALS_PER_DAY
    assert Promotion.objects.count() == 4


def test_the_demo_customer_can_sign_in_and_is_made_once():
    assert demo_customer_seed()
    assert not demo_customer_seed()
    client = Client()
    response = client.post("/accounts/login/", {"login": DEMO_EMAIL, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert client.get("/accounts/profile/").status_code == 200


def test_deal_prices_are_below_the_regular_price_whatever_it_is():
    import random

    from allbuy.deals.demo import _deal_price

    rng = random.Random(7)
    for price in (Decimal("15.00"), Decimal("19.99"), Decimal("99.00"), Decimal("1299.00")):
        for _ in range(50):
            deal = _deal_price(price, rng)
            assert Decimal("0") < deal < price
