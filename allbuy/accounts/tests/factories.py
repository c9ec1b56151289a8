"""Accounts for tests, made the way sign-up makes them: encrypted details, a confirmed sign-in key."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress

from allbuy.accounts.models import Address, User
from allbuy.accounts.services import address_create, user_create

PASSWORD = "correct-horse-battery-9"


def customer_create(email: str = "ada@example.org", *, password: str = PASSWORD, verified: bool = True, **extra: Any) -> User:
    user = user_create(email=email, password=password, **extra)
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=verified)
    return user


def address_add(user: User, **overrides: Any) -> Address:
    values: dict[str, Any] = {
        "recipient_name": "Ada Lovelace",
        "line1": "Unter den Linden 1",
        "city": "Berlin",
        "postcode": "10117",
        "country": "DE",
        "phone": "+49 30 1234567",
    }
    values.update(overrides)
    return address_create(user=user, **values)


def staff_login(client: Any, email: str, **flags: Any) -> Any:
    """Sign a new staff account in on `client` (the client keeps it as `client.staff`) and return the client."""
    staff = customer_create(email, is_staff=True, **flags)
    client.force_login(staff, backend="django.contrib.auth.backends.ModelBackend")
    client.staff = staff
    return client
