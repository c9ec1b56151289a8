"""Reads of the catalog. Every list here runs a fixed number of queries, whatever its length."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import Case, Count, IntegerField, Max, Min, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce

from allbuy.catalog.exceptions import PageOutOfRange, ProductNotFound
from allbuy.catalog.models import Brand, CatalogRevision, Category, Product, ProductImage, Variant
from allbuy.catalog.query import ProductQuery
from allbuy.catalog.search import product_search_ids


@dataclass(frozen=True)
class BrandFacet:
    slug: str
    name: str
    count: int
    selected: bool


@dataclass(frozen=True)
class ProductPage:
    products: list[Product]  # annotated: price_from, price_max, compare_at_from, stock_total; images prefetched
    total: int
    page: int
    num_pages: int
    per_page: int
    brand_facets: list[BrandFacet]
    price_low: Decimal | None
    price_high: Decimal | None
    in_stock_count: int

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def catalog_revision() -> int:
    """Return the catalog's change counter; cached fragments are keyed on it.

    Read with one plain SQL statement: it runs on every catalog request, and building the ORM query
    cost ~300 µs against ~20 µs for the read itself (measured by the storefront benchmark).
    """
    meta = CatalogRevision._meta
    table, key = connection.ops.quote_name(meta.db_table), connection.ops.quote_name(meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT revision FROM {table} WHERE {key} = %s", [1])  # noqa: S608 - names come from the model
        row = cursor.fetchone()
    return int(row[0]) if row and row[0] else 0


def _with_card_data(qs: QuerySet[Product]) -> QuerySet[Product]:
    return (
        qs.select_related("brand", "category")
        .annotate(
            price_from=Min("variants__price"),
            price_max=Max("variants__price"),
            # The compare-at price of the cheapest variant, so "from €X, was €Y" describes one real variant.
            compare_at_from=Subquery(
                Variant.objects.filter(product=OuterRef("pk")).order_by("price", "position", "id").values("compare_at_price")[:1]
            ),
            stock_total=Coalesce(Sum("variants__stock_quantity"), Value(0)),
        )
        .prefetch_related(Prefetch("images", queryset=ProductImage.objects.order_by("position", "id")))
    )


def category_get(*, slug: str) -> Category:
    try:
        return Category.objects.select_related("parent").get(slug=slug)
    except Category.DoesNotExist:
        raise ProductNotFound(f"There is no category '{slug[:80]}'.", code="category_not_found") from None


def brand_get(*, slug: str) -> Brand:
    try:
        return Brand.objects.get(slug=slug)
    except Brand.DoesNotExist:
        raise ProductNotFound(f"There is no brand '{slug[:80]}'.", code="brand_not_found") from None


def category_tree() -> list[Category]:
    """Return top-level categories, ordered, each with ordered `children` prefetched.

    Every category carries `product_count`: active products filed in it, plus, for a top-level
    category, those of its children.
    """
    active = Q(products__is_active=True)
    children = Category.objects.annotate(product_count=Count("products", filter=active)).order_by("position", "name")
    tops: list[Category] = list(
        Category.objects.filter(parent=None)
        .annotate(own_count=Count("products", filter=active))
        .prefetch_related(Prefetch("children", queryset=children))
        .order_by("position", "name")
    )
    for top in tops:
        counts = [child.product_count for child in top.children.all()]  # type: ignore[attr-defined]
        top.product_count = top.own_count + sum(counts)  # type: ignore[attr-defined]
    return tops


def brand_list() -> list[Brand]:
    """Return brands by name, each with `product_count` of its active products."""
    return list(Brand.objects.annotate(product_count=Count("products", filter=Q(products__is_active=True))).order_by("name"))


def product_list(query: ProductQuery) -> ProductPage:
    """Return one page of active products matching `query`, sorted, with facets for the filters."""
    base = Product.objects.filter(is_active=True)
    search_ids: list[int] | None = None
    if query.q:
        search_ids = product_search_ids(query.q)
        base = base.filter(pk__in=search_ids)
    if query.category:
        base = base.filter(Q(category__slug=query.category) | Q(category__parent__slug=query.category))

    # Facets count within every filter except their own, so a shopper sees what choosing would give.
    priced = base.annotate(price_from=Min("variants__price"), stock_total=Coalesce(Sum("variants__stock_quantity"), Value(0)))
    if query.price_min is not None:
        priced = priced.filter(price_from__gte=query.price_min)
    if query.price_max is not None:
        priced = priced.filter(price_from__lte=query.price_max)
    if query.in_stock:
        priced = priced.filter(stock_total__gt=0)
    brand_counts = dict(
        Brand.objects.filter(products__in=priced.values("pk")).annotate(n=Count("products")).values_list("slug", "n")
    )
    brands_shown = Brand.objects.filter(Q(slug__in=brand_counts) | Q(slug__in=query.brands)).values_list("slug", "name")
    brand_facets = [
        BrandFacet(slug=slug, name=name, count=brand_counts.get(slug, 0), selected=slug in query.brands)
        for slug, name in brands_shown
    ]

    filtered = priced.filter(brand__slug__in=query.brands) if query.brands else priced
    stats = filtered.aggregate(total=Count("pk"), in_stock=Count("pk", filter=Q(stock_total__gt=0)))
    price_stats = base.annotate(p=Min("variants__price")).aggregate(low=Min("p"), high=Max("p"))
    total = stats["total"]
    num_pages = max(1, math.ceil(total / query.per_page))
    if query.page > num_pages:
        raise PageOutOfRange(f"Page {query.page} does not exist; the last page is {num_pages}.", extra={"num_pages": num_pages})

    ordered = _with_card_data(Product.objects.filter(pk__in=filtered.values("pk")))
    sort = query.effective_sort
    if sort == "relevance" and search_ids:
        ordered = ordered.annotate(
            rank=Case(*[When(pk=pk, then=Value(i)) for i, pk in enumerate(search_ids)], output_field=IntegerField())
        ).order_by("rank")
    elif sort == "price_asc":
        ordered = ordered.order_by("price_from", "name")
    elif sort == "price_desc":
        ordered = ordered.order_by("-price_from", "name")
    elif sort == "newest":
        ordered = ordered.order_by("-created_at", "name")
    elif sort == "name":
        ordered = ordered.order_by("name")
    else:
        ordered = ordered.order_by("-is_featured", "-stock_total", "name")
    start = (query.page - 1) * query.per_page
    products = list(ordered[start : start + query.per_page])
    return ProductPage(
        products=products,
        total=total,
        page=query.page,
        num_pages=num_pages,
        per_page=query.per_page,
        brand_facets=brand_facets,
        price_low=price_stats["low"],
        price_high=price_stats["high"],
        in_stock_count=stats["in_stock"],
    )


def product_featured(*, limit: int = 8) -> list[Product]:
    return list(_with_card_data(Product.objects.filter(is_active=True, is_featured=True)).order_by("name")[:limit])


def _first_where(qs: QuerySet[Product], first: Q) -> QuerySet[Product]:
    """Order `qs` with the products matching `first` before the others, then featured first, then by name."""
    ranked = qs.annotate(same_category=Case(When(first, then=Value(0)), default=Value(1), output_field=IntegerField()))
    return ranked.order_by("same_category", "-is_featured", "name")


def _related_ranked(product: Product) -> QuerySet[Product]:
    """Other active products of the same category, then of the same parent category, featured first."""
    qs = Product.objects.filter(is_active=True).exclude(pk=product.pk)
    same = Q(category_id=product.category_id)
    if product.category.parent_id:
        qs = qs.filter(same | Q(category__parent_id=product.category.parent_id))
    else:
        qs = qs.filter(same)
    return _first_where(qs, same)


def product_related(*, product: Product, limit: int = 4) -> list[Product]:
    """Return other active products of the same category, then of the same parent category."""
    return list(_with_card_data(_related_ranked(product))[:limit])


def product_cards(*, ids: Sequence[int]) -> list[Product]:
    """Return the active products among `ids` with their card data, in the order of `ids` (two queries, none for no ids)."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return []
    by_id = {p.pk: p for p in _with_card_data(Product.objects.filter(pk__in=wanted, is_active=True)).order_by()}
    return [by_id[pk] for pk in wanted if pk in by_id]


