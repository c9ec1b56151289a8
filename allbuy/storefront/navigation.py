"""The category menu in the page header: the same for every visitor, so rendered once per catalog revision."""

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from allbuy.catalog.selectors import category_tree
from allbuy.storefront.page_cache import fragment_cached, fragment_key, request_catalog_revision


def category_nav_html(request: HttpRequest) -> SafeString:
    """Return the header's category menu as HTML (two queries on a cache miss, none on a hit)."""
    key = fragment_key("nav", request_catalog_revision(request))
    html = fragment_cached(key, lambda: render_to_string("storefront/_category_nav.html", {"categories": category_tree()}))
    return mark_safe(html)  # noqa: S308 - rendered by our own autoescaping template
