from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from allbuy.catalog.models import Variant
from allbuy.storefront.tests.conftest import HX

pytestmark = pytest.mark.django_db

LISTINGS = [
    "/",
    "/categories/phones/",
    "/categories/phones/?brand=xiaomi&in_stock=1&sort=price_asc",
    "/brands/xiaomi/",
    "/search?q=gadget",
    "/search?q=gadget&brand=huawei",
]


def queries_for(client, url: str, **extra: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, **extra)
    assert response.status_code == 200, url
    return len(context.captured_queries)


@pytest.mark.parametrize("url", LISTINGS)
def test_listing_pages_run_a_fixed_number_of_queries(client, make_products, url):
    make_products(4)
    cache.clear()
    few = queries_for(client, url)
    make_products(8)
    cache.clear()

    assert queries_for(client, url) == few


def test_htmx_partials_run_a_fixed_number_of_queries(client, make_products):
    make_products(4)
    cache.clear()
    few = queries_for(client, "/categories/phones/?brand=huawei", **HX)
    make_products(8)
    cache.clear()

    assert queries_for(client, "/categories/phones/?brand=huawei", **HX) == few


def test_product_page_runs_a_fixed_number_of_queries(client, phone, make_products):
    make_products(2)
    cache.clear()
    few = queries_for(client, "/products/redmi-note-13-pro/")
    make_products(6)
    for i in range(6):
        Variant.objects.create(product=phone, sku=f"EXTRA-{i}", attributes={"colour": f"Colour {i}"}, price=Decimal("10.00"))
    cache.clear()

    assert queries_for(client, "/products/redmi-note-13-pro/") == few


@pytest.mark.parametrize("url", [*LISTINGS, "/products/gadget-0000/", "/search"])
def test_a_second_request_is_served_from_the_cache(client, make_products, url):
    make_products(3)
    queries_for(client, url)

    assert queries_for(client, url) <= 2


def test_variant_panel_is_cached_too(client, phone):
    params = {"HTTP_HX_TRIGGER_NAME": "storage", **HX}
    queries_for(client, "/products/redmi-note-13-pro/variant?colour=Black&storage=512+GB", **params)

    assert queries_for(client, "/products/redmi-note-13-pro/variant?colour=Black&storage=512+GB", **params) <= 2


def test_cached_pages_show_a_price_change_at_once(client, phone):
    assert "€299.00" in client.get("/products/redmi-note-13-pro/").content.decode()
    assert "€299.00" in client.get("/categories/phones/").content.decode()
    variant = phone.variants.get(sku="RN13P-BLK-256")

    variant.price = Decimal("279.00")
    variant.save()

    product_html = client.get("/products/redmi-note-13-pro/").content.decode()
    listing_html = client.get("/categories/phones/").content.decode()
    assert "€279.00" in product_html
    assert "€299.00" not in product_html
    assert "€279.00" in listing_html


def test_cached_pages_show_a_new_product_at_once(client, phone, make_products):
    client.get("/categories/phones/")
    client.get("/")

    make_products(1)

    assert "Gadget 0000" in client.get("/categories/phones/").content.decode()


def test_unknown_parameters_share_the_cached_page(client, make_products):
    make_products(2)
    client.get("/categories/phones/")

    assert queries_for(client, "/categories/phones/?utm_source=mail") <= 2


def test_the_account_corner_is_filled_per_request_around_the_shared_page(client, phone, django_user_model):
    from allbuy.accounts.services import user_create

    url = "/products/redmi-note-13-pro/"
    anonymous = client.get(url).content.decode()
    user = user_create(email="cache-visitor@example.org", password="a-long-password-1")
    client.force_login(user)
    signed_in = client.get(url).content.decode()
    client.logout()
    anonymous_again = client.get(url).content.decode()

    assert "Sign in" in anonymous
    assert "My account" not in anonymous
    assert "My account" in signed_in
    assert "My account" not in anonymous_again
    assert "<!--visitor-->" not in signed_in
