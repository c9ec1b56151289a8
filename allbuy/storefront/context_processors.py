from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from allbuy.storefront.navigation import category_nav_html


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Offer the header's category menu lazily: a template that never shows it costs no query."""
    return {"category_nav": SimpleLazyObject(lambda: category_nav_html(request))}
