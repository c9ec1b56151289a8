"""Brands, two-level categories, products, variants (the sellable SKU) and images."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q

from allbuy.core.money import Money


class Brand(models.Model):
    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    """A category is either top-level (Phones) or one level below it (Phones › Xiaomi phones)."""

    name = models.CharField(max_length=80)
    slug = models.SlugField(max_length=80, unique=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"
        constraints = [models.UniqueConstraint(fields=["parent", "name"], name="category_unique_name_in_parent")]

    def __str__(self) -> str:
        return f"{self.parent.name} › {self.name}" if self.parent_id and self.parent else self.name

    def clean(self) -> None:
        if self.parent_id is not None:
            if self.parent_id == self.pk:
                raise ValidationError({"parent": "A category cannot be its own parent."}, code="category_self_parent")
            if self.parent and self.parent.parent_id is not None:
                raise ValidationError(
                    {"parent": "Categories have two levels: the parent must be top-level."}, code="category_too_deep"
                )


class Product(models.Model):
    name = models.CharField(max_length=160)
    slug = models.SlugField(max_length=160, unique=True)
    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, related_name="products")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="products")
    description = models.TextField(blank=True)
    # Ordered key/value pairs: [{"group": "Display", "name": "Size", "value": "6.67 in"}, ...]
    specs = models.JSONField(default=list, blank=True)
    # Placeholder until the marketplace arrives: which merchant sells this product.
    # The seller who packs and ships it; empty means AllBuy itself (see allbuy.fulfilment.services).
    merchant = models.ForeignKey("fulfilment.Merchant", null=True, blank=True, on_delete=models.PROTECT, related_name="products")
    is_active = models.BooleanField(default=True)
    is_featured = models.BooleanField(default=False)
    # Denormalised text of name, brand, category and specs; the search index is built from it.
    search_document = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["category", "is_active"]), models.Index(fields=["brand", "is_active"])]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not isinstance(self.specs, list) or not all(
            isinstance(row, dict) and {"name", "value"} <= set(row) for row in self.specs
        ):
            raise ValidationError({"specs": 'Specs must be a list of {"group", "name", "value"} objects.'}, code="specs_shape")


class Variant(models.Model):
    """One sellable SKU of a product: a colour/storage combination with its own price and stock."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="variants")
    sku = models.CharField(max_length=64, unique=True)
    # {"colour": "Midnight Black", "storage": "256 GB"}
    attributes = models.JSONField(default=dict, blank=True)
    price = models.DecimalField(max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))])
    compare_at_price = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, default="EUR")
    stock_quantity = models.PositiveIntegerField(default=0)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gt=0), name="variant_price_positive"),
            models.CheckConstraint(
                condition=Q(compare_at_price__isnull=True) | Q(compare_at_price__gt=F("price")),
                name="variant_compare_at_above_price",
            ),
        ]

    def __str__(self) -> str:
        label = " / ".join(str(v) for v in self.attributes.values())
        return f"{self.product.name} ({label})" if label else self.product.name

    def clean(self) -> None:
        if self.compare_at_price is not None and self.price is not None and self.compare_at_price <= self.price:
            raise ValidationError(
                {"compare_at_price": "The compare-at price must be above the price."}, code="compare_at_not_above"
            )
        if not isinstance(self.attributes, dict):
            raise ValidationError(
                {"attributes": 'Attributes must be an object such as {"colour": "Black"}.'}, code="attributes_shape"
            )

    @property
    def money(self) -> Money:
        return Money(self.price, self.currency)

    @property
    def in_stock(self) -> bool:
        return self.stock_quantity > 0


class ProductImage(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    # An image may belong to one colour; the gallery then follows the variant picker.
    colour = models.CharField(max_length=60, blank=True)
    image = models.FileField(upload_to="products/")
    alt_text = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.alt_text


class CatalogRevision(models.Model):
    """One row whose counter moves on every catalog change: the key of every cached catalog fragment.

    It lives in the database, not the cache, so every web worker sees an invalidation at once,
    even with a per-process cache in the embedded default.
    """

    revision = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"catalog revision {self.revision}"
