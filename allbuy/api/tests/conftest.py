"""Builders shared by the API tests: active products with a variant and an image, as the shop sells them."""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from allbuy.catalog.models import Product
from allbuy.catalog.tests.factories import ProductFactory, ProductImageFactory, VariantFactory


@pytest.fixture
def product_make() -> Callable[..., Product]:
    def make(
        *,
        price: str = "199.00",
        compare_at_price: str | None = None,
        stock: int = 10,
        image: bool = True,
        **fields: Any,
    ) -> Product:
        product: Product = ProductFactory.create(**fields)
        VariantFactory(
            product=product,
            price=Decimal(price),
            compare_at_price=Decimal(compare_at_price) if compare_at_price else None,
            stock_quantity=stock,
        )
        if image:
            ProductImageFactory(product=product)
        return product

    return make
