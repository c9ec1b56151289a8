"""schema.org Product data for search engines, as a JSON-LD script body."""

import json
from typing import Any

from django.utils.safestring import SafeString, mark_safe

from allbuy.catalog.models import Product, Variant

# The characters that could end the <script> element or start markup inside it.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def product_json_ld(*, product: Product, variant: Variant | None, url: str, image_urls: list[str]) -> SafeString:
    """Return the JSON-LD object for `product` offering `variant`, safe to put inside a <script> element."""
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
            "price": str(variant.price),
            "priceCurrency": variant.currency,
            "availability": "https://schema.org/InStock" if variant.stock_quantity > 0 else "https://schema.org/OutOfStock",
            "itemCondition": "https://schema.org/NewCondition",
        }
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_SCRIPT_ESCAPES)
    return mark_safe(text)  # noqa: S308 - JSON with every character that could close the script escaped
