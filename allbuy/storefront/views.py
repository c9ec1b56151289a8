"""Storefront pages. Each view parses its input, then answers with a cached page (or htmx fragment)."""

from collections.abc import Callable
from dataclasses import replace

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.http import require_safe
from django_htmx.http import push_url, replace_url

from allbuy.catalog.exceptions import ProductNotFound
from allbuy.catalog.query import ProductQuery, product_query_params, product_query_parse
from allbuy.storefront.catalog_pages import brand_render, category_render, search_render
from allbuy.storefront.errors import application_errors_as_pages
from allbuy.storefront.home import deals_render, home_render
from allbuy.storefront.page_cache import request_now
from allbuy.storefront.product_page import product_render, variant_panel_render
from allbuy.storefront.rendering import (
    RenderedPage,
    document_response,
    htmx_trigger_name,
    is_partial,
    partial_cached,
    partial_response,
)
from allbuy.storefront.variants import variant_request_parse

MAX_SLUG_LENGTH = 160


def _slug_checked(slug: str) -> str:
    # Catalog slugs are at most 160 characters; a longer one cannot exist, so spare the database.
    if len(slug) > MAX_SLUG_LENGTH:
        raise ProductNotFound("There is no such page.")
    return slug


def _query_key(query: ProductQuery) -> str:
    return repr(sorted(product_query_params(query).items()))


def _listing_response(
    request: HttpRequest, name: str, parts: tuple[object, ...], build: Callable[[bool], RenderedPage]
) -> HttpResponse:
    """Answer a listing: the whole page, or for htmx the results fragment with the canonical URL to push."""
    if is_partial(request):
        page = partial_cached(request, name, parts, lambda: build(True))
        return push_url(partial_response(page), page.url)
    return document_response(request, name, parts, lambda: build(False))


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    now = request_now(request)
    return document_response(request, "home", (), lambda: home_render(now))


@require_safe
def deals(request: HttpRequest) -> HttpResponse:
    now = request_now(request)
    return document_response(request, "deals", (), lambda: deals_render(now))


@require_safe
@application_errors_as_pages
def search(request: HttpRequest) -> HttpResponse:
    query = product_query_parse(request.GET)
    now = request_now(request)
    return _listing_response(
        request, "search", (_query_key(query),), lambda partial: search_render(query=query, partial=partial, now=now)
    )


@require_safe
@application_errors_as_pages
def category(request: HttpRequest, slug: str) -> HttpResponse:
    query = replace(product_query_parse(request.GET), category=_slug_checked(slug))
    now = request_now(request)
    return _listing_response(
        request,
        "category",
        (slug, _query_key(query)),
        lambda partial: category_render(slug=slug, query=query, partial=partial, now=now),
    )


@require_safe
@application_errors_as_pages
def brand(request: HttpRequest, slug: str) -> HttpResponse:
    query = replace(product_query_parse(request.GET), brands=(_slug_checked(slug),))
    now = request_now(request)
    return _listing_response(
        request,
        "brand",
        (slug, _query_key(query)),
        lambda partial: brand_render(slug=slug, query=query, partial=partial, now=now),
    )


@require_safe
@application_errors_as_pages
def product(request: HttpRequest, slug: str) -> HttpResponse:
    selection = variant_request_parse(dict(request.GET.lists()))
    origin = request.build_absolute_uri("/").rstrip("/")
    now = request_now(request)
    return document_response(
        request,
        "product",
        (_slug_checked(slug), selection.cache_parts()),
        lambda: product_render(slug=slug, selection=selection, origin=origin, now=now),
    )


@require_safe
@application_errors_as_pages
def product_variant(request: HttpRequest, slug: str) -> HttpResponse:
    """Answer a change in the variant picker with the variant panel; without htmx, go to the product page."""
    if not is_partial(request):
        query = request.META.get("QUERY_STRING", "")
        target = reverse("storefront:product", args=[_slug_checked(slug)])
        return HttpResponseRedirect(f"{target}?{query}" if query else target)
    selection = variant_request_parse(dict(request.GET.lists()), changed=htmx_trigger_name(request))
    now = request_now(request)
    page = partial_cached(
        request,
        "variant",
        (_slug_checked(slug), selection.cache_parts()),
        lambda: variant_panel_render(slug=slug, selection=selection, now=now),
    )
    return replace_url(partial_response(page), page.url)
