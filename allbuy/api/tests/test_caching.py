"""Catalog API bodies are cached at the catalog revision: cheap when warm, never stale after a write."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from allbuy.catalog.models import Variant

pytestmark = pytest.mark.django_db


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", ["/api/products", "/api/products?q=gadget&sort=price_asc", "/api/products/cached-phone"])
def test_a_warm_request_costs_one_query(client, product_make, url):
    product_make(name="Cached Phone", slug="cached-phone")
    queries(client, url)
    assert queries(client, url) == 1


def test_a_price_change_shows_at_once(client, product_make):
    product = product_make(name="Cached Phone", slug="cached-phone")
    before = client.get("/api/products").json()["items"][0]["price_from"]
    variant = Variant.objects.get(product=product)
    variant.price = Decimal("123.45")
    variant.compare_at_price = None
    variant.save()
    after = client.get("/api/products").json()["items"][0]["price_from"]
    assert before != after
    assert after == "123.45"
    assert client.get("/api/products/cached-phone").json()["variants"][0]["price"] == "123.45"
