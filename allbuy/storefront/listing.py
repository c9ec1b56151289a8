"""The shared listing (category, brand, search): links that keep filters in the URL, pagination, filter chips.

Pure functions over a ProductQuery and a ProductPage; the views and templates only display them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.http import urlencode

from allbuy.catalog.query import SORTS, ProductQuery, product_query_params
from allbuy.catalog.selectors import ProductPage
from allbuy.core.money import money_format


@dataclass(frozen=True)
class ListingUrls:
    """Build links for one listing: `path` plus the query string, minus what the path already fixes."""

    path: str
    fixed: dict[str, Any] = field(default_factory=dict)  # e.g. {"category": ""} on a category page

    def url(self, query: ProductQuery, **changes: object) -> str:
        params = product_query_params(query, **{**self.fixed, **changes})
        return f"{self.path}?{urlencode(params, doseq=True)}" if params else self.path


@dataclass(frozen=True)
class PageLink:
    number: int | None  # None is a gap ("…")
    url: str = ""
    current: bool = False


@dataclass(frozen=True)
class FilterChip:
    label: str
    remove_url: str


@dataclass(frozen=True)
class SortOption:
    value: str
    label: str
    selected: bool


def page_numbers(current: int, last: int, *, around: int = 1) -> list[int | None]:
    """Return page numbers to show: first, last, and `around` either side of `current`, gaps as None."""
    shown = {1, last, *range(current - around, current + around + 1)}
    numbers: list[int | None] = []
    previous = 0
    for number in sorted(n for n in shown if 1 <= n <= last):
        if number - previous == 2:
            numbers.append(number - 1)  # a gap of one page is shown as that page, not "…"
        elif number - previous > 2:
            numbers.append(None)
        numbers.append(number)
        previous = number
    return numbers


def page_links(query: ProductQuery, page: ProductPage, urls: ListingUrls) -> list[PageLink]:
    return [
        PageLink(number=n, url=urls.url(query, page=n), current=n == page.page) if n else PageLink(number=None)
        for n in page_numbers(page.page, page.num_pages)
    ]


def _price_label(low: Decimal | None, high: Decimal | None, currency: str) -> str:
    if low is not None and high is not None:
        return f"{money_format(low, currency)} – {money_format(high, currency)}"
    if low is not None:
        return f"From {money_format(low, currency)}"
    return f"Up to {money_format(high, currency)}" if high is not None else ""


def filter_chips(query: ProductQuery, page: ProductPage, urls: ListingUrls, *, currency: str) -> list[FilterChip]:
    """Return one removable chip per active filter the shopper chose (not those the page itself fixes)."""
    names = {facet.slug: facet.name for facet in page.brand_facets}
    chips = [
        FilterChip(
            label=names.get(slug, slug),
            remove_url=urls.url(query, brand=[b for b in query.brands if b != slug], page=1),
        )
        for slug in query.brands
        if "brand" not in urls.fixed
    ]
    if query.price_min is not None or query.price_max is not None:
        chips.append(
            FilterChip(
                label=_price_label(query.price_min, query.price_max, currency),
                remove_url=urls.url(query, price_min=None, price_max=None, page=1),
            )
        )
    if query.in_stock:
        chips.append(FilterChip(label="In stock", remove_url=urls.url(query, in_stock="", page=1)))
    return chips


def sort_options(query: ProductQuery) -> list[SortOption]:
    """Return the sort choices; "Best match" only makes sense when searching.

    The default order submits an empty value, so choosing it leaves no `sort=` in the URL.
    """
    current = query.effective_sort
    default = ProductQuery(q=query.q).effective_sort
    return [
        SortOption(value="" if key == default else key, label=label, selected=key == current)
        for key, label in SORTS.items()
        if query.q or key != "relevance"
    ]


def result_range(page: ProductPage) -> tuple[int, int]:
    """Return the 1-based positions of the first and last product shown."""
    if not page.total:
        return 0, 0
    first = (page.page - 1) * page.per_page + 1
    return first, first + len(page.products) - 1


def hidden_params(query: ProductQuery, urls: ListingUrls) -> list[tuple[str, str]]:
    """Return the parameters the filter form must carry although it has no visible control for them."""
    params = product_query_params(query, **urls.fixed)
    return [(name, str(params[name])) for name in ("q", "category", "per_page") if name in params]


def listing_context(query: ProductQuery, page: ProductPage, urls: ListingUrls, *, currency: str) -> dict[str, Any]:
    """Return what the listing templates show besides the products themselves."""
    chips = filter_chips(query, page, urls, currency=currency)
    first, last = result_range(page)
    return {
        "query": query,
        "page": page,
        "action": urls.path,
        "page_links": page_links(query, page, urls) if page.num_pages > 1 else [],
        "previous_url": urls.url(query, page=page.page - 1) if page.has_previous else "",
        "next_url": urls.url(query, page=page.page + 1) if page.has_next else "",
        "chips": chips,
        "clear_url": urls.url(ProductQuery(q=query.q, sort=query.sort, per_page=query.per_page)) if chips else "",
        "sort_options": sort_options(query),
        "show_brand_facet": "brand" not in urls.fixed,
        "first": first,
        "last": last,
        "canonical_url": urls.url(query),
        "hidden_params": hidden_params(query, urls),
    }
