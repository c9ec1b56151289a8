import json
from decimal import Decimal

import pytest
from django.contrib import admin
from django.db import connection
from django.db.models import Model
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from allbuy.catalog.models import Brand, Category, Product, ProductImage, Variant
from allbuy.catalog.tests.factories import (
    BrandFactory,
    CategoryFactory,
    ProductFactory,
    ProductImageFactory,
    VariantFactory,
)

pytestmark = pytest.mark.django_db

CATALOG_MODELS = [Brand, Category, Product, Variant, ProductImage]


def _url(model: type[Model], view: str, *args: object) -> str:
    return reverse(f"admin:catalog_{model._meta.model_name}_{view}", args=args)


def _products(count, *, brand, category):
    products = []
    for _ in range(count):
        product = ProductFactory(brand=brand, category=category)
        VariantFactory(product=product)
        VariantFactory(product=product, attributes={"colour": "White"}, stock_quantity=0)
        ProductImageFactory(product=product)
        products.append(product)
    return products


@pytest.fixture
def catalog() -> dict[str, object]:
    phones = CategoryFactory(name="Phones", slug="phones")
    xiaomi_phones = CategoryFactory(name="Xiaomi phones", slug="xiaomi-phones", parent=phones)
    brand = BrandFactory(name="Xiaomi", slug="xiaomi")
    product = ProductFactory(name="Xiaomi 14T Pro", slug="xiaomi-14t-pro", brand=brand, category=xiaomi_phones)
    variant = VariantFactory(product=product, sku="XIAOMI-14T-PRO-TBL-12-256", attributes={"colour": "Titan Blue"})
    image = ProductImageFactory(product=product, colour="Titan Blue", alt_text="Xiaomi 14T Pro in Titan Blue, back view")
    return {"Brand": brand, "Category": xiaomi_phones, "Product": product, "Variant": variant, "ProductImage": image}


def test_every_catalog_model_is_registered():
    assert all(admin.site.is_registered(model) for model in CATALOG_MODELS)


@pytest.mark.parametrize("model", CATALOG_MODELS, ids=lambda m: m.__name__)
def test_changelist_change_and_add_pages_render(admin_client, catalog, model):
    # given
    obj = catalog[model.__name__]

    # then
    assert admin_client.get(_url(model, "changelist")).status_code == 200
    assert admin_client.get(_url(model, "change", obj.pk)).status_code == 200
    assert admin_client.get(_url(model, "add")).status_code == 200


def test_product_search_matches_name_slug_and_brand(admin_client, catalog):
    # given
    other = ProductFactory(name="Huawei Pura 70", slug="huawei-pura-70", brand=BrandFactory(name="Huawei", slug="huawei"))

    # when
    by_name = admin_client.get(_url(Product, "changelist"), {"q": "14T"})
    by_slug = admin_client.get(_url(Product, "changelist"), {"q": "pura-70"})
    by_brand = admin_client.get(_url(Product, "changelist"), {"q": "huawei"})

    # then
    assert list(by_name.context["cl"].result_list) == [catalog["Product"]]
    assert list(by_slug.context["cl"].result_list) == [other]
    assert list(by_brand.context["cl"].result_list) == [other]


def test_product_changelist_shows_variant_count_lowest_price_and_stock(admin_client, catalog):
    # given
    VariantFactory(product=catalog["Product"], price=Decimal("149.00"), stock_quantity=3)

    # when
    response = admin_client.get(_url(Product, "changelist"))

    # then
    row = response.context["cl"].result_list[0]
    assert (row.variant_count, row.price_from, row.stock_total) == (2, Decimal("149.00"), 13)


def test_variant_search_matches_sku_and_product_name(admin_client, catalog):
    # when
    by_sku = admin_client.get(_url(Variant, "changelist"), {"q": "TBL-12"})
    by_product = admin_client.get(_url(Variant, "changelist"), {"q": "14T Pro"})
    nothing = admin_client.get(_url(Variant, "changelist"), {"q": "galaxy"})

    # then
    assert list(by_sku.context["cl"].result_list) == [catalog["Variant"]]
    assert list(by_product.context["cl"].result_list) == [catalog["Variant"]]
    assert list(nothing.context["cl"].result_list) == []


