import hashlib
import os
import subprocess
import sys
from collections import defaultdict
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command

from allbuy.catalog.demo import PALETTE, demo_catalog_plan, demo_catalog_seed
from allbuy.catalog.models import Brand, CatalogRevision, Category, Product, ProductImage, Variant

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    return demo_catalog_seed()


def _snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Return every demo row as plain values, timestamps included, so any write shows up."""
    return {
        "brands": list(Brand.objects.order_by("slug").values_list("slug", "name", "description")),
        "categories": list(
            Category.objects.order_by("slug").values_list("slug", "name", "parent__slug", "position", "description")
        ),
        "products": list(
            Product.objects.order_by("slug").values_list(
                "slug",
                "name",
                "brand__slug",
                "category__slug",
                "description",
                "specs",
                "is_featured",
                "is_active",
                "search_document",
                "created_at",
                "updated_at",
            )
        ),
        "variants": list(
            Variant.objects.order_by("sku").values_list(
                "sku", "product__slug", "attributes", "price", "compare_at_price", "currency", "stock_quantity", "position"
            )
        ),
        "images": list(
            ProductImage.objects.order_by("image").values_list("image", "product__slug", "colour", "alt_text", "position")
        ),
    }


def test_seed_creates_about_two_hundred_products_each_with_variants_and_images(seeded):
    # then
    assert 180 <= Product.objects.count() <= 230
    assert seeded.products == Product.objects.count()
    assert seeded.variants == Variant.objects.count()
    assert seeded.images == ProductImage.objects.count()
    for product in Product.objects.prefetch_related("variants", "images"):
        assert product.variants.all(), product.name
        images = list(product.images.all())
        assert 1 <= len(images) <= 3, product.name
        assert all(image.alt_text.startswith(product.name) for image in images)
        assert product.description.count(".") >= 2, product.name


def test_seed_creates_the_shop_brands_and_a_dozen_featured_products(seeded):
    # then
    assert {"Xiaomi", "Redmi", "POCO", "Huawei"} <= set(Brand.objects.values_list("name", flat=True))
    assert 10 <= Product.objects.filter(is_featured=True).count() <= 14
    assert Product.objects.get(slug="redmi-note-13-pro-plus-5g").name == "Redmi Note 13 Pro+ 5G"
    assert Product.objects.get(slug="redmi-note-13-pro-5g").name == "Redmi Note 13 Pro 5G"


def test_categories_are_two_levels_and_products_sit_in_subcategories(seeded):
    # then
    top_level = Category.objects.filter(parent=None)
    assert top_level.count() >= 4
    assert not Category.objects.filter(parent__parent__isnull=False).exists()
    for category in Category.objects.all():
        assert category.description
        category.full_clean()
    assert not Product.objects.filter(category__parent=None).exists()
    assert all(parent.children.exists() for parent in top_level)


def test_products_have_ordered_specs_and_a_search_document(seeded):
    # then
    for product in Product.objects.select_related("brand", "category"):
        assert product.specs, product.name
        assert all(set(row) == {"group", "name", "value"} and all(row.values()) for row in product.specs)
        assert product.brand.name in product.search_document
        assert product.category.name in product.search_document
    pura = Product.objects.get(name="Huawei Pura 70")
    specs = {row["name"]: row["value"] for row in pura.specs}
    assert specs["Chipset"] == "Kirin 9010"
    assert specs["Water resistance"] == "IP68"


def test_prices_are_positive_euros_ending_in_99_or_00_with_compare_at_above(seeded):
    # when
    variants = list(Variant.objects.all())

    # then
    assert all(isinstance(v.price, Decimal) and v.price > 0 for v in variants)
    assert all(v.currency == "EUR" for v in variants)
    assert all(str(v.price).endswith((".99", ".00")) for v in variants)
    compare_at = [(v.price, v.compare_at_price) for v in variants if v.compare_at_price is not None]
    assert all(higher > price for price, higher in compare_at)
    assert 0.2 <= len(compare_at) / len(variants) <= 0.5


def test_more_storage_costs_more(seeded):
    # given
    by_product_colour: dict[tuple[int, str], list[Variant]] = defaultdict(list)
    for variant in Variant.objects.filter(attributes__has_key="storage").order_by("position"):
        by_product_colour[(variant.product_id, variant.attributes["colour"])].append(variant)

    # then
    assert by_product_colour
    for variants in by_product_colour.values():
        prices = [v.price for v in variants]
        assert prices == sorted(prices)
        assert len(set(prices)) == len(prices)


def test_stock_varies_with_some_variants_sold_out_and_some_low(seeded):
    # when
    stock = list(Variant.objects.values_list("stock_quantity", flat=True))

    # then
    assert any(q == 0 for q in stock)
    assert any(1 <= q <= 4 for q in stock)
    assert any(q > 20 for q in stock)


def test_images_are_svg_files_in_media_storage_in_a_variant_colour(seeded):
    # then
    for image in ProductImage.objects.select_related("product"):
        assert image.image.name.startswith("products/demo/")
        assert default_storage.exists(image.image.name)
        with default_storage.open(image.image.name, "rb") as fh:
            assert fh.read().startswith(b"<svg ")
        assert image.colour in image.alt_text
        assert image.product.variants.filter(attributes__colour=image.colour).exists()


def test_svg_picture_uses_the_variant_colour_and_escapes_text():
    # given
    plan = demo_catalog_plan()
    product = next(p for p in plan.products if p.name == "Xiaomi 14T Pro")

    # then
    for image in product.images:
        assert PALETTE[image.colour][0] in image.svg
        assert "<title>Xiaomi 14T Pro</title>" in image.svg
    charger = next(p for p in plan.products if "(Type-A + Type-C)" in p.name)
    assert "Type-A + Type-C" in charger.images[0].svg


def test_second_run_writes_nothing_and_leaves_every_row_as_it_was(seeded):
    # given
    before = _snapshot()
    revision = CatalogRevision.objects.get(pk=1).revision

    # when
    again = demo_catalog_seed()

    # then
    assert again.rows_written == 0
    assert again.files_written == 0
    assert (again.products, again.variants, again.images) == (seeded.products, seeded.variants, seeded.images)
    assert _snapshot() == before
    assert CatalogRevision.objects.get(pk=1).revision == revision


def test_rerun_restores_catalog_content_but_keeps_stock_that_orders_moved(seeded):
    # given
    product = Product.objects.get(slug="poco-x6-pro")
    product.name = "Renamed"
    product.save()
    variant = product.variants.first()
    assert variant is not None
    original_price = variant.price
    Variant.objects.filter(pk=variant.pk).update(price=Decimal("1.00"), stock_quantity=777)
    revision = CatalogRevision.objects.get(pk=1).revision

    # when
    report = demo_catalog_seed()

    # then
    product.refresh_from_db()
    variant.refresh_from_db()
    assert report.rows_written == 2
    assert product.name == "POCO X6 Pro"
    assert "POCO X6 Pro" in product.search_document
    assert variant.price == original_price
    assert variant.stock_quantity == 777
    assert CatalogRevision.objects.get(pk=1).revision > revision


def test_seeded_rows_match_the_plan(seeded):
    # given
    plan = demo_catalog_plan()

    # then
    planned = {(v.sku, v.price, v.compare_at_price, v.stock_quantity) for p in plan.products for v in p.variants}
    stored = set(Variant.objects.values_list("sku", "price", "compare_at_price", "stock_quantity"))
    assert stored == planned


def test_plan_is_the_same_on_every_call():
    assert demo_catalog_plan() == demo_catalog_plan()


def _plan_digest_in_subprocess(hash_seed: str) -> str:
    code = (
        "import django, hashlib; django.setup()\n"
        "from allbuy.catalog.demo import demo_catalog_plan\n"
        "print(hashlib.sha256(repr(demo_catalog_plan()).encode() + b''.join("
        "i.svg.encode() for p in demo_catalog_plan().products for i in p.images)).hexdigest())"
    )
    env = {**os.environ, "PYTHONHASHSEED": hash_seed, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True, timeout=120)
    return result.stdout.strip()


def test_plan_does_not_depend_on_the_process():
    # given
    plan = demo_catalog_plan()
    local = hashlib.sha256(repr(plan).encode() + b"".join(i.svg.encode() for p in plan.products for i in p.images)).hexdigest()

    # then
    assert _plan_digest_in_subprocess("1") == _plan_digest_in_subprocess("2") == local


def test_command_prints_one_summary_line():
    # given
    out = StringIO()

    # when
    call_command("seed_demo", stdout=out)

    # then
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 1
    assert f"{Product.objects.count()} products" in lines[0]
    assert f"{Variant.objects.count()} variants" in lines[0]


def test_command_is_silent_with_quiet():
    # given
    out = StringIO()

    # when
    call_command("seed_demo", "--quiet", stdout=out)

    # then
    assert out.getvalue() == ""
    assert Product.objects.exists()
