"""Customer and staff accounts. Contact details are encrypted under the person's own data key.

`email` is not the address: it is the address's blind index written as an address
("<hmac>@users.allbuy.invalid"), which is what django-allauth and Django's auth look up and keep
unique. The address itself lives only encrypted, in `contact_email`.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone

from allbuy.privacy.fields import EncryptedRecordField, EncryptedTextField
from allbuy.privacy.models import DataSubject

PSEUDONYM_DOMAIN = "users.allbuy.invalid"


_PSEUDONYM = re.compile(r"[0-9a-f]{64}@" + re.escape(PSEUDONYM_DOMAIN))


def is_pseudonym(value: str) -> bool:
    """Tell whether `value` is a sign-in key (an address's blind index written as an address)."""
    return bool(_PSEUDONYM.fullmatch(value))


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get_by_natural_key(self, username: str | None) -> User:
        from allbuy.accounts.identity import email_pseudonym

        if username and "@" in username and not is_pseudonym(username):
            username = email_pseudonym(username)
        return self.get(email=username)

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        from allbuy.accounts.services import user_create

        return user_create(email=email, password=password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        from allbuy.accounts.services import user_create

        return user_create(email=email, password=password, is_staff=True, is_superuser=True, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    subject = models.OneToOneField(DataSubject, on_delete=models.PROTECT, related_name="user")
    email = models.CharField("sign-in key", max_length=120, unique=True)
    contact_email = EncryptedTextField(scope="profile")
    full_name = EncryptedTextField(scope="profile", blank=True)
    phone = EncryptedTextField(scope="profile", blank=True)
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []  # type: ignore[misc]

    def __str__(self) -> str:
        return f"account #{self.pk}"

    def get_full_name(self) -> str:
        return str(self)

    def get_short_name(self) -> str:
        return str(self)


class Address(models.Model):
    """A shipping address in a customer's address book."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="addresses")
    subject = models.ForeignKey(DataSubject, on_delete=models.PROTECT, related_name="+")
    # One ciphertext per address (see EncryptedRecordField): each member is still its own attribute,
    # data-map declaration and purpose check. Decrypting 1,000 addresses costs 1,000 decryptions, not 8,000.
    sealed = EncryptedRecordField(
        members=("recipient_name", "line1", "line2", "city", "region", "postcode", "country", "phone"), scope="profile"
    )
    is_default = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-is_default", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user"], condition=models.Q(is_default=True), name="address_one_default_per_user")
        ]
        verbose_name_plural = "addresses"

    def __str__(self) -> str:
        return f"address #{self.pk}"
