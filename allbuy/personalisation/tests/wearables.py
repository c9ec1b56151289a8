"""A small Huawei shop to recommend from: watches and bands (wearables), phones; and a visitor's views."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.utils.text import slugify

from allbuy.catalog.models import Category, Product
from allbuy.catalog.tests.factories import BrandFactory, CategoryFactory, ProductFactory, VariantFactory
from allbuy.tracking.models import Event, EventKind
from allbuy.tracking.partitions import event_partition_ensure


@dataclass
class Shop:
    watches: Category
    bands: Category
    phones: Category
    watched: list[Product]  # three Huawei watches the visitor looks at
    gt5: Product  # another watch, featured
    d2: Product  # another watch
    band8: Product
    band9: Product
    pura: Product  # a featured phone
    nova: Product


def category(name: str, parent: Category | None = None) -> Category:
    made: Category = CategoryFactory.create(name=name, slug=slugify(name), parent=parent)
    return made


def product(name: str, in_category: Category, *, featured: bool = False) -> Product:
    made: Product = ProductFactory.create(
        name=name,
        slug=slugify(name),
        brand=BrandFactory.create(name="Huawei", slug="huawei"),
        category=in_category,
        is_featured=featured,
    )
    VariantFactory.create(product=made, price=Decimal("199.00"))
    return made


def shop_build() -> Shop:
    wearables = category("Wearables")
    watches = category("Smartwatches", wearables)
    bands = category("Fitness bands", wearables)
    phones = category("Huawei phones", category("Phones"))
    return Shop(
        watches=watches,
        bands=bands,
        phones=phones,
        watched=[product(name, watches) for name in ("Huawei Watch GT 4", "Huawei Watch Fit 3", "Huawei Watch 4 Pro")],
        gt5=product("Huawei Watch GT 5", watches, featured=True),
        d2=product("Huawei Watch D2", watches),
        band8=product("Huawei Band 8", bands),
        band9=product("Huawei Band 9", bands),
        pura=product("Huawei Pura 70", phones, featured=True),
        nova=product("Huawei Nova 12", phones),
    )


def viewed(products: list[Product], *, visitor: str, now: datetime) -> None:
    """Record that `visitor` viewed `products`, one a minute, the last a few minutes before `now`."""
    for i, seen in enumerate(products):
        at = now - timedelta(minutes=10 - i)
        event_partition_ensure(at.date())
        Event.objects.create(day=at.date(), occurred_at=at, visitor=visitor, kind=EventKind.PRODUCT_VIEW, product_id=seen.pk)
