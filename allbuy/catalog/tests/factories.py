from decimal import Decimal

import factory
from django.utils.text import slugify

from allbuy.catalog.models import Brand, Category, Product, ProductImage, Variant
from allbuy.catalog.services import product_reindex


class BrandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Brand
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Brand {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    parent = None


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Gadget {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    brand = factory.SubFactory(BrandFactory)
    category = factory.SubFactory(CategoryFactory)
    description = "A dependable gadget."
    specs = factory.LazyFunction(lambda: [{"group": "General", "name": "Weight", "value": "180 g"}])

    @factory.post_generation
    def reindex(obj: Product, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            product_reindex(product=obj)


class VariantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Variant

    product = factory.SubFactory(ProductFactory)
    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    attributes = factory.LazyFunction(lambda: {"colour": "Black"})
    price = Decimal("199.00")
    currency = "EUR"
    stock_quantity = 10


class ProductImageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductImage

    product = factory.SubFactory(ProductFactory)
    image = factory.django.FileField(filename="gadget.svg", data=b"<svg xmlns='http://www.w3.org/2000/svg'/>")
    alt_text = factory.LazyAttribute(lambda o: f"{o.product.name}, front view")
