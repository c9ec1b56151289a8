import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from allbuy.api.tests.assertions import error_of
from allbuy.catalog.tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def phones_tree(product_make):
    phones = CategoryFactory(name="Phones", slug="phones", position=1)
    xiaomi = CategoryFactory(name="Xiaomi phones", slug="xiaomi-phones", parent=phones)
    CategoryFactory(name="Apple phones", slug="apple-phones", parent=phones)
    CategoryFactory(name="Audio", slug="audio", position=2)
    product_make(category=xiaomi)
    product_make(category=xiaomi)
    product_make(category=xiaomi, is_active=False)
    product_make(category=phones)
    return phones


def test_tree_lists_top_level_categories_with_children_and_counts(client, phones_tree):
    response = client.get("/api/categories")

    assert response.status_code == 200
    assert response.json() == [
        {
            "slug": "phones",
            "name": "Phones",
            "url": "/categories/phones/",
            "product_count": 3,  # its own product and its subcategories' active ones
            "children": [
                {"slug": "apple-phones", "name": "Apple phones", "url": "/categories/apple-phones/", "product_count": 0},
                {"slug": "xiaomi-phones", "name": "Xiaomi phones", "url": "/categories/xiaomi-phones/", "product_count": 2},
            ],
        },
        {"slug": "audio", "name": "Audio", "url": "/categories/audio/", "product_count": 0, "children": []},
    ]


def test_tree_query_count_does_not_grow_with_categories(client, phones_tree):
    with CaptureQueriesContext(connection) as few:
        client.get("/api/categories")
    for _ in range(3):
        CategoryFactory(parent=CategoryFactory())

    with CaptureQueriesContext(connection) as many:
        response = client.get("/api/categories")

    assert len(response.json()) == 5
    assert len(many) == len(few)


def test_detail_of_top_level_category(client, phones_tree):
    phones_tree.description = "Smartphones."
    phones_tree.save()

    body = client.get("/api/categories/phones").json()

    assert body["slug"] == "phones"
    assert body["description"] == "Smartphones."
    assert body["parent"] is None
    assert body["product_count"] == 3
    assert [(child["slug"], child["product_count"]) for child in body["children"]] == [("apple-phones", 0), ("xiaomi-phones", 2)]


def test_detail_of_subcategory_names_its_parent(client, phones_tree):
    body = client.get("/api/categories/xiaomi-phones").json()

    assert body["parent"] == {"slug": "phones", "name": "Phones"}
    assert body["product_count"] == 2
    assert body["children"] == []
    assert body["url"] == "/categories/xiaomi-phones/"


def test_unknown_category_is_404(client):
    assert error_of(client.get("/api/categories/no-such-category"), 404)["code"] == "category_not_found"


@pytest.mark.parametrize("slug", ["two%20words", "caf%C3%A9", "%00", "x" * 500])
def test_malformed_category_slug_is_400(client, slug):
    assert error_of(client.get(f"/api/categories/{slug}"), 400)["code"] == "invalid_input"
