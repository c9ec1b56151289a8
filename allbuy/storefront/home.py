"""The home page: featured products, today's deals, category tiles and brands."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from allbuy.catalog.selectors import brand_list, category_tree, product_featured
from allbuy.storefront.rendering import RenderedPage

HOME_DESCRIPTION = (
    "Xiaomi, Redmi, POCO and Huawei phones, watches, bands, earbuds and chargers, from a shop that keeps its privacy promises."
)


def home_deals() -> list[Any]:
    """Return today's deals for the home page. None yet: the deals app fills this in (and keys the cache on the deal day)."""
    return []


def home_render() -> RenderedPage:
    context = {
        "featured": product_featured(limit=8),
        "categories": category_tree(),
        "brands": [brand for brand in brand_list() if getattr(brand, "product_count", 0)],
        "deals": home_deals(),
    }
    return RenderedPage(
        title="AllBuy — phones, wearables and gadgets",
        description=HOME_DESCRIPTION,
        body=render_to_string("storefront/home.html", context),
        url="/",
    )
