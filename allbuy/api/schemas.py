"""Response shapes of the catalog API, built from selector results with `from_*` constructors.

Money is a decimal string with two places ("299.00"), never a float: JSON numbers are read
as binary floats by most clients, and 0.1 + 0.2 is not 0.3.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any

from django.conf import settings
from django.urls import reverse
from ninja import Field, Schema

from allbuy.catalog.models import Brand, Category, Product, ProductImage, Variant
from allbuy.catalog.selectors import ProductPage
from allbuy.core.money import CENT

Amount = Annotated[
    str,
    Field(
        pattern=r"^\d+\.\d{2}$",
        examples=["299.00"],
        description="An amount of money as a decimal string with two places, never a float.",
    ),
]
Currency = Annotated[str, Field(min_length=3, max_length=3, examples=["EUR"], description="ISO 4217 currency code.")]


def amount_text(amount: Decimal) -> str:
    return str(amount.quantize(CENT, rounding=ROUND_HALF_UP))


def optional_amount_text(amount: Decimal | None) -> str | None:
    return None if amount is None else amount_text(amount)


class ErrorOut(Schema):
    message: str = Field(description="A sentence the caller can show or act on.")
    code: str = Field(description="A stable, machine-readable error code such as 'product_not_found'.", examples=["invalid_sort"])
    extra: dict[str, Any] | None = Field(None, description="Data about the error, e.g. the allowed parameters.")
    detail: list[dict[str, Any]] | None = Field(None, description="For 'invalid_input': one entry per invalid field.")


class BrandRefOut(Schema):
    slug: str
    name: str

    @classmethod
    def from_brand(cls, brand: Brand) -> BrandRefOut:
        return cls(slug=brand.slug, name=brand.name)


class CategoryRefOut(Schema):
    slug: str
    name: str

    @classmethod
    def from_category(cls, category: Category) -> CategoryRefOut:
        return cls(slug=category.slug, name=category.name)


class ImageOut(Schema):
    url: str
    alt: str

    @classmethod
    def from_image(cls, image: ProductImage) -> ImageOut:
        return cls(url=image.image.url, alt=image.alt_text)


class ProductCardOut(Schema):
    slug: str
    name: str
    brand: BrandRefOut
    category: CategoryRefOut
    price_from: Amount | None = Field(description="The lowest variant price; null when the product has no variant yet.")
    currency: Currency
    compare_at_price: Amount | None = Field(description="The highest compare-at ('was') price among the variants, if any.")
    in_stock: bool
    image: ImageOut | None = Field(description="The first gallery image, if any.")
    url: str = Field(description="The product's storefront page.", examples=["/products/redmi-note-13/"])

    @classmethod
    def from_product(cls, product: Product) -> ProductCardOut:
        """Build from a product annotated by the list selectors; reads only what they prefetched."""
        images = list(product.images.all())
        return cls(
            slug=product.slug,
            name=product.name,
            brand=BrandRefOut.from_brand(product.brand),
            category=CategoryRefOut.from_category(product.category),
            price_from=optional_amount_text(getattr(product, "price_from", None)),
            # The list annotations carry no currency: the catalog is priced in the shop currency.
            currency=settings.ALLBUY_CURRENCY,
            compare_at_price=optional_amount_text(getattr(product, "compare_at_from", None)),
            in_stock=getattr(product, "stock_total", 0) > 0,
            image=ImageOut.from_image(images[0]) if images else None,
            url=reverse("storefront:product", kwargs={"slug": product.slug}),
        )


class BrandFacetOut(Schema):
    slug: str
    name: str
    count: int = Field(description="Matching products of this brand under every other filter.")
    selected: bool


class PriceRangeOut(Schema):
    low: Amount | None
    high: Amount | None


class FacetsOut(Schema):
    brands: list[BrandFacetOut]
    price: PriceRangeOut = Field(description="The range of 'from' prices under the search and category.")
    in_stock: int = Field(description="How many of the matching products are in stock.")


class ProductListOut(Schema):
    items: list[ProductCardOut]
    total: int
    page: int
    num_pages: int
    per_page: int
    facets: FacetsOut

    @classmethod
    def from_page(cls, page: ProductPage) -> ProductListOut:
        return cls(
            items=[ProductCardOut.from_product(product) for product in page.products],
            total=page.total,
            page=page.page,
            num_pages=page.num_pages,
            per_page=page.per_page,
            facets=FacetsOut(
                brands=[BrandFacetOut(slug=f.slug, name=f.name, count=f.count, selected=f.selected) for f in page.brand_facets],
                price=PriceRangeOut(low=optional_amount_text(page.price_low), high=optional_amount_text(page.price_high)),
                in_stock=page.in_stock_count,
            ),
        )


class SpecOut(Schema):
    group: str
    name: str
    value: str


class VariantOut(Schema):
    sku: str
    attributes: dict[str, str] = Field(examples=[{"colour": "Midnight Black", "storage": "256 GB"}])
    price: Amount
    compare_at_price: Amount | None
    currency: Currency
    stock_quantity: int
    in_stock: bool

    @classmethod
    def from_variant(cls, variant: Variant) -> VariantOut:
        attributes = variant.attributes if isinstance(variant.attributes, dict) else {}
        return cls(
            sku=variant.sku,
            attributes={str(key): str(value) for key, value in attributes.items()},
            price=amount_text(variant.price),
            compare_at_price=optional_amount_text(variant.compare_at_price),
            currency=variant.currency,
            stock_quantity=variant.stock_quantity,
            in_stock=variant.in_stock,
        )


class GalleryImageOut(ImageOut):
    colour: str = Field(description="The colour this image shows; empty when it fits every colour.")

    @classmethod
    def from_image(cls, image: ProductImage) -> GalleryImageOut:
        return cls(url=image.image.url, alt=image.alt_text, colour=image.colour)


class CategoryWithParentOut(CategoryRefOut):
    parent: CategoryRefOut | None

    @classmethod
    def from_category(cls, category: Category) -> CategoryWithParentOut:
        parent = CategoryRefOut.from_category(category.parent) if category.parent else None
        return cls(slug=category.slug, name=category.name, parent=parent)


def _specs(specs: object) -> list[SpecOut]:
    # Rows are free JSON edited in the admin; keep the well-formed ones and show their values as text.
    rows = specs if isinstance(specs, list) else []
    return [
        SpecOut(group=str(row.get("group", "")), name=str(row["name"]), value=str(row["value"]))
        for row in rows
        if isinstance(row, dict) and "name" in row and "value" in row
    ]


class ProductOut(Schema):
    slug: str
    name: str
    url: str = Field(examples=["/products/redmi-note-13/"])
    description: str
    brand: BrandRefOut
    category: CategoryWithParentOut
    specs: list[SpecOut]
    variants: list[VariantOut]
    images: list[GalleryImageOut]

    @classmethod
    def from_product(cls, product: Product) -> ProductOut:
        """Build from `product_detail`, which loads everything read here."""
        return cls(
            slug=product.slug,
            name=product.name,
            url=reverse("storefront:product", kwargs={"slug": product.slug}),
            description=product.description,
            brand=BrandRefOut.from_brand(product.brand),
            category=CategoryWithParentOut.from_category(product.category),
            specs=_specs(product.specs),
            variants=[VariantOut.from_variant(variant) for variant in product.variants.all()],
            images=[GalleryImageOut.from_image(image) for image in product.images.all()],
        )


class CategoryNodeOut(Schema):
    slug: str
    name: str
    url: str = Field(examples=["/categories/phones/"])
    product_count: int = Field(description="Active products in the category, including those of its subcategories.")

    @classmethod
    def from_category(cls, category: Category, *, counts: dict[int, int]) -> CategoryNodeOut:
        return cls(
            slug=category.slug,
            name=category.name,
            url=reverse("storefront:category", kwargs={"slug": category.slug}),
            product_count=counts.get(category.pk, 0),
        )


class CategoryTreeOut(CategoryNodeOut):
    children: list[CategoryNodeOut]

    @classmethod
    def from_category(cls, category: Category, *, counts: dict[int, int]) -> CategoryTreeOut:
        node = CategoryNodeOut.from_category(category, counts=counts)
        # Sorted here: Django drops Meta.ordering from GROUP BY queries, and category_tree() annotates the children.
        ordered = sorted(category.children.all(), key=lambda child: (child.position, child.name))
        children = [CategoryNodeOut.from_category(child, counts=counts) for child in ordered]
        return cls(**node.model_dump(), children=children)


class CategoryOut(CategoryTreeOut):
    description: str
    parent: CategoryRefOut | None

    @classmethod
    def from_category(cls, category: Category, *, counts: dict[int, int]) -> CategoryOut:
        tree = CategoryTreeOut.from_category(category, counts=counts)
        parent = CategoryRefOut.from_category(category.parent) if category.parent else None
        return cls(**dict(tree), description=category.description, parent=parent)


class BrandOut(Schema):
    slug: str
    name: str
    description: str
    url: str = Field(examples=["/brands/xiaomi/"])
    product_count: int = Field(description="Active products of the brand.")

    @classmethod
    def from_brand(cls, brand: Brand, *, product_count: int) -> BrandOut:
        return cls(
            slug=brand.slug,
            name=brand.name,
            description=brand.description,
            url=reverse("storefront:brand", kwargs={"slug": brand.slug}),
            product_count=product_count,
        )
