"""The home page: featured products, today's deals, category tiles and brands."""

from __future__ import annotations

from datetime import datetime

from django.template.loader import render_to_string
from django.urls import reverse

from allbuy.catalog.selectors import brand_list, category_tree, product_featured
from allbuy.deals.selectors import deals_today
from allbuy.storefront.deal_cards import DealView, cards_with_deals, deal_views
from allbuy.storefront.rendering import RenderedPage

HOME_DEALS = 8
DEALS_PAGE_LIMIT = 200

HOME_DESCRIPTION = (
    "Xiaomi, Redmi, POCO and Huawei phones, watches, bands, earbuds and chargers, from a shop that keeps its privacy promises."
)


def home_deals(now: datetime, limit: int = HOME_DEALS) -> list[DealView]:
    """Return today's deals (live, sold out or starting later today) as cards, soonest first."""
    return deal_views(deals_today(now=now, limit=limit), now)


def home_render(now: datetime) -> RenderedPage:
    featured = product_featured(limit=8)
    cards_with_deals(featured, now)
    context = {
        "featured": featured,
        "categories": category_tree(),
        "brands": [brand for brand in brand_list() if getattr(brand, "product_count", 0)],
        "deals": home_deals(now),
    }
    return RenderedPage(
        title="AllBuy — phones, wearables and gadgets",
        description=HOME_DESCRIPTION,
        body=render_to_string("storefront/home.html", context),
        url="/",
    )


def deals_render(now: datetime) -> RenderedPage:
    """Return the "Today's deals" page: every deal of the shop's day, or a message saying there are none yet."""
    return RenderedPage(
        title="Today’s deals — AllBuy",
        description="Today’s daily deals at AllBuy: limited-time prices on phones, wearables and gadgets.",
        body=render_to_string("storefront/deals.html", {"deals": home_deals(now, limit=DEALS_PAGE_LIMIT)}),
        url=reverse("storefront:deals"),
    )
