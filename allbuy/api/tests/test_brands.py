import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from allbuy.api.tests.assertions import error_of
from allbuy.catalog.tests.factories import BrandFactory

pytestmark = pytest.mark.django_db


def test_list_brands_with_active_product_counts(client, product_make):
    xiaomi = BrandFactory(name="Xiaomi", slug="xiaomi", description="Phones and more.")
    BrandFactory(name="Apple", slug="apple")
    product_make(brand=xiaomi)
    product_make(brand=xiaomi, is_active=False)

    response = client.get("/api/brands")

    assert response.status_code == 200
    assert response.json() == [
        {"slug": "apple", "name": "Apple", "description": "", "url": "/brands/apple/", "product_count": 0},
        {"slug": "xiaomi", "name": "Xiaomi", "description": "Phones and more.", "url": "/brands/xiaomi/", "product_count": 1},
    ]


def test_list_brands_query_count_does_not_grow(client, product_make):
    product_make()
    with CaptureQueriesContext(connection) as few:
        client.get("/api/brands")
    for _ in range(4):
        product_make()

    with CaptureQueriesContext(connection) as many:
        response = client.get("/api/brands")

    assert len(response.json()) == 5
    assert len(many) == len(few)


def test_brand_detail(client, product_make):
    product_make(brand=BrandFactory(name="Nothing", slug="nothing"))

    response = client.get("/api/brands/nothing")

    assert response.status_code == 200
    assert response.json() == {
        "slug": "nothing",
        "name": "Nothing",
        "description": "",
        "url": "/brands/nothing/",
        "product_count": 1,
    }


def test_unknown_brand_is_404(client):
    assert error_of(client.get("/api/brands/no-such-brand"), 404)["code"] == "brand_not_found"


@pytest.mark.parametrize("slug", ["two%20words", "caf%C3%A9", "%00", "x" * 500])
def test_malformed_brand_slug_is_400(client, slug):
    assert error_of(client.get(f"/api/brands/{slug}"), 400)["code"] == "invalid_input"
