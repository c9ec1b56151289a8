"""Writes to accounts: creating users and keeping their encrypted contact details."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from allbuy.accounts.identity import email_clean, email_pseudonym
from allbuy.accounts.models import User
from allbuy.privacy.services import subject_create


@transaction.atomic
def user_create(*, email: str, password: str | None = None, full_name: str = "", phone: str = "", **extra: Any) -> User:
    """Create an account: a new data subject, the address's blind index as sign-in key, details encrypted."""
    address = email_clean(email)
    user = User(
        subject=subject_create(),
        email=email_pseudonym(address),
        contact_email=address,
        full_name=full_name,
        phone=phone,
        **extra,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    return user
