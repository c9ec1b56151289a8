"""Reads of recommendations: similar products, popular products, and what to recommend to a visitor.

Every read here runs a fixed number of queries, whatever the number of events or products, and returns product
ids of active products only; the storefront loads their cards with `allbuy.catalog.selectors.product_cards`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Sum

from allbuy.catalog.selectors import product_alike_ids, product_category_ids, product_featured
from allbuy.personalisation.models import Neighbour, Popularity, SimilarityKind
from allbuy.tracking.selectors import visitor_recent_products

RECENT_DAYS = 30  # how far back a visitor's own events tailor what they see
RECENT_PRODUCTS = 20  # the visitor's products looked at, at most
RECOMMENDED = 8

TITLE_PERSONAL = "Recommended for you"
TITLE_POPULAR = "Popular right now"


@dataclass(frozen=True)
class Recommendation:
    title: str
    product_ids: tuple[int, ...]
    personal: bool  # drawn from the visitor's own events (they consented to personalisation)


def neighbours_for(*, product_id: int, limit: int) -> dict[SimilarityKind, list[int]]:
    """Return the active products most similar to `product_id`, best first, up to `limit` of each kind (one query)."""
    rows = (
        # Ranks are counted among every product; twice `limit` leaves room for those since taken off sale.
        Neighbour.objects.filter(product_id=product_id, rank__lte=2 * limit, neighbour__is_active=True)
        .exclude(neighbour_id=product_id)
        .order_by("kind", "rank")
        .values_list("kind", "neighbour_id")
    )
    found: dict[SimilarityKind, list[int]] = {}
    for kind, neighbour_id in rows:
        ids = found.setdefault(SimilarityKind(kind), [])
        if len(ids) < limit:
            ids.append(neighbour_id)
    return found


def neighbours_of(*, product_ids: Sequence[int], limit: int) -> list[int]:
    """Return the active products most similar to all of `product_ids` together, not among them (one query).

    Both kinds of similarity count: a product's scores against each of `product_ids` are added up.
    """
    if not product_ids:
        return []
    rows = (
        Neighbour.objects.filter(product_id__in=product_ids, neighbour__is_active=True)
        .exclude(neighbour_id__in=product_ids)
        .values("neighbour_id")
        .annotate(total=Sum("score"))
        .order_by("-total", "neighbour_id")
        .values_list("neighbour_id", flat=True)[:limit]
    )
    return list(rows)


def popular_in_categories_of(*, product_ids: Sequence[int], exclude: Sequence[int], limit: int) -> list[int]:
    """Return the most popular active products of the categories `product_ids` are filed in (one query)."""
    rows = (
        Popularity.objects.filter(category_id__in=product_category_ids(ids=product_ids), product__is_active=True)
        .exclude(product_id__in=[*product_ids, *exclude])
        .order_by("-score", "product_id")
        .values_list("product_id", flat=True)[:limit]
    )
    return list(rows)


def popular(*, limit: int = RECOMMENDED) -> Recommendation:
    """Return the shop's most popular active products, or its featured ones before popularity is known."""
    ids = list(
        Popularity.objects.filter(product__is_active=True)
        .order_by("-score", "product_id")
        .values_list("product_id", flat=True)[:limit]
    )
    if not ids:
        ids = [product.pk for product in product_featured(limit=limit)]
    return Recommendation(title=TITLE_POPULAR, product_ids=tuple(ids), personal=False)


def recommended_for_products(*, product_ids: Sequence[int], limit: int = RECOMMENDED) -> Recommendation:
    """Return what to recommend to someone who looked at `product_ids` (newest first), none of those.

    Products similar to them first (what other shoppers viewed and bought alongside); when that is too few (a
    cold start, before the similarity job has seen these products), the most popular products of the same
    categories; then the catalog's own alike products (same category, then sibling categories, featured first),
    so a new shop still recommends something sensible. Nothing found: the shop's popular products.
    Two to four queries.
    """
    if not product_ids:
        return popular(limit=limit)
    ids = neighbours_of(product_ids=product_ids, limit=limit)
    if len(ids) < limit:
        ids += popular_in_categories_of(product_ids=product_ids, exclude=ids, limit=limit - len(ids))
    if len(ids) < limit:
        ids += product_alike_ids(ids=product_ids, exclude=ids, limit=limit - len(ids))
    if not ids:
        return popular(limit=limit)
    return Recommendation(title=TITLE_PERSONAL, product_ids=tuple(ids), personal=True)


def recent_products_of(*, visitor: str | None, now: datetime) -> list[int]:
    """Return the products `visitor` (a pseudonym; None without personalisation consent) looked at lately (one query)."""
    if visitor is None:
        return []
    return visitor_recent_products(visitor=visitor, since=now - timedelta(days=RECENT_DAYS), limit=RECENT_PRODUCTS)


def recommended_for(*, visitor: str | None, now: datetime, limit: int = RECOMMENDED) -> Recommendation:
    """Return what to recommend to `visitor` at `now`: from their own recent events, else the shop's popular products."""
    return recommended_for_products(product_ids=recent_products_of(visitor=visitor, now=now), limit=limit)
