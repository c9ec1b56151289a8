"""Writes to the catalog that other code relies on: search documents and the cache revision."""

from django.db import transaction
from django.db.models import F

from allbuy.catalog.models import CatalogRevision, Product
from allbuy.catalog.search import product_search_index_write


def catalog_revision_bump() -> None:
    """Move the catalog revision on, so every cached catalog fragment is stale at once."""
    with transaction.atomic():
        if not CatalogRevision.objects.filter(pk=1).update(revision=F("revision") + 1):
            CatalogRevision.objects.get_or_create(pk=1, defaults={"revision": 1})


def product_search_document(product: Product) -> str:
    """Return the text search indexes for `product`: name, brand, categories and spec values."""
    parts = [product.name, product.brand.name, product.category.name]
    if product.category.parent_id:
        parts.append(product.category.parent.name)  # type: ignore[union-attr]
    for row in product.specs or []:
        parts.append(f"{row.get('name', '')} {row.get('value', '')}")
    return "\n".join(p for p in parts if p)


@transaction.atomic
def product_reindex(*, product: Product) -> None:
    """Recompute the product's search document and store it, in the search index too."""
    document = product_search_document(product)
    if document != product.search_document:
        Product.objects.filter(pk=product.pk).update(search_document=document)
        product.search_document = document
        product_search_index_write(products=[product])
        # update() sends no signal, and the search vocabulary is cached per revision.
        catalog_revision_bump()
