"""Catalog admin: brands, two-level categories, products with their variants and images, and variants on their own.

Every changelist loads its rows' related objects with the rows (`list_select_related`, annotations),
so a page costs the same number of queries whatever its length.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.db.models import Count, ForeignKey, Min, QuerySet, Sum
from django.forms import BaseInlineFormSet, ModelChoiceField, ModelForm
from django.http import HttpRequest
from django.utils.html import format_html

from allbuy.catalog.models import Brand, Category, Product, ProductImage, Variant
from allbuy.catalog.services import product_reindex

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

LOW_STOCK = 5


def _categories_in_tree_order() -> list[Category]:
    """Return every category, each parent followed by its children, with parents loaded (one query)."""
    categories = Category.objects.select_related("parent")

    def key(category: Category) -> tuple[int, str, bool, int, str]:
        top = category.parent or category
        return (top.position, top.name, category.parent_id is not None, category.position, category.name)

    return sorted(categories, key=key)


class CategoryListFilter(admin.RelatedFieldListFilter):
    """Filter by category, listed as "Phones › Xiaomi phones" without a query per category."""

    def field_choices(self, field: Any, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, StrOrPromise]]:
        return [(str(category.pk), str(category)) for category in _categories_in_tree_order()]


class VariantStockListFilter(admin.SimpleListFilter):
    title = "stock"
    parameter_name = "stock"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("out", "Out of stock"), ("low", f"Low (1–{LOW_STOCK})"), ("in", "In stock")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Variant]) -> QuerySet[Variant]:
        if self.value() == "out":
            return queryset.filter(stock_quantity=0)
        if self.value() == "low":
            return queryset.filter(stock_quantity__gt=0, stock_quantity__lte=LOW_STOCK)
        if self.value() == "in":
            return queryset.filter(stock_quantity__gt=0)
        return queryset


def _image_preview(image: ProductImage) -> str:
    if not image.image:
        return "—"
    return format_html('<img src="{}" alt="{}" width="64" height="64">', image.image.url, image.alt_text)


@admin.register(Brand)
class BrandAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "product_count"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request: HttpRequest) -> QuerySet[Brand]:
        return super().get_queryset(request).annotate(product_count=Count("products"))

    @admin.display(description="products", ordering="product_count")
    def product_count(self, brand: Brand) -> int:
        return getattr(brand, "product_count", 0)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "parent", "position", "slug", "product_count"]
    list_filter = [("parent", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["parent"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    ordering = ["parent__position", "position", "name"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Category]:
        return super().get_queryset(request).annotate(product_count=Count("products"))

    @admin.display(description="products", ordering="product_count")
    def product_count(self, category: Category) -> int:
        return getattr(category, "product_count", 0)

    def formfield_for_foreignkey(self, db_field: ForeignKey, request: HttpRequest, **kwargs: Any) -> ModelChoiceField | None:
        if db_field.name == "parent":
            # Categories have two levels, so only a top-level category can be a parent.
            kwargs["queryset"] = Category.objects.filter(parent=None)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class VariantInline(admin.TabularInline):
    model = Variant
    extra = 0
    fields = ["sku", "attributes", "price", "compare_at_price", "currency", "stock_quantity", "position"]


class ProductImageInline(admin.TabularInline):
    model = ProductImage
    extra = 0
    fields = ["preview", "image", "colour", "alt_text", "position"]
    readonly_fields = ["preview"]

    @admin.display(description="preview")
    def preview(self, image: ProductImage) -> str:
        return _image_preview(image)


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["name", "brand", "category", "variant_count", "price_from", "stock_total", "is_active", "is_featured"]
    list_filter = ["brand", ("category", CategoryListFilter), "is_active", "is_featured"]
    list_select_related = ["brand", "category", "category__parent"]
    search_fields = ["name", "slug", "brand__name"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["search_document", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "brand", "category", "description", "specs"]}),
        ("Shop", {"fields": ["is_active", "is_featured", "merchant"]}),
        ("Search and history", {"classes": ["collapse"], "fields": ["search_document", "created_at", "updated_at"]}),
    ]
    inlines = [VariantInline, ProductImageInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Product]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                variant_count=Count("variants", distinct=True),
                price_from=Min("variants__price"),
                stock_total=Sum("variants__stock_quantity"),
            )
        )

    @admin.display(description="variants", ordering="variant_count")
    def variant_count(self, product: Product) -> int:
        return getattr(product, "variant_count", 0)

    @admin.display(description="price from", ordering="price_from")
    def price_from(self, product: Product) -> Any:
        return getattr(product, "price_from", None)

    @admin.display(description="stock", ordering="stock_total")
    def stock_total(self, product: Product) -> int:
        return getattr(product, "stock_total", None) or 0

    def formfield_for_foreignkey(self, db_field: ForeignKey, request: HttpRequest, **kwargs: Any) -> ModelChoiceField | None:
        if db_field.name == "category":
            # A category's label names its parent; load the parents with the choices.
            kwargs["queryset"] = Category.objects.select_related("parent")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_related(self, request: HttpRequest, form: ModelForm, formsets: list[BaseInlineFormSet], change: bool) -> None:
        super().save_related(request, form, formsets, change)
        # Name, brand, category or specs may have changed: the search document follows.
        product_reindex(product=form.instance)


@admin.register(Variant)
class VariantAdmin(admin.ModelAdmin):
    list_display = ["sku", "product", "options", "price", "compare_at_price", "stock_quantity"]
    list_editable = ["stock_quantity"]
    list_filter = [VariantStockListFilter, "product__brand", ("product__category", CategoryListFilter), "currency"]
    list_select_related = ["product"]
    search_fields = ["sku", "product__name"]
    autocomplete_fields = ["product"]
    ordering = ["product__name", "position", "id"]

    @admin.display(description="options")
    def options(self, variant: Variant) -> str:
        return " / ".join(str(value) for value in variant.attributes.values()) if isinstance(variant.attributes, dict) else ""


@admin.register(ProductImage)
class ProductImageAdmin(admin.ModelAdmin):
    list_display = ["alt_text", "preview", "product", "colour", "position"]
    list_filter = ["product__brand"]
    list_select_related = ["product"]
    search_fields = ["alt_text", "product__name", "colour"]
    autocomplete_fields = ["product"]

    @admin.display(description="preview")
    def preview(self, image: ProductImage) -> str:
        return _image_preview(image)
