"""OpenAPI description of the product list's query parameters.

The view does not declare them in its signature: `product_query_parse` reads them, so the pages
and the API accept and refuse exactly the same input with the same error codes. This documents them;
a test keeps the list in step with `query.PARAMS`.
"""

from typing import Any

from allbuy.catalog.query import DEFAULT_PER_PAGE, MAX_PAGE, MAX_PRICE, MAX_QUERY_LENGTH, PER_PAGE_CHOICES, SORTS


def _query(name: str, schema: dict[str, Any], description: str, **more: Any) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description, **more}


_price = {"type": "string", "pattern": r"^\d+(\.\d+)?$", "examples": ["199", "199.99"]}

PRODUCT_LIST_PARAMETERS = [
    _query("q", {"type": "string", "maxLength": MAX_QUERY_LENGTH}, "Search words."),
    _query("category", {"type": "string", "maxLength": 80}, "Category slug; a top-level category includes its subcategories."),
    _query(
        "brand",
        {"type": "array", "items": {"type": "string"}, "maxItems": 20},
        "Brand slugs, OR-ed: repeat the parameter or separate slugs with commas.",
        style="form",
        explode=True,
    ),
    _query("price_min", _price, f"Lowest 'from' price, inclusive, from 0 to {MAX_PRICE}."),
    _query("price_max", _price, f"Highest 'from' price, inclusive, from 0 to {MAX_PRICE}."),
    _query("in_stock", {"type": "string", "enum": ["1", "0", "true", "false", "on"]}, "Only products in stock."),
    _query(
        "sort",
        {"type": "string", "enum": list(SORTS)},
        "Default: 'relevance' when searching, 'featured' otherwise.",
    ),
    _query("page", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1}, "A page beyond the last is a 404."),
    _query(
        "per_page",
        {"type": "integer", "minimum": min(PER_PAGE_CHOICES), "maximum": max(PER_PAGE_CHOICES), "default": DEFAULT_PER_PAGE},
        f"Products per page; the storefront offers {', '.join(map(str, PER_PAGE_CHOICES))}.",
    ),
]
