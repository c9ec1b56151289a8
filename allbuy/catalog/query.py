"""Parse listing parameters (filters, search, sort, page) from a query string into one typed value.

The storefront pages and the JSON API share this, so both accept and refuse exactly the same input.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.text import slugify

from allbuy.catalog.exceptions import InvalidCatalogQuery

SORTS = {
    "relevance": "Best match",
    "featured": "Featured",
    "price_asc": "Price: low to high",
    "price_desc": "Price: high to low",
    "newest": "Newest",
    "name": "Name A–Z",
}
PARAMS = frozenset({"q", "category", "brand", "price_min", "price_max", "in_stock", "sort", "page", "per_page"})
MAX_QUERY_LENGTH = 200
MAX_PAGE = 10_000
PER_PAGE_CHOICES = (12, 24, 48)
DEFAULT_PER_PAGE = 24
MAX_PRICE = Decimal("100000")


@dataclass(frozen=True)
class ProductQuery:
    q: str = ""
    category: str = ""  # category slug; a top-level category includes its children
    brands: tuple[str, ...] = field(default_factory=tuple)  # brand slugs, OR-ed
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    in_stock: bool = False
    sort: str = ""  # "" means the default: relevance when searching, featured otherwise
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE

    @property
    def effective_sort(self) -> str:
        if self.sort:
            return self.sort
        return "relevance" if self.q else "featured"


def _one(params: Mapping[str, object], name: str) -> str:
    getlist = getattr(params, "getlist", None)
    values = getlist(name) if getlist else ([params[name]] if name in params else [])
    if len(values) > 1:
        raise InvalidCatalogQuery(f"Give '{name}' once.", code="repeated_parameter", extra={"parameter": name})
    value = str(values[0]).strip() if values else ""
    if any(ch < " " for ch in value):
        raise InvalidCatalogQuery(f"'{name}' contains a control character.", code="invalid_character")
    return value


def _price(params: Mapping[str, object], name: str) -> Decimal | None:
    raw = _one(params, name)
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise InvalidCatalogQuery(f"'{name}' must be a number such as 199 or 199.99.", code="invalid_price") from None
    if not value.is_finite() or value < 0 or value > MAX_PRICE:
        raise InvalidCatalogQuery(f"'{name}' must be between 0 and {MAX_PRICE}.", code="invalid_price")
    return value


def _int(params: Mapping[str, object], name: str, default: int, low: int, high: int) -> int:
    raw = _one(params, name)
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit()) or not low <= int(raw) <= high:
        raise InvalidCatalogQuery(f"'{name}' must be a whole number from {low} to {high}.", code=f"invalid_{name}")
    return int(raw)


def _slug(raw: str, name: str) -> str:
    if raw and (len(raw) > 80 or slugify(raw) != raw):
        raise InvalidCatalogQuery(f"'{name}' is not a valid identifier.", code=f"invalid_{name}")
    return raw


def product_query_parse(params: Mapping[str, object], *, strict: bool = False) -> ProductQuery:
    """Return the ProductQuery the parameters describe, or raise InvalidCatalogQuery saying what is wrong.

    With `strict`, unknown parameters are refused (the API); pages ignore them so that
    campaign tags and the like do not break a link.
    """
    if strict:
        unknown = sorted(set(params) - PARAMS)
        if unknown:
            raise InvalidCatalogQuery(
                f"Unknown parameter: {', '.join(unknown)[:100]}.", code="unknown_parameter", extra={"allowed": sorted(PARAMS)}
            )
    q = " ".join(_one(params, "q").split())
    if len(q) > MAX_QUERY_LENGTH:
        raise InvalidCatalogQuery(f"Search for at most {MAX_QUERY_LENGTH} characters.", code="query_too_long")
    sort = _one(params, "sort")
    if sort and sort not in SORTS:
        raise InvalidCatalogQuery(f"Unknown sort order '{sort[:40]}'; use one of: {', '.join(SORTS)}.", code="invalid_sort")
    getlist = getattr(params, "getlist", None)
    raw_brands = getlist("brand") if getlist else ([params["brand"]] if "brand" in params else [])
    brands: list[str] = []
    for raw in raw_brands:
        for part in str(raw).split(","):
            if part.strip():
                brands.append(_slug(part.strip(), "brand"))
    if len(brands) > 20:
        raise InvalidCatalogQuery("Choose at most 20 brands.", code="invalid_brand")
    price_min, price_max = _price(params, "price_min"), _price(params, "price_max")
    if price_min is not None and price_max is not None and price_min > price_max:
        raise InvalidCatalogQuery("'price_min' must not be above 'price_max'.", code="invalid_price")
    in_stock_raw = _one(params, "in_stock").lower()
    if in_stock_raw not in ("", "0", "1", "true", "false", "on"):
        raise InvalidCatalogQuery("'in_stock' must be 1 or 0.", code="invalid_in_stock")
    per_page = _int(params, "per_page", DEFAULT_PER_PAGE, min(PER_PAGE_CHOICES), max(PER_PAGE_CHOICES))
    return ProductQuery(
        q=q,
        category=_slug(_one(params, "category"), "category"),
        brands=tuple(dict.fromkeys(brands)),
        price_min=price_min,
        price_max=price_max,
        in_stock=in_stock_raw in ("1", "true", "on"),
        sort=sort,
        page=_int(params, "page", 1, 1, MAX_PAGE),
        per_page=per_page,
    )


def product_query_params(query: ProductQuery, **changes: object) -> dict[str, str | list[str]]:
    """Return the query-string parameters of `query` (with changes), omitting defaults, for links."""
    values: dict[str, object] = {
        "q": query.q,
        "category": query.category,
        "brand": list(query.brands),
        "price_min": query.price_min,
        "price_max": query.price_max,
        "in_stock": "1" if query.in_stock else "",
        "sort": query.sort,
        "page": query.page if query.page != 1 else "",
        "per_page": query.per_page if query.per_page != DEFAULT_PER_PAGE else "",
    }
    values.update(changes)
    out: dict[str, str | list[str]] = {}
    for key, value in values.items():
        if isinstance(value, list | tuple):
            if value:
                out[key] = [str(v) for v in value]
        elif value not in (None, "", 1) or (key != "page" and value == 1):
            out[key] = str(value)
    return out
