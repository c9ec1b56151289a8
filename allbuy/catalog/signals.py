"""Cache invalidation only: any saved or deleted catalog row moves the catalog revision on.

This is infrastructure, not business logic, and it lives in signals so that no write path
(admin, seed, shell, later services) can forget it. Bulk `.update()` calls must call
`catalog_revision_bump()` themselves.
"""

from typing import Any

from django.db.models.signals import post_delete, post_save

from allbuy.catalog.models import Brand, Category, Product, ProductImage, Variant
from allbuy.catalog.services import catalog_revision_bump


def _bump(sender: type, **kwargs: Any) -> None:
    if not kwargs.get("raw"):
        catalog_revision_bump()


def connect() -> None:
    for model in (Brand, Category, Product, Variant, ProductImage):
        post_save.connect(_bump, sender=model, dispatch_uid=f"catalog-revision-save-{model.__name__}")
        post_delete.connect(_bump, sender=model, dispatch_uid=f"catalog-revision-delete-{model.__name__}")
