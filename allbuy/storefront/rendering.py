"""Serve catalog pages from the cache: whole documents for page loads, fragments for htmx requests.

A page is built once per catalog revision (see page_cache) and its HTML shared by every visitor;
only the visitor's slot (visitor.py) is filled in per request. So a cached page load costs one
query (the revision) and one cache read.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers
from django.utils.safestring import SafeString, mark_safe

from allbuy.storefront.banners import promotion_banners
from allbuy.storefront.navigation import category_nav_html
from allbuy.storefront.page_cache import (
    fragment_cached,
    fragment_key,
    request_catalog_revision,
    request_deals_key,
    request_now,
)
from allbuy.storefront.visitor import visitor_fill


@dataclass(frozen=True)
class RenderedPage:
    """The catalog part of a page, the same for every visitor."""

    title: str
    body: str  # HTML of <main>, or of the partial for an htmx request
    description: str = ""
    url: str = ""  # the canonical path and query string of what is shown
    head: str = ""  # extra HTML for <head> (structured data)
    search_q: str = ""  # the words to show in the header's search box

    @property
    def body_html(self) -> SafeString:
        return mark_safe(self.body)  # noqa: S308 - rendered by our own autoescaping templates

    @property
    def head_html(self) -> SafeString:
        return mark_safe(self.head)  # noqa: S308 - rendered by our own autoescaping templates


# Template indentation is a third of a listing's bytes. Pages have no <pre> or <textarea>, so
# leading whitespace on a line never shows; the newline stays, so words stay apart.
_INDENTATION = re.compile(r"\n\s+")


def html_compact(html: str) -> str:
    return _INDENTATION.sub("\n", html).strip()


def is_partial(request: HttpRequest) -> bool:
    """Tell whether to answer with a fragment: an htmx request, but not htmx restoring a whole page from history."""
    htmx = getattr(request, "htmx", None)
    if not htmx:
        return False
    return not htmx.history_restore_request


def htmx_trigger_name(request: HttpRequest) -> str:
    """Return the name of the input whose change sent this htmx request, or ''."""
    htmx = getattr(request, "htmx", None)
    return (htmx.trigger_name or "") if htmx else ""


def _origin(request: HttpRequest) -> str:
    # The host is one of ALLOWED_HOSTS (get_host validates it), so keys stay few.
    return f"{request.scheme}://{request.get_host()}"


Build = Callable[[], RenderedPage]


def document_response(request: HttpRequest, name: str, parts: tuple[object, ...], build: Build) -> HttpResponse:
    """Answer with the whole page `name` for `parts`, from the cache at the current catalog revision and deals.

    `build` must price the page at `request_now(request)`, the instant the key describes. The promotion banners
    of that instant are rendered into the document too (the deals key moves when a promotion starts or ends).
    """
    origin = _origin(request)

    def render_document() -> str:
        page = build()
        context = {
            "page": page,
            "canonical": origin + page.url if page.url else "",
            "category_nav": category_nav_html(request),
            "promotion_banners": promotion_banners(request_now(request)),
        }
        return html_compact(render_to_string("storefront/page.html", context))

    key = fragment_key(name, request_catalog_revision(request), request_deals_key(request), origin, *parts)
    document: str = fragment_cached(key, render_document)
    response = HttpResponse(visitor_fill(document, request))
    patch_vary_headers(response, ("HX-Request",))
    return response


def partial_cached(request: HttpRequest, name: str, parts: tuple[object, ...], build: Build) -> RenderedPage:
    """Return the htmx fragment `name` for `parts`, from the cache at the current catalog revision and deals."""

    def build_compact() -> RenderedPage:
        page = build()
        return replace(page, body=html_compact(page.body))

    page: RenderedPage = fragment_cached(
        fragment_key(f"{name}-partial", request_catalog_revision(request), request_deals_key(request), *parts), build_compact
    )
    return page


def partial_response(page: RenderedPage, *, status: int = 200) -> HttpResponse:
    response = HttpResponse(page.body, status=status)
    patch_vary_headers(response, ("HX-Request",))
    return response
