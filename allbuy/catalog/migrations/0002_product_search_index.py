"""The product search index: FTS5 on SQLite, a weighted tsvector table with pg_trgm on PostgreSQL.

The vendor SQL lives beside the code that queries it (allbuy/catalog/search_sqlite.py, search_postgres.py);
both installers are idempotent. The index is then filled from the products already in the catalog, and from
here on `product_reindex` keeps it current.
"""

from django.db import migrations


def _engine(schema_editor):
    from allbuy.catalog import search_postgres, search_sqlite

    return {"sqlite": search_sqlite, "postgresql": search_postgres}.get(schema_editor.connection.vendor)


def install(apps, schema_editor):
    from allbuy.catalog.search_terms import IndexRow

    engine = _engine(schema_editor)
    if engine is None:
        return
    engine.index_install(schema_editor.connection)
    Product = apps.get_model("catalog", "Product")
    products = Product.objects.using(schema_editor.connection.alias).values_list(
        "id", "name", "brand__name", "category__name", "category__parent__name", "search_document"
    )
    rows = [
        IndexRow.of(product_id=pk, name=name, brand=brand, categories=[category, parent or ""], document=document)
        for pk, name, brand, category, parent, document in products.iterator()
    ]
    engine.index_write(rows, db=schema_editor.connection)


def uninstall(apps, schema_editor):
    engine = _engine(schema_editor)
    if engine is None:
        return
    engine.index_uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(install, uninstall, elidable=False),
    ]
