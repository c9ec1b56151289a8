"""The home page's "Recommended for you" slot, filled per request into the page every visitor shares.

Visitors without personalisation consent (and consenting visitors with no events yet) all get the same
"Popular right now" HTML, kept in the cache at the catalog revision and deals of the page around it: no query.
A consenting visitor costs one query for their recent products; the recommendation made from those products
is cached the same way, keyed on the products alone (no identifier), so only a new set of recent products
costs the recommendation's queries (two to four) and its cards' (three: products, images, deals).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest
from django.template.loader import render_to_string

from allbuy.catalog.selectors import product_cards
from allbuy.personalisation.selectors import Recommendation, popular, recent_products_of, recommended_for_products
from allbuy.storefront.deal_cards import cards_with_deals
from allbuy.storefront.page_cache import (
    fragment_cached,
    fragment_key,
    request_catalog_revision,
    request_deals_key,
    request_now,
)
from allbuy.storefront.rendering import html_compact
from allbuy.tracking.consent import request_visitor

RECOMMENDED_SLOT = "<!--recommended-->"


def recommendation_html(recommendation: Recommendation, *, request: HttpRequest) -> str:
    """Return the section showing `recommendation` as cards priced at this request's instant ('' when empty)."""
    products = product_cards(ids=recommendation.product_ids)
    if not products:
        return ""
    cards_with_deals(products, request_now(request))
    context = {"recommendation": recommendation, "products": products}
    return html_compact(render_to_string("personalisation/_recommended.html", context))


def _cached(request: HttpRequest, parts: tuple[object, ...], recommend: Callable[[], Recommendation]) -> str:
    key = fragment_key("recommended", request_catalog_revision(request), request_deals_key(request), *parts)
    html: str = fragment_cached(key, lambda: recommendation_html(recommend(), request=request))
    return html


def recommended_slot_render(request: HttpRequest) -> str:
    """Return this visitor's "Recommended for you" section, or the shop's "Popular right now"."""
    visitor = request_visitor(request, purpose="personalisation")
    recent = recent_products_of(visitor=visitor, now=request_now(request))
    if not recent:
        return _cached(request, ("popular",), popular)
    return _cached(request, ("for", *recent), lambda: recommended_for_products(product_ids=recent))
