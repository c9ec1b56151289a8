"""schema.org Product data for search engines, as a JSON-LD script body."""

import json
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils.safestring import SafeString, mark_safe

from allbuy.catalog.models import Product, Variant

# The characters that could end the <script> element or start markup inside it.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def product_json_ld(
    *,
    product: Product,
    variant: Variant | None,
    url: str,
    image_urls: list[str],
    deal_price: Decimal | None = None,
    deal_ends_at: datetime | None = None,
) -> SafeString:
    """Return the JSON-LD object for `product` offering `variant`, safe to put inside a <script> element.

    A live deal's price is the offer's price, valid until the deal ends.
    """
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": product.name,
        "url": url,
        "brand": {"@type": "Brand", "name": product.brand.name},
        "category": product.category.name,
    }
    if product.description:
        data["description"] = product.description
    if image_urls:
        data["image"] = image_urls
    if variant is not None:
        data["sku"] = variant.sku
        data["offers"] = {
            "@type": "Offer",
            "url": url,
            "sku": variant.sku,
            "price": str(deal_price if deal_price is not None else variant.price),
            "priceCurrency": variant.currency,
            "availability": "https://schema.org/InStock" if variant.stock_quantity > 0 else "https://schema.org/OutOfStock",
            "itemCondition": "https://schema.org/NewCondition",
        }
        if deal_price is not None and deal_ends_at is not None:
            data["offers"]["priceValidUntil"] = deal_ends_at.isoformat()
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_SCRIPT_ESCAPES)
    return mark_safe(text)  # noqa: S308 - JSON with every character that could close the script escaped
