"""Builders shared by the API tests: products as the shop sells them, and a signed-in shopper with a cart.

A test module using `shopper` defines the `variant` it puts in the cart."""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

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


@pytest.fixture
def shopper(variant: Any) -> Any:
    from allbuy.orders.tests.factories import shopper_ready

    return shopper_ready(variant=variant, quantity=1)


@pytest.fixture
def browser(shopper: Any) -> Client:
    """The shopper's signed-in session, as a first-party AllBuy app holds it."""
    client = Client()
    client.force_login(shopper.user, backend="django.contrib.auth.backends.ModelBackend")
    return client
