"""Model fields whose values are stored encrypted under the row's data subject's key.

Loaded values are `Sealed`: the ciphertext, which renders as a mask and cannot be used as text.
Plaintext comes only from the privacy app (`allbuy.privacy.services`), which checks the purpose.
Assign a `str` to set a new value; it is encrypted when the row is saved.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Model

from allbuy.privacy.crypto import decrypt_many, decrypt_value, encrypt_value


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


class _EncryptedField(models.TextField):
    """What both encrypted fields share: a scope, the row's subject, and no plaintext ever reaching SQL."""

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

    def to_python(self, value: Any) -> Any:
        return value

    def _encrypt(self, model_instance: Model, plaintext: str) -> str:
        subject_id = getattr(model_instance, f"{self.subject_field}_id")
        if subject_id is None:
            raise ValueError(f"{self.label} needs its row's {self.subject_field} before it can be encrypted")
        return encrypt_value(plaintext, subject_id=str(subject_id), scope=self.scope, field=self.label)

    def get_prep_value(self, value: Any) -> Any:
        if isinstance(value, Sealed):
            return value.token
        if value is None or value == "":
            return value
        raise TypeError(f"{self.label} is encrypted: it cannot be compared or queried by its plaintext")

    def value_to_string(self, obj: Model) -> str:
        value = self.value_from_object(obj)
        return value.token if isinstance(value, Sealed) else ""


class EncryptedTextField(_EncryptedField):
    """Text stored as AES-256-GCM ciphertext under the data key of (row's subject, `scope`)."""

    description = "Encrypted text (personal data)"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Sealed | str | None:
        if not value:
            return value
        return Sealed(value, self.label)

    def pre_save(self, model_instance: Model, add: bool) -> Any:
        value = getattr(model_instance, self.attname)
        if isinstance(value, str) and value:
            value = Sealed(self._encrypt(model_instance, value), self.label)
            setattr(model_instance, self.attname, value)
        return value


# A record is its member names, then their values, separated by the ASCII unit separator: decoding it is
# a split, several times cheaper than JSON, and naming the members keeps old records readable when the
# list of members changes.
SEPARATOR = "\x1f"


def record_encode(values: dict[str, str]) -> str:
    if any(SEPARATOR in name or SEPARATOR in value for name, value in values.items()):
        raise ValueError("an encrypted record cannot hold the ASCII unit separator (U+001F)")
    return SEPARATOR.join([",".join(values), *values.values()])


def record_decode(text: str) -> dict[str, str]:
    names, *values = text.split(SEPARATOR)
    return dict(zip(names.split(","), values, strict=True))


class SealedMember:
    """One member of a sealed record, as loaded: decrypting it decrypts the row's record once."""

    __slots__ = ("name", "record")

    def __init__(self, record: SealedRecord, name: str):
        self.record = record
        self.name = name

    @property
    def token(self) -> str:
        return self.record.token

    @property
    def field(self) -> str:
        return f"{self.record.field}.{self.name}"

    def __str__(self) -> str:
        return "••••••"

    def __repr__(self) -> str:
        return f"<Sealed {self.field}>"

    def reveal(self) -> str:
        return str(self.record.reveal().get(self.name, ""))


class SealedRecord(Sealed):
    """Several values of one row sealed in a single ciphertext; decrypted at most once per loaded row."""

    __slots__ = ("_plain",)

    def __init__(self, token: str, field: str):
        super().__init__(token, field)
        self._plain: dict[str, str] | None = None

    def reveal_record(self) -> dict[str, str]:
        if self._plain is None:
            self._plain = record_decode(decrypt_value(self.token, field=self.field))
        return self._plain

    def reveal(self) -> dict[str, str]:  # type: ignore[override]
        return self.reveal_record()


def records_reveal(records: list[SealedRecord]) -> list[dict[str, str]]:
    """Decrypt many records of one field at once (batch reads); each stays decrypted on its object."""
    todo = [record for record in records if record._plain is None]
    if todo:
        for record, text in zip(todo, decrypt_many([r.token for r in todo], field=todo[0].field), strict=True):
            record._plain = record_decode(text)
    return [record._plain for record in records]  # type: ignore[misc]


class EncryptedRecordField(_EncryptedField):
    """The personal values of a row (`members`), sealed together with AES-256-GCM under the subject's key.

    One ciphertext per row instead of one per value: a batch read of addresses costs one decryption per
    address. Each member is still its own attribute (`address.city`), its own data-map declaration and
    its own purpose check; it reads as a `SealedMember` and is set by assigning a string.
    """

    description = "Encrypted record of personal values"

    def __init__(self, *args: Any, members: tuple[str, ...] = (), **kwargs: Any):
        self.members = tuple(members)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["members"] = self.members
        kwargs.pop("editable", None)
        return name, path, args, kwargs

    def contribute_to_class(self, cls: type[Model], name: str, private_only: bool = False) -> None:
        super().contribute_to_class(cls, name, private_only)
        for member in self.members:
            setattr(cls, member, property(self._getter(member), self._setter(member)))

    def _pending(self, instance: Model) -> dict[str, str]:
        return instance.__dict__.setdefault(f"_{self.attname}_pending", {})

    def _getter(self, member: str) -> Any:
        pending_key, attname = f"_{self.attname}_pending", self.attname

        def get(instance: Model) -> Any:
            state = instance.__dict__
            pending = state.get(pending_key)
            if pending and member in pending:
                return pending[member]
            record = state.get(attname)
            return SealedMember(record, member) if record is not None else ""

        return get

    def _setter(self, member: str) -> Any:
        def set_(instance: Model, value: Any) -> None:
            if isinstance(value, SealedMember) and value.record is instance.__dict__.get(self.attname):
                return  # reassigning the loaded value changes nothing
            self._pending(instance)[member] = "" if value is None else str(value)

        return set_

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> SealedRecord | None:
        return SealedRecord(value, self.label) if value else None

    def pre_save(self, model_instance: Model, add: bool) -> Any:
        pending = self._pending(model_instance)
        current = model_instance.__dict__.get(self.attname)
        if not pending:
            return current
        values = dict(current.reveal_record()) if isinstance(current, SealedRecord) else {}
        values.update(pending)
        values = {name: values.get(name, "") for name in self.members}
        sealed = SealedRecord(self._encrypt(model_instance, record_encode(values)), self.label)
        sealed._plain = values
        model_instance.__dict__[self.attname] = sealed
        pending.clear()
        return sealed
