"""Full-text product search. (Placeholder: substring match until the search engine lands.)"""

from django.db.models import Q

from allbuy.catalog.models import Product


def product_search_ids(q: str, *, limit: int = 500) -> list[int]:
    """Return ids of active products matching `q`, best match first."""
    cond = Q()
    for word in q.split():
        cond &= Q(search_document__icontains=word)
    return list(Product.objects.filter(cond, is_active=True).values_list("pk", flat=True)[:limit])
