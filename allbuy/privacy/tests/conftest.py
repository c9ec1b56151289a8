"""Customers with encrypted details and addresses, as the shop creates them."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from allbuy.accounts.models import Address, User
from allbuy.accounts.services import user_create
from allbuy.core import clock


@pytest.fixture
def customer_make() -> Callable[..., User]:
    def make(
        email: str = "ada.lovelace@example.org", *, full_name: str = "Ada Lovelace", phone: str = "+44 20 7946 0018", **extra: Any
    ) -> User:
        user = user_create(email=email, password="a-long-password-1", full_name=full_name, phone=phone, **extra)
        # An existing customer: joined well before anything the tests publish.
        User.objects.filter(pk=user.pk).update(date_joined=clock.now() - timedelta(days=400))
        user.refresh_from_db()
        return user

    return make


@pytest.fixture
def customer(customer_make) -> User:
    return customer_make()


@pytest.fixture
def address_add() -> Callable[..., Address]:
    def add(user: User, **fields: str) -> Address:
        values = {
            "recipient_name": "Ada King",
            "line1": "12 Saint James Square",
            "line2": "Flat 3",
            "city": "London",
            "region": "Greater London",
            "postcode": "SW1Y 4JH",
            "country": "United Kingdom",
            "phone": "+44 7700 900123",
            **fields,
        }
        address = Address(user=user, subject=user.subject, **values)
        address.save()
        return address

    return add


@pytest.fixture
def staff_make(customer_make) -> Callable[..., User]:
    def make(email: str = "staff@allbuy.example", **extra: Any) -> User:
        return customer_make(email, full_name="Grace Hopper", phone="", is_staff=True, is_superuser=True, **extra)

    return make