def test_variant_stock_filter_finds_sold_out_variants(admin_client, catalog):
    # given
    sold_out = VariantFactory(product=catalog["Product"], stock_quantity=0)

    # when
    response = admin_client.get(_url(Variant, "changelist"), {"stock": "out"})

    # then
    assert list(response.context["cl"].result_list) == [sold_out]


def test_product_category_filter_lists_parent_and_child(admin_client, catalog):
    # when
    response = admin_client.get(_url(Product, "changelist"), {"category__id__exact": catalog["Category"].pk})

    # then
    assert "Phones › Xiaomi phones" in response.content.decode()
    assert list(response.context["cl"].result_list) == [catalog["Product"]]


def test_category_parent_choices_are_top_level_only(admin_client, catalog):
    # when
    response = admin_client.get(_url(Category, "add"))

    # then
    choices = list(response.context["adminform"].form.fields["parent"].queryset)
    assert choices == [catalog["Category"].parent]


def test_saving_a_product_in_admin_reindexes_it(admin_client, catalog):
    # given
    product = catalog["Product"]
    data = {
        "name": "Xiaomi 14T Pro Leica Edition",
        "slug": product.slug,
        "brand": product.brand_id,
        "category": product.category_id,
        "description": product.description,
        "specs": json.dumps([{"group": "Camera", "name": "Main", "value": "50 MP Leica"}]),
        "is_active": "on",
        "merchant": "",
        "_save": "Save",
    }
    for prefix, rows in (("variants", product.variants.all()), ("images", product.images.all())):
        data |= {
            f"{prefix}-TOTAL_FORMS": 0,
            f"{prefix}-INITIAL_FORMS": 0,
            f"{prefix}-MIN_NUM_FORMS": 0,
            f"{prefix}-MAX_NUM_FORMS": 1000,
        }
        for index, row in enumerate(rows):
            data |= {f"{prefix}-{index}-id": row.pk, f"{prefix}-{index}-product": product.pk}
    data["variants-TOTAL_FORMS"] = data["variants-INITIAL_FORMS"] = 1
    data |= {
        "variants-0-sku": "XIAOMI-14T-PRO-TBL-12-256",
        "variants-0-attributes": json.dumps({"colour": "Titan Blue"}),
        "variants-0-price": "699.00",
        "variants-0-currency": "EUR",
        "variants-0-stock_quantity": "4",
        "variants-0-position": "0",
    }
    data["images-TOTAL_FORMS"] = data["images-INITIAL_FORMS"] = 1
    data |= {
        "images-0-colour": "Titan Blue",
        "images-0-alt_text": "Xiaomi 14T Pro in Titan Blue, back view",
        "images-0-position": "0",
    }

    # when
    response = admin_client.post(_url(Product, "change", product.pk), data)

    # then
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    product.refresh_from_db()
    assert "Leica Edition" in product.search_document
    assert "50 MP Leica" in product.search_document
    assert product.variants.get().price == Decimal("699.00")


def test_variant_stock_is_editable_in_the_changelist(admin_client, catalog):
    # given
    variant = catalog["Variant"]
    data = {
        "form-TOTAL_FORMS": 1,
        "form-INITIAL_FORMS": 1,
        "form-MIN_NUM_FORMS": 0,
        "form-MAX_NUM_FORMS": 1000,
        "form-0-id": variant.pk,
        "form-0-stock_quantity": 0,
        "_save": "Save",
    }

    # when
    response = admin_client.post(_url(Variant, "changelist"), data)

    # then
    assert response.status_code == 302
    variant.refresh_from_db()
    assert variant.stock_quantity == 0


def _changelist_queries(client, model: type[Model]) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(_url(model, "changelist"))
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("model", CATALOG_MODELS, ids=lambda m: m.__name__)
def test_changelist_queries_do_not_grow_with_rows(admin_client, model):
    # given
    parent = CategoryFactory(name="Audio", slug="audio")
    brand = BrandFactory(name="Anker", slug="anker")
    _products(2, brand=brand, category=CategoryFactory(name="Earbuds", slug="earbuds", parent=parent))
    admin_client.get(_url(model, "changelist"))  # warm up: session, content types
    few = _changelist_queries(admin_client, model)

    # when
    for index in range(10):
        child = CategoryFactory(name=f"Child {index}", slug=f"child-{index}", parent=parent)
        _products(3, brand=BrandFactory(), category=child)
    many = _changelist_queries(admin_client, model)

    # then
    assert many == few
