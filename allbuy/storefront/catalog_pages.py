"""Category, brand and search pages: one listing template, a full page or the htmx results partial."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from allbuy.catalog import search as catalog_search
from allbuy.catalog.models import Category
from allbuy.catalog.query import ProductQuery
from allbuy.catalog.selectors import ProductPage, brand_get, brand_list, category_get, category_tree, product_list
from allbuy.storefront.deal_cards import cards_with_deals
from allbuy.storefront.listing import ListingUrls, listing_context
from allbuy.storefront.rendering import RenderedPage

POPULAR_CATEGORIES = 6
SUGGESTIONS = 5


@dataclass(frozen=True)
class Crumb:
    label: str
    url: str


@dataclass(frozen=True)
class ListingHeading:
    title: str
    intro: str = ""
    crumbs: list[Crumb] = field(default_factory=list)
    subcategories: list[Category] = field(default_factory=list)


def _listing_render(
    query: ProductQuery,
    urls: ListingUrls,
    heading: ListingHeading,
    *,
    partial: bool,
    now: datetime,
    extra: Callable[[ProductPage], dict[str, Any]] | None = None,
) -> RenderedPage:
    page = product_list(query)
    cards_with_deals(page.products, now)
    context = {
        **listing_context(query, page, urls, currency=settings.ALLBUY_CURRENCY),
        "heading": heading,
        **(extra(page) if extra else {}),
    }
    template = "storefront/_results.html" if partial else "storefront/listing.html"
    page_title = heading.title if page.page == 1 else f"{heading.title} (page {page.page})"
    return RenderedPage(
        title=f"{page_title} — AllBuy",
        description=heading.intro[:160],
        body=render_to_string(template, context),
        url=context["canonical_url"],
    )


def popular_categories(limit: int = POPULAR_CATEGORIES) -> list[Category]:
    """Return the subcategories with the most active products."""
    children = [child for parent in category_tree() for child in parent.children.all()]
    ranked = sorted(children, key=lambda c: -getattr(c, "product_count", 0))
    return [c for c in ranked if getattr(c, "product_count", 0)][:limit]


def category_render(*, slug: str, query: ProductQuery, partial: bool, now: datetime) -> RenderedPage:
    category = category_get(slug=slug)
    crumbs = [Crumb("Home", reverse("storefront:home"))]
    subcategories: list[Category] = []
    if category.parent is not None:
        crumbs.append(Crumb(category.parent.name, reverse("storefront:category", args=[category.parent.slug])))
    elif not partial:
        node = next((c for c in category_tree() if c.pk == category.pk), None)
        subcategories = [child for child in node.children.all() if getattr(child, "product_count", 0)] if node else []
    heading = ListingHeading(title=category.name, intro=category.description, crumbs=crumbs, subcategories=subcategories)
    urls = ListingUrls(path=reverse("storefront:category", args=[slug]), fixed={"category": ""})
    return _listing_render(query, urls, heading, partial=partial, now=now)


def brand_render(*, slug: str, query: ProductQuery, partial: bool, now: datetime) -> RenderedPage:
    brand = brand_get(slug=slug)
    heading = ListingHeading(title=brand.name, intro=brand.description, crumbs=[Crumb("Home", reverse("storefront:home"))])
    urls = ListingUrls(path=reverse("storefront:brand", args=[slug]), fixed={"brand": []})
    return _listing_render(query, urls, heading, partial=partial, now=now)


def search_suggestions(q: str) -> list[str]:
    """Return "did you mean" alternatives for `q`, or none while the search module cannot offer them."""
    suggest = getattr(catalog_search, "search_suggestions", None)
    if suggest is None:
        return []
    return [s for s in suggest(q, limit=SUGGESTIONS) if s and s.casefold() != q.casefold()]


def search_render(*, query: ProductQuery, partial: bool, now: datetime) -> RenderedPage:
    path = reverse("storefront:search")
    if not query.q:
        context = {"categories": popular_categories(), "brands": [b for b in brand_list() if getattr(b, "product_count", 0)]}
        return RenderedPage(
            title="Search — AllBuy",
            description="Search AllBuy's phones, wearables and accessories.",
            body=render_to_string("storefront/search_empty.html", context),
            url=path,
        )
    filtered = bool(
        query.brands or query.price_min is not None or query.price_max is not None or query.in_stock or query.category
    )

    def nothing_found_help(page: ProductPage) -> dict[str, Any]:
        if page.total or filtered:
            return {}
        return {"suggestions": search_suggestions(query.q), "popular": popular_categories()}

    heading = ListingHeading(title=f"Results for “{query.q}”", crumbs=[Crumb("Home", reverse("storefront:home"))])
    page = _listing_render(query, ListingUrls(path=path), heading, partial=partial, now=now, extra=nothing_found_help)
    return replace(page, search_q=query.q)
