"""The one way to read personal data: purpose-checked against the data map, and logged when not the subject's own."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction

from allbuy.core import clock
from allbuy.privacy.datamap import Recipient, declaration_for
from allbuy.privacy.exceptions import PurposeNotAllowed
from allbuy.privacy.fields import Sealed
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
    if isinstance(value, Sealed):
        return value.reveal()
    return "" if value is None else str(value)


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
    *, actor: Actor, instances: Sequence[models.Model], fields: Sequence[str], purpose: str, context: dict[str, Any] | None = None
) -> list[dict[str, str]]:
    """Return the plaintext of `fields` for each instance, after checking the data map; log one entry per subject.

    Every field must be declared for `actor.kind` and `purpose`, or PurposeNotAllowed is raised before
    anything is decrypted. Instances must carry a `subject_id`.
    """
    if not instances:
        return []
    model = type(instances[0])
    labels = [f"{model._meta.label}.{name}" for name in fields]
    for label in labels:
        _check(actor=actor, label=label, purpose=purpose)
    rows = [{name: _plain(getattr(instance, name)) for name in fields} for instance in instances]
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
