from typing import Any

from django.apps import AppConfig


def _catalog_pages_stale(sender: type, **kwargs: Any) -> None:
    # Cached catalog pages show deal prices and promotion banners: any saved or deleted deal or
    # promotion (admin, shell or service alike) must invalidate them. Infrastructure, as in catalog.
    if kwargs.get("raw"):
        return
    if kwargs.get("action", "post_").startswith("pre_"):
        return
    from allbuy.catalog.services import catalog_revision_bump

    catalog_revision_bump()


class DealsConfig(AppConfig):
    name = "allbuy.deals"
    label = "deals"
    verbose_name = "Deals and promotions"

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from allbuy.deals.models import Deal, Promotion

        for model in (Deal, Promotion):
            post_save.connect(_catalog_pages_stale, sender=model, dispatch_uid=f"deals-revision-save-{model.__name__}")
            post_delete.connect(_catalog_pages_stale, sender=model, dispatch_uid=f"deals-revision-delete-{model.__name__}")
        for field in Promotion.SCOPE_FIELDS:
            through = Promotion._meta.get_field(field).remote_field.through  # type: ignore[union-attr]
            m2m_changed.connect(_catalog_pages_stale, sender=through, dispatch_uid=f"deals-revision-scope-{field}")
