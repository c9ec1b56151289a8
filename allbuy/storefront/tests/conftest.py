from decimal import Decimal

import pytest

from allbuy.catalog.tests.factories import (
    BrandFactory,
    CategoryFactory,
    ProductFactory,
    ProductImageFactory,
    VariantFactory,
)

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def phones():
    parent = CategoryFactory(name="Phones", slug="phones")
    return CategoryFactory(name="Xiaomi phones", slug="xiaomi-phones", parent=parent)


@pytest.fixture
def xiaomi():
    return BrandFactory(name="Xiaomi", slug="xiaomi")


@pytest.fixture
def huawei():
    return BrandFactory(name="Huawei", slug="huawei")


@pytest.fixture
def phone(phones, xiaomi):
    """A phone in two colours and two storage sizes; Blue exists only with 256 GB."""
    product = ProductFactory(
        name="Redmi Note 13 Pro",
        slug="redmi-note-13-pro",
        brand=xiaomi,
        category=phones,
        is_featured=True,
        description="A bright AMOLED phone.",
        specs=[
            {"group": "Display", "name": "Size", "value": "6.67 in"},
            {"group": "Display", "name": "Type", "value": "AMOLED"},
            {"group": "Battery", "name": "Capacity", "value": "5100 mAh"},
        ],
    )
    VariantFactory(
        product=product,
        sku="RN13P-BLK-256",
        attributes={"colour": "Black", "storage": "256 GB"},
        price=Decimal("299.00"),
        compare_at_price=Decimal("349.00"),
        stock_quantity=20,
        position=0,
    )
    VariantFactory(
        product=product,
        sku="RN13P-BLK-512",
        attributes={"colour": "Black", "storage": "512 GB"},
        price=Decimal("349.00"),
        stock_quantity=3,
        position=1,
    )
    VariantFactory(
        product=product,
        sku="RN13P-BLU-256",
        attributes={"colour": "Blue", "storage": "256 GB"},
        price=Decimal("309.00"),
        stock_quantity=0,
        position=2,
    )
    ProductImageFactory(product=product, colour="Black", alt_text="Redmi Note 13 Pro in black, front", position=0)
    ProductImageFactory(product=product, colour="Blue", alt_text="Redmi Note 13 Pro in blue, front", position=1)
    ProductImageFactory(product=product, colour="", alt_text="Redmi Note 13 Pro box contents", position=2)
    return product


@pytest.fixture
def make_products(phones, xiaomi, huawei):
    """Create `n` products alternating between two brands, each with two variants and two images."""
    created: list = []

    def make(n):
        batch = []
        for _ in range(n):
            i = len(created)
            product = ProductFactory(
                name=f"Gadget {i:04d}", slug=f"gadget-{i:04d}", brand=(xiaomi, huawei)[i % 2], category=phones
            )
            VariantFactory(product=product, attributes={"colour": "Black"}, price=Decimal(100 + i), stock_quantity=i % 3)
            VariantFactory(product=product, attributes={"colour": "White"}, price=Decimal(120 + i), stock_quantity=1)
            ProductImageFactory(product=product, colour="Black")
            ProductImageFactory(product=product, colour="White")
            created.append(product)
            batch.append(product)
        return batch

    return make
