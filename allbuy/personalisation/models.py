"""Item-to-item similarity and popularity, rebuilt from behaviour events by a background job.

Nothing here identifies a visitor: pair and item counts are aggregates over everyone who consented.
"""

from __future__ import annotations

from django.db import models


class SimilarityKind(models.IntegerChoices):
    VIEWED = 1, "customers also viewed"
    BOUGHT = 2, "bought together"


class Neighbour(models.Model):
    """The `rank`-th most similar product to `product` for one kind of similarity."""

    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="+")
    kind = models.PositiveSmallIntegerField(choices=SimilarityKind.choices)
    rank = models.PositiveSmallIntegerField()
    neighbour = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["product", "kind", "rank"], name="neighbour_product_kind_rank")]

    def __str__(self) -> str:
        return f"neighbour {self.pk}"


class PairCount(models.Model):
    """How many sessions (views) or baskets (purchases) held both `a` and `b` (a < b): kept for incremental rebuilds."""

    kind = models.PositiveSmallIntegerField(choices=SimilarityKind.choices)
    a = models.IntegerField()
    b = models.IntegerField()
    count = models.FloatField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "a", "b"], name="paircount_kind_a_b")]

    def __str__(self) -> str:
        return f"pair {self.pk}"


class ItemCount(models.Model):
    """How many sessions (views) or baskets (purchases) held `product_id`."""

    kind = models.PositiveSmallIntegerField(choices=SimilarityKind.choices)
    product_id = models.IntegerField()
    count = models.FloatField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "product_id"], name="itemcount_kind_product")]

    def __str__(self) -> str:
        return f"item count {self.pk}"


class Popularity(models.Model):
    """A product's recent popularity (views, cart adds and purchases of the last days, weighted)."""

    product = models.OneToOneField("catalog.Product", on_delete=models.CASCADE, related_name="+")
    category_id = models.IntegerField(db_index=True)
    score = models.FloatField()

    def __str__(self) -> str:
        return f"popularity {self.pk}"


class RebuildState(models.Model):
    """The one row that remembers how far the incremental rebuild has read the events."""

    last_event_id = models.BigIntegerField(default=0)
    last_full_at = models.DateTimeField(null=True, blank=True)
    last_incremental_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return "rebuild state"
