"""The strip of promotion banners under the header of every storefront page.

It is rendered into the cached document, never per request: the page cache key carries the deals key
(`request_deals_key`), which moves whenever a promotion starts or ends, and every edit of a promotion or of
its scope moves the catalog revision (deals/apps.py). So a cached page shows exactly the promotions live at
the instant it describes, at no query once cached.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.urls import reverse

from allbuy.deals.models import Promotion
from allbuy.deals.selectors import promotions_active

MAX_BANNERS = 3


@dataclass(frozen=True)
class PromotionBanner:
    text: str
    url: str = ""  # the page listing the promotion's scope; empty when no one page lists exactly that


def promotion_scope_url(promotion: Promotion) -> str:
    """Return the page that lists exactly what the promotion covers, or "" when no page does.

    That is a scope of one brand, one category or one (active) product, with no exclusions. A whole-catalog or
    mixed scope gets no link rather than one to a page showing things the promotion does not cover. Reads the
    scope sets from the prefetch cache of `promotions_active`.
    """
    if promotion.exclude_brands.all() or promotion.exclude_categories.all() or promotion.exclude_products.all():
        return ""
    brands = list(promotion.include_brands.all())
    categories = list(promotion.include_categories.all())
    products = list(promotion.include_products.all())
    if len(brands) + len(categories) + len(products) != 1:
        return ""
    if brands:
        return reverse("storefront:brand", args=[brands[0].slug])
    if categories:
        return reverse("storefront:category", args=[categories[0].slug])
    return reverse("storefront:product", args=[products[0].slug]) if products[0].is_active else ""


def promotion_banners(now: datetime, limit: int = MAX_BANNERS) -> list[PromotionBanner]:
    """Return the banners of the promotions live at `now`, highest priority first (then oldest), at most `limit`.

    One query when none is live, seven otherwise (the promotions and their six scope sets), only when a page is
    built: cached pages carry the result.
    """
    promotions = promotions_active(now=now)[:limit]
    return [PromotionBanner(text=p.banner_text.strip() or p.title, url=promotion_scope_url(p)) for p in promotions]
