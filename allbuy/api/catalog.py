"""Read-only catalog endpoints: products, categories, brands."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from ninja import Path, Router, Schema

from allbuy.api.params import PRODUCT_LIST_PARAMETERS
from allbuy.api.schemas import (
    BrandOut,
    CategoryOut,
    CategoryTreeOut,
    ErrorOut,
    ProductListOut,
    ProductOut,
)
from allbuy.catalog.models import Category
from allbuy.catalog.query import ProductQuery, product_query_parse
from allbuy.catalog.selectors import (
    brand_get,
    brand_list,
    catalog_revision,
    category_get,
    category_tree,
    product_detail,
    product_list,
)

router = Router(tags=["catalog"])

SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"
ERRORS = {400: ErrorOut, 404: ErrorOut}


def _product_query(request: HttpRequest) -> ProductQuery:
    return product_query_parse(request.GET, strict=True)


def _cached_json(name: str, parts: object, build: Callable[[], Schema]) -> HttpResponse:
    """Answer with `build()`'s JSON, cached at the current catalog revision (any catalog write invalidates it).

    Serialising two dozen products through pydantic costs ~25 ms; a cached body costs one revision read.
    """
    key = f"api:{name}:{catalog_revision()}:{hashlib.sha256(repr(parts).encode()).hexdigest()[:40]}"
    body = cache.get(key)
    if body is None:
        body = build().model_dump_json()
        cache.set(key, body, settings.ALLBUY_PAGE_CACHE_SECONDS)
    return HttpResponse(body, content_type="application/json")


@router.get(
    "/products",
    response={200: ProductListOut, **ERRORS},
    summary="List products",
    openapi_extra={"parameters": PRODUCT_LIST_PARAMETERS},
)
def product_list_get(request: HttpRequest) -> HttpResponse:
    """Filter, search, sort and page the catalog, with facets; the same parameters as the storefront pages."""
    query = _product_query(request)
    return _cached_json("products", query, lambda: ProductListOut.from_page(product_list(query)))


@router.get("/products/{slug}", response={200: ProductOut, **ERRORS}, summary="Get a product")
def product_get(request: HttpRequest, slug: str = Path(..., pattern=SLUG_PATTERN, max_length=160)) -> HttpResponse:
    return _cached_json("product", slug, lambda: ProductOut.from_product(product_detail(slug=slug)))


def _category_counts(tree: list[Category]) -> dict[int, int]:
    """Return active-product counts by category id, as category_tree() annotated them."""
    counts: dict[int, int] = {}
    for top in tree:
        counts[top.pk] = top.product_count  # type: ignore[attr-defined]
        counts.update({child.pk: child.product_count for child in top.children.all()})  # type: ignore[attr-defined]
    return counts


@router.get("/categories", response={200: list[CategoryTreeOut], **ERRORS}, summary="List categories as a tree")
def category_tree_get(request: HttpRequest) -> list[CategoryTreeOut]:
    tree = category_tree()
    counts = _category_counts(tree)
    return [CategoryTreeOut.from_category(top, counts=counts) for top in tree]


@router.get("/categories/{slug}", response={200: CategoryOut, **ERRORS}, summary="Get a category")
def category_get_one(request: HttpRequest, slug: str = Path(..., pattern=SLUG_PATTERN, max_length=80)) -> CategoryOut:
    category = category_get(slug=slug)
    return CategoryOut.from_category(category, counts=_category_counts(category_tree()))


@router.get("/brands", response={200: list[BrandOut], **ERRORS}, summary="List brands")
def brand_list_get(request: HttpRequest) -> list[BrandOut]:
    return [BrandOut.from_brand(brand, product_count=brand.product_count) for brand in brand_list()]  # type: ignore[attr-defined]


@router.get("/brands/{slug}", response={200: BrandOut, **ERRORS}, summary="Get a brand")
def brand_get_one(request: HttpRequest, slug: str = Path(..., pattern=SLUG_PATTERN, max_length=80)) -> BrandOut:
    brand = brand_get(slug=slug)
    counts = {other.pk: getattr(other, "product_count", 0) for other in brand_list()}
    return BrandOut.from_brand(brand, product_count=counts.get(brand.pk, 0))
