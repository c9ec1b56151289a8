"""Product search on PostgreSQL: a weighted tsvector per product written by `product_reindex`, ranked by
ts_rank_cd, with pg_trgm similarity on the name to break ties and to find the closest names for suggestions."""

from __future__ import annotations

from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper

from allbuy.catalog.search_terms import IndexRow, QueryPart

_INSTALL = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    # Beside catalog_product rather than in it, so Django never has to know about the column. No foreign key:
    # Django's flush truncates catalog_product alone, and would be refused with one; triggers clean up instead.
    "CREATE TABLE IF NOT EXISTS catalog_product_search (product_id bigint PRIMARY KEY, vector tsvector NOT NULL)",
    "CREATE INDEX IF NOT EXISTS catalog_product_search_vector ON catalog_product_search USING gin (vector)",
    "CREATE INDEX IF NOT EXISTS catalog_product_name_trgm ON catalog_product USING gin (lower(name) gin_trgm_ops)",
    """
    CREATE OR REPLACE FUNCTION catalog_product_search_forget() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'TRUNCATE' THEN
            TRUNCATE catalog_product_search;
        ELSE
            DELETE FROM catalog_product_search WHERE product_id = OLD.id;
        END IF;
        RETURN NULL;
    END
    $$
    """,
    "DROP TRIGGER IF EXISTS catalog_product_search_delete ON catalog_product",
    """
    CREATE TRIGGER catalog_product_search_delete AFTER DELETE ON catalog_product
    FOR EACH ROW EXECUTE FUNCTION catalog_product_search_forget()
    """,
    "DROP TRIGGER IF EXISTS catalog_product_search_truncate ON catalog_product",
    """
    CREATE TRIGGER catalog_product_search_truncate AFTER TRUNCATE ON catalog_product
    FOR EACH STATEMENT EXECUTE FUNCTION catalog_product_search_forget()
    """,
]
_UNINSTALL = [
    "DROP TRIGGER IF EXISTS catalog_product_search_delete ON catalog_product",
    "DROP TRIGGER IF EXISTS catalog_product_search_truncate ON catalog_product",
    "DROP FUNCTION IF EXISTS catalog_product_search_forget()",
    "DROP INDEX IF EXISTS catalog_product_name_trgm",
    "DROP TABLE IF EXISTS catalog_product_search",
    # pg_trgm stays: other code may have come to rely on it.
]


def index_install(db: BaseDatabaseWrapper) -> None:
    with db.cursor() as cursor:
        for statement in _INSTALL:
            cursor.execute(statement)


def index_uninstall(db: BaseDatabaseWrapper) -> None:
    with db.cursor() as cursor:
        for statement in _UNINSTALL:
            cursor.execute(statement)


def index_write(rows: list[IndexRow], *, db: BaseDatabaseWrapper | None = None) -> None:
    """Replace the index rows of these products: name weighs A, brand B, categories C, the whole document D."""
    if not rows:
        return
    with (db or connection).cursor() as cursor:
        cursor.executemany(
            """
            INSERT INTO catalog_product_search (product_id, vector) VALUES (
                %s,
                setweight(to_tsvector('simple', %s), 'A') || setweight(to_tsvector('simple', %s), 'B')
                || setweight(to_tsvector('simple', %s), 'C') || setweight(to_tsvector('simple', %s), 'D')
            )
            ON CONFLICT (product_id) DO UPDATE SET vector = EXCLUDED.vector
            """,
            [[row.product_id, row.name, row.brand, row.categories, row.document] for row in rows],
        )


def _lexeme(term: str) -> str:
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "':*"


def tsquery_text(parts: list[QueryPart], *, any_part: bool = False) -> str:
    """Render query parts as tsquery input. Every lexeme is quoted, so no input can be read as syntax."""
    clauses = [
        "(" + " | ".join("(" + " & ".join(_lexeme(t) for t in alternative) + ")" for alternative in part.alternatives) + ")"
        for part in parts
        if part.known
    ]
    return (" | " if any_part else " & ").join(clauses)


def product_ids_matching(parts: list[QueryPart], *, limit: int, any_part: bool = False) -> list[tuple[int, str]]:
    """Return (id, name) of active products matching every part (or any, with `any_part`), best first."""
    query = tsquery_text(parts, any_part=any_part)
    if not query:
        return []
    words = " ".join(part.shown for part in parts if part.known)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT p.id, p.name FROM catalog_product_search s JOIN catalog_product p ON p.id = s.product_id
            WHERE p.is_active AND s.vector @@ %(query)s::tsquery
            ORDER BY ts_rank_cd(s.vector, %(query)s::tsquery) DESC, similarity(lower(p.name), %(words)s) DESC, p.name, p.id
            LIMIT %(limit)s
            """,
            {"query": query, "words": words, "limit": limit},
        )
        return [(pk, name) for pk, name in cursor.fetchall()]


def product_names_closest(parts: list[QueryPart], *, limit: int) -> list[str]:
    """Return names of active products that contain most of the query's words, through the trigram index."""
    words = " ".join(part.shown for part in parts)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT p.name FROM catalog_product p
            WHERE p.is_active AND lower(p.name) %%> %(words)s
            ORDER BY word_similarity(%(words)s, lower(p.name)) DESC, p.name
            LIMIT %(limit)s
            """,
            {"words": words, "limit": limit},
        )
        return [name for (name,) in cursor.fetchall()]


def vocabulary_rows() -> list[tuple[str, int]]:
    """Return each indexed lexeme of active products with the number of products holding it."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT word, ndoc FROM ts_stat(
                'SELECT s.vector FROM catalog_product_search s JOIN catalog_product p ON p.id = s.product_id WHERE p.is_active'
            )
            """
        )
        return [(word, count) for word, count in cursor.fetchall()]
