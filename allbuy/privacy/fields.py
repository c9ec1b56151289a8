"""Model fields whose values are stored encrypted under the row's data subject's key.

Loaded values are `Sealed`: the ciphertext, which renders as a mask and cannot be used as text.
Plaintext comes only from the privacy app (`allbuy.privacy.services`), which checks the purpose.
Assign a `str` to set a new value; it is encrypted when the row is saved.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Model

from allbuy.privacy.crypto import decrypt_value, encrypt_value


class Sealed:
    """An encrypted value as loaded from the database. Never equal to, nor printable as, its plaintext."""

    __slots__ = ("field", "token")

    def __init__(self, token: str, field: str):
        self.token = token
        self.field = field

    def __str__(self) -> str:
        return "••••••"

    def __repr__(self) -> str:
        return f"<Sealed {self.field}>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sealed) and other.token == self.token

    def __hash__(self) -> int:
        return hash(self.token)

    def reveal(self) -> str:
        """Decrypt. Only the privacy app calls this: everyone else goes through a purpose-checked read."""
        return decrypt_value(self.token, field=self.field)


class EncryptedTextField(models.TextField):
    """Text stored as AES-256-GCM ciphertext under the data key of (row's subject, `scope`)."""

    description = "Encrypted text (personal data)"

    def __init__(self, *args: Any, scope: str = "profile", subject_field: str = "subject", **kwargs: Any):
        self.scope = scope
        self.subject_field = subject_field
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["scope"] = self.scope
        if self.subject_field != "subject":
            kwargs["subject_field"] = self.subject_field
        return name, path, args, kwargs

    @property
    def label(self) -> str:
        return f"{self.model._meta.label}.{self.name}"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Sealed | str | None:
        if not value:
            return value
        return Sealed(value, self.label)

    def to_python(self, value: Any) -> Any:
        return value

    def pre_save(self, model_instance: Model, add: bool) -> Any:
        value = getattr(model_instance, self.attname)
        if isinstance(value, str) and value:
            subject_id = getattr(model_instance, f"{self.subject_field}_id")
            if subject_id is None:
                raise ValueError(f"{self.label} needs its row's {self.subject_field} before it can be encrypted")
            value = Sealed(encrypt_value(value, subject_id=str(subject_id), scope=self.scope, field=self.label), self.label)
            setattr(model_instance, self.attname, value)
        return value

    def get_prep_value(self, value: Any) -> Any:
        if isinstance(value, Sealed):
            return value.token
        if value is None or value == "":
            return value
        raise TypeError(f"{self.label} is encrypted: it cannot be compared or queried by its plaintext")

    def value_to_string(self, obj: Model) -> str:
        value = self.value_from_object(obj)
        return value.token if isinstance(value, Sealed) else (value or "")
