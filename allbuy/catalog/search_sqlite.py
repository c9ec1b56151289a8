"""Product search on SQLite: an FTS5 table written by `product_reindex`, ranked by weighted bm25."""

from __future__ import annotations

from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper

from allbuy.catalog.search_terms import IndexRow, QueryPart, name_match_key

_INSTALL = [
    # Columns heaviest first; the document repeats the rest and adds the specs. The text arrives folded and split
    # by search_index_text, so the tokenizer only cuts at spaces and every engine sees the same words.
    "CREATE VIRTUAL TABLE IF NOT EXISTS catalog_product_fts USING fts5("
    "name, brand, categories, document, tokenize = 'unicode61 remove_diacritics 0', prefix = '2 3')",
    # One row per term occurrence: the typo corrector's vocabulary is read from the index itself.
    "CREATE VIRTUAL TABLE IF NOT EXISTS catalog_product_fts_terms USING fts5vocab(catalog_product_fts, instance)",
    # Deletes only: a trigger on catalog_product that named another Django table would make Django's SQLite table
    # rebuilds (most AlterField/AddField) fail. A rebuild drops this one; the searches' join hides what it leaves.
    """
    CREATE TRIGGER IF NOT EXISTS catalog_product_fts_delete AFTER DELETE ON catalog_product BEGIN
        DELETE FROM catalog_product_fts WHERE rowid = OLD.id;
    END
    """,
]
_UNINSTALL = [
    "DROP TRIGGER IF EXISTS catalog_product_fts_delete",
    "DROP TABLE IF EXISTS catalog_product_fts_terms",
    "DROP TABLE IF EXISTS catalog_product_fts",
]

# bm25 weights of the columns: a word in the name counts most, one deep in the specs least.
_COLUMN_WEIGHTS = "10.0, 5.0, 3.0, 1.0"


def index_install(db: BaseDatabaseWrapper) -> None:
    with db.cursor() as cursor:
        for statement in _INSTALL:
            cursor.execute(statement)


def index_uninstall(db: BaseDatabaseWrapper) -> None:
    with db.cursor() as cursor:
        for statement in _UNINSTALL:
            cursor.execute(statement)


def index_write(rows: list[IndexRow], *, db: BaseDatabaseWrapper | None = None) -> None:
    """Replace the index rows of these products."""
    if not rows:
        return
    with (db or connection).cursor() as cursor:
        cursor.executemany("DELETE FROM catalog_product_fts WHERE rowid = %s", [[row.product_id] for row in rows])
        cursor.executemany(
            "INSERT INTO catalog_product_fts (rowid, name, brand, categories, document) VALUES (%s, %s, %s, %s, %s)",
            [[row.product_id, row.name, row.brand, row.categories, row.document] for row in rows],
        )


def _phrase(term: str) -> str:
    quoted = '"' + term.replace('"', '""') + '"'
    # The bare phrase as well as the prefix one: a whole-word hit then scores above a word that merely starts so.
    return f"({quoted} OR {quoted}*)"


def fts_match(parts: list[QueryPart], *, any_part: bool = False) -> str:
    """Render query parts as an FTS5 MATCH expression. Every term is quoted, so no input can be read as syntax."""
    clauses = [
        "(" + " OR ".join("(" + " AND ".join(_phrase(t) for t in alternative) + ")" for alternative in part.alternatives) + ")"
        for part in parts
        if part.known
    ]
    return (" OR " if any_part else " AND ").join(clauses)


def product_ids_matching(parts: list[QueryPart], *, limit: int, any_part: bool = False) -> list[tuple[int, str]]:
    """Return (id, name) of active products matching every part (or any, with `any_part`), best first."""
    expression = fts_match(parts, any_part=any_part)
    if not expression:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT p.id, p.name FROM catalog_product_fts f JOIN catalog_product p ON p.id = f.rowid
            WHERE catalog_product_fts MATCH %s AND p.is_active
            ORDER BY bm25(catalog_product_fts, {_COLUMN_WEIGHTS}), p.name, p.id
            LIMIT %s
            """,  # noqa: S608 - only the constant weights are interpolated; the query is a parameter
            [expression, limit],
        )
        return [(pk, name) for pk, name in cursor.fetchall()]


def product_names_closest(parts: list[QueryPart], *, limit: int) -> list[str]:
    """Return names of active products holding the most of the query's words."""
    rows = product_ids_matching(parts, limit=limit * 4, any_part=True)
    return sorted((name for _, name in rows), key=lambda name: name_match_key(parts, name))[:limit]


def vocabulary_rows() -> list[tuple[str, int]]:
    """Return each indexed term of active products with the number of products holding it."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT t.term, COUNT(DISTINCT t.doc) FROM catalog_product_fts_terms t
            JOIN catalog_product p ON p.id = t.doc
            WHERE p.is_active
            GROUP BY t.term
            """
        )
        return [(term, count) for term, count in cursor.fetchall()]
