"""Search: relevance-ranked full text over product name, brand, categories and specs, tolerant of typos.

`product_reindex` writes each product's index row (name, brand, categories, whole search document, weighted
in that order) as words already folded in Python (accents, case, "+" as "plus"), so both engines and the query
reader split text alike; migration 0002 creates the index and fills it. A query is read in Python first,
against a vocabulary drawn from the index itself and cached per catalog revision: known and partial words
stay, typos within one or two edits are corrected ("hauwei"), run-together and split words match both ways
("powerbank", "power bank"), "120w" is also read as "120 w". Every word must match, as a prefix; typed
input reaches the engines only as quoted terms, never as syntax. Names holding the most query words, with
the fewest other words, rank first; the engine's score orders the rest.
- SQLite: an FTS5 table with prefix indexes, ranked by bm25 (column weights 10/5/3/1); an fts5vocab table
  yields the vocabulary. No triggers across tables: they would break Django's SQLite table rebuilds.
- PostgreSQL: a side table of setweight()ed tsvectors ('simple' config; A name, B brand, C categories,
  D document) under a GIN index, ranked by ts_rank_cd, ties broken by pg_trgm similarity to the name;
  ts_stat yields the vocabulary; a GIN trigram index on lower(name) finds look-alike names for suggestions.
A search costs two queries (catalog revision, match), three when the vocabulary is rebuilt. When nothing
matches, `search_suggestions` offers the query leniently corrected or with a word dropped (only ones that
find products), then the closest product names, and failing those the largest departments.
"""

from __future__ import annotations

from collections.abc import Iterable
from types import ModuleType

from django.core.cache import cache
from django.db import connection
from django.db.models import Count
from django.db.models.functions import Coalesce

from allbuy.catalog import search_postgres, search_sqlite
from allbuy.catalog.models import Product
from allbuy.catalog.search_terms import IndexRow, QueryPart, Vocabulary, name_match_key, query_parts, search_tokens

VOCABULARY_CACHE_SECONDS = 24 * 60 * 60
_MAX_REWRITES_CHECKED = 6


def _backend() -> ModuleType:
    if connection.vendor == "sqlite":
        return search_sqlite
    if connection.vendor == "postgresql":
        return search_postgres
    raise NotImplementedError(f"Product search supports SQLite and PostgreSQL, not {connection.vendor}.")


def search_vocabulary() -> Vocabulary:
    """Return the terms of the search index of active products, rebuilt once per catalog revision."""
    # Imported here: selectors imports this module.
    from allbuy.catalog.selectors import catalog_revision

    key = f"catalog:search-vocabulary:{connection.vendor}:{catalog_revision()}"
    vocabulary: Vocabulary | None = cache.get(key)
    if vocabulary is None:
        vocabulary = Vocabulary.from_rows(_backend().vocabulary_rows())
        cache.set(key, vocabulary, VOCABULARY_CACHE_SECONDS)
    return vocabulary


def product_search_index_write(*, products: Iterable[Product]) -> None:
    """Write the search index rows of `products` (brand and category loaded, search document current)."""
    rows = []
    for product in products:
        parent = product.category.parent if product.category.parent_id else None
        categories = [product.category.name, parent.name if parent else ""]
        rows.append(
            IndexRow.of(
                product_id=product.pk,
                name=product.name,
                brand=product.brand.name,
                categories=categories,
                document=product.search_document,
            )
        )
    if rows:
        _backend().index_write(rows)


def product_search_ids(q: str, *, limit: int = 500) -> list[int]:
    """Return ids of active products matching `q`, best match first."""
    if limit <= 0 or not search_tokens(q):
        return []
    parts = query_parts(q, search_vocabulary())
    if not all(part.known for part in parts):
        return []  # a word nothing in the catalog resembles: no product can hold every word
    rows = _backend().product_ids_matching(parts, limit=limit)
    rows.sort(key=lambda row: name_match_key(parts, row[1]))  # stable: the engine's order stands within ties
    return [pk for pk, _ in rows]


def _largest_departments(limit: int) -> list[str]:
    rows = (
        Product.objects.filter(is_active=True)
        .annotate(department=Coalesce("category__parent__name", "category__name"))
        .values("department")
        .annotate(n=Count("pk"))
        .order_by("-n", "department")
        .values_list("department", flat=True)[:limit]
    )
    return list(rows)


def search_suggestions(q: str, *, limit: int = 5) -> list[str]:
    """Return up to `limit` other queries to offer when `q` finds nothing ("Did you mean …"), best first:
    rewrites of the query that find products, then the closest product names, failing all of which the
    largest departments."""
    typed = " ".join(search_tokens(q))
    if limit <= 0 or not typed:
        return []
    known = [part for part in query_parts(q, search_vocabulary(), lenient=True) if part.known]
    names = _backend().product_names_closest(known, limit=limit) if known else []
    suggestions = _distinct([*_rewrites_finding_products(known, typed=typed), *names], other_than=typed)
    return suggestions[:limit] or _distinct(_largest_departments(limit), other_than=typed)


def _rewrites_finding_products(known: list[QueryPart], *, typed: str) -> list[str]:
    """Return the query read leniently without the words nothing resembles, if it finds products; else the
    query without one more word, for each word whose dropping finds products."""
    backend = _backend()

    def finds(parts: list[QueryPart]) -> bool:
        return bool(parts) and _shown(parts) != typed and bool(backend.product_ids_matching(parts, limit=1))

    if finds(known):
        return [_shown(known)]
    found: list[str] = []
    # A model number the catalog lacks ("band 10") is the usual culprit: drop a number first, and alone.
    drops = sorted(range(len(known)), key=lambda i: (not known[i].shown.isdigit(), -i))
    for i in drops[:_MAX_REWRITES_CHECKED]:
        rewrite = known[:i] + known[i + 1 :]
        if not all(part.shown.isdigit() for part in rewrite) and finds(rewrite):
            found.append(_shown(rewrite))
            if known[i].shown.isdigit():
                break
    return found


def _shown(parts: list[QueryPart]) -> str:
    return " ".join(part.shown for part in parts)


def _distinct(texts: list[str], *, other_than: str) -> list[str]:
    seen = {other_than.casefold()}
    kept = []
    for text in texts:
        if text.casefold() not in seen:
            seen.add(text.casefold())
            kept.append(text)
    return kept