def product_related_with_cards(*, product: Product, ids: Sequence[int], limit: int = 4) -> tuple[list[Product], list[Product]]:
    """Return up to `limit` related products other than `ids`, and the cards of `ids` (active ones, in their order).

    Read together in the two queries `product_related` alone costs, however many `ids`.
    """
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return product_related(product=product, limit=limit), []
    related = _related_ranked(product).exclude(pk__in=wanted).values("pk")[:limit]
    same = Q(category_id=product.category_id)
    # product_related's order
    rows = list(_first_where(_with_card_data(Product.objects.filter(Q(pk__in=wanted, is_active=True) | Q(pk__in=related))), same))
    by_id = {p.pk: p for p in rows}
    cards = set(wanted)
    return [p for p in rows if p.pk not in cards], [by_id[pk] for pk in wanted if pk in by_id]


def product_category_ids(*, ids: Sequence[int]) -> QuerySet[Product, int]:
    """Return the categories of the products `ids`, lazily: meant to be used inside another query."""
    return Product.objects.filter(pk__in=ids).order_by().values_list("category_id", flat=True)


def product_alike_ids(*, ids: Sequence[int], exclude: Sequence[int] = (), limit: int = 8) -> list[int]:
    """Return active products of the categories of `ids`, then of their sibling categories, featured first (one query).

    The catalog's own notion of "alike", for when nothing is known about what shoppers do.
    """
    seen = Product.objects.filter(pk__in=ids).order_by()
    categories = seen.values("category_id")
    same = Q(category_id__in=categories)
    siblings = Q(category__parent_id__in=seen.filter(category__parent__isnull=False).values("category__parent_id"))
    ranked = _first_where(Product.objects.filter(same | siblings, is_active=True).exclude(pk__in=[*ids, *exclude]), same)
    return list(ranked.values_list("pk", flat=True)[:limit])


def product_detail(*, slug: str) -> Product:
    """Return an active product with brand, category, variants and images loaded (three queries)."""
    try:
        return (
            Product.objects.select_related("brand", "category", "category__parent")
            .prefetch_related(
                Prefetch("variants", queryset=Variant.objects.order_by("position", "id")),
                Prefetch("images", queryset=ProductImage.objects.order_by("position", "id")),
            )
            .get(slug=slug, is_active=True)
        )
    except Product.DoesNotExist:
        raise ProductNotFound(f"There is no product '{slug[:80]}'.") from None


def product_ids_existing(*, ids: Iterable[int]) -> frozenset[int]:
    """Return which of `ids` are products of the catalog (active or not), in one query; none asked, no query."""
    wanted = list(ids)
    if not wanted:
        return frozenset()
    return frozenset(Product.objects.filter(pk__in=wanted).values_list("pk", flat=True))
