"""The one way to read personal data: purpose-checked against the data map, and logged when not the subject's own."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction

from allbuy.core import clock
from allbuy.privacy.crypto import keys_preload
from allbuy.privacy.datamap import GRANT_RECIPIENTS, Recipient, declaration_for
from allbuy.privacy.exceptions import PurposeNotAllowed
from allbuy.privacy.fields import EncryptedRecordField, Sealed, SealedMember, SealedRecord, records_reveal
from allbuy.privacy.models import AccessLogEntry, DataSubject


@dataclass(frozen=True)
class Actor:
    """Who reads: a data-map recipient kind, an opaque reference, and the label the customer sees."""

    kind: Recipient
    ref: str
    label: str
    context: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def staff(cls, user: Any, *, team: str = "AllBuy staff") -> Actor:
        return cls(kind=Recipient.ALLBUY, ref=f"user:{user.pk}", label=team)

    @classmethod
    def system(cls, job: str) -> Actor:
        return cls(kind=Recipient.ALLBUY, ref=f"job:{job}", label=f"AllBuy ({job})")


def subject_create() -> DataSubject:
    return DataSubject.objects.create()


def _plain(value: Any) -> str:
    if isinstance(value, Sealed | SealedMember):
        return str(value.reveal())
    return "" if value is None else str(value)


def _record_members(model: type[models.Model], fields: Sequence[str]) -> dict[str, str]:
    """Map each field that is a member of an encrypted record to the record's attribute name."""
    owners: dict[str, str] = {}
    for model_field in model._meta.concrete_fields:
        if isinstance(model_field, EncryptedRecordField):
            owners.update({member: model_field.attname for member in model_field.members if member in fields})
    return owners


def values_reveal(*, instances: Sequence[models.Model], fields: Sequence[str]) -> list[dict[str, str]]:
    """Decrypt `fields` of every instance: all data keys unwrapped with one query, each record decrypted once.

    Private to the privacy app: callers outside it use personal_data_read (others) or own_data_reveal (the subject).
    """
    if not instances:
        return []
    owners = _record_members(type(instances[0]), fields)
    if len(owners) == len(fields) and len(set(owners.values())) == 1:  # the common case: one record holds them all
        owner = owners[fields[0]]
        sealed = [instance.__dict__.get(owner) for instance in instances]
        pending = any(instance.__dict__.get(f"_{owner}_pending") for instance in instances)
        if not pending and all(isinstance(record, SealedRecord) for record in sealed):
            return [{name: values.get(name, "") for name in fields} for values in records_reveal(sealed)]  # type: ignore[arg-type]
    tokens: list[str] = []
    for instance in instances:
        state = instance.__dict__
        tokens.extend(state[attname].token for attname in set(owners.values()) if isinstance(state.get(attname), Sealed))
        tokens.extend(v.token for name in fields if name not in owners and isinstance(v := getattr(instance, name), Sealed))
    keys_preload(tokens)
    record_names = set(owners.values())
    rows = []
    for instance in instances:
        state = instance.__dict__
        records: dict[str, dict[str, str]] = {}
        for attname in record_names:
            record = state.get(attname)
            if isinstance(record, SealedRecord) and not state.get(f"_{attname}_pending"):
                records[attname] = record.reveal_record()
        rows.append(
            {
                name: records[owners[name]].get(name, "") if owners.get(name) in records else _plain(getattr(instance, name))
                for name in fields
            }
        )
    return rows


def _check(*, actor: Actor, label: str, purpose: str) -> None:
    decl = declaration_for(label)
    if decl is None:
        raise PurposeNotAllowed(f"{label} is not personal data in the data map; it cannot be read through the privacy app.")
    if not decl.allows(recipient=actor.kind, purpose=purpose):
        raise PurposeNotAllowed(
            f"{actor.label} may not read {label} for '{purpose}'.",
            extra={"field": label, "purpose": purpose, "recipient": str(actor.kind)},
        )


def personal_data_read_many(
    *,
    actor: Actor,
    instances: Sequence[models.Model],
    fields: Sequence[str],
    purpose: str,
    context: dict[str, Any] | None = None,
    _grant: Any = None,
) -> list[dict[str, str]]:
    """Return the plaintext of `fields` for each instance, after checking the data map; log one entry per subject.

    Every field must be declared for `actor.kind` and `purpose`, or PurposeNotAllowed is raised before
    anything is decrypted. Instances must carry a `subject_id`. Merchants and carriers (GRANT_RECIPIENTS) read
    only through `allbuy.privacy.grants.granted_read`, which checked their grant and passes it as `_grant`.
    """
    if not instances:
        return []
    if actor.kind in GRANT_RECIPIENTS and (_grant is None or len(instances) != 1):
        raise PurposeNotAllowed(f"{actor.label} reads customer data only through a grant for one record.", code="not_granted")
    model = type(instances[0])
    labels = [f"{model._meta.label}.{name}" for name in fields]
    for label in labels:
        _check(actor=actor, label=label, purpose=purpose)
    rows = values_reveal(instances=instances, fields=fields)
    subjects = list(dict.fromkeys(instance.subject_id for instance in instances))  # type: ignore[attr-defined]
    now = clock.now()
    with transaction.atomic():
        AccessLogEntry.objects.bulk_create(
            AccessLogEntry(
                subject_id=subject_id,
                actor_kind=str(actor.kind),
                actor_ref=actor.ref,
                actor_label=actor.label,
                fields=labels,
                purpose=purpose,
                context={**actor.context, **(context or {})},
                at=now,
            )
            for subject_id in subjects
        )
    return rows


def personal_data_read(
    *,
    actor: Actor,
    subject: DataSubject,
    instance: models.Model,
    fields: Sequence[str],
    purpose: str,
    context: dict[str, Any] | None = None,
) -> dict[str, str]:
    """Return the plaintext of `fields` of one row of `subject`'s data, purpose-checked and logged."""
    if instance.subject_id != subject.pk:  # type: ignore[attr-defined]
        raise PurposeNotAllowed("That record does not belong to this data subject.", code="subject_mismatch")
    return personal_data_read_many(actor=actor, instances=[instance], fields=fields, purpose=purpose, context=context)[0]


def own_data_reveal(*, instance: models.Model, fields: Sequence[str], subject: DataSubject) -> dict[str, str]:
    """Return the plaintext of `fields` of the subject's own row: for the subject's own pages and export only."""
    if instance.subject_id != subject.pk:  # type: ignore[attr-defined]
        raise PurposeNotAllowed("That record does not belong to you.", code="subject_mismatch", status=404)
    return {name: _plain(getattr(instance, name)) for name in fields}
