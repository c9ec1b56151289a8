"""System checks that keep the data map and the schema in step (run by `manage.py check` and the tests)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core import checks
from django.core.exceptions import FieldDoesNotExist
from django.db import models

from allbuy.privacy.datamap import DATA_MAP, NOT_PERSONAL, RETENTION, PersonalField, Purpose, Recipient
from allbuy.privacy.fields import EncryptedRecordField, EncryptedTextField

# A field whose name matches this is presumed to hold personal data until declared or excused.
PERSONAL_NAME = re.compile(
    r"(^|_)(e?mail|phone|mobile|tel|name|surname|address|street|line1|line2|city|region|postcode|postal|zip"
    r"|ip|birth|dob|ssn|tax_id|vat_id|iban|card|pan|user_agent|uid|extra_data|token|secret|session_data"
    r"|session_key|password|recipient|username|get_data|post_data|attempt|geo|lat|lng|latitude|longitude|visitor|query"
    r"|search|cookie|device|fingerprint)($|_)"
)
TEXTUAL = (models.CharField, models.TextField, models.GenericIPAddressField, models.JSONField, models.BinaryField)
FORBIDDEN_PURPOSE = re.compile(r"sale|sell|sold|rent|monetis|monetiz|broker|third_party_sharing", re.IGNORECASE)
ENCRYPTED_BY_ENGINE = {"sessions.Session.session_data": ("SESSION_ENGINE", "allbuy.privacy.sessions")}
# Plain text columns that only one writer fills, always with a ciphertext (a test reads the column back to prove it).
ENCRYPTED_BY_WRITER = {"tracking.Event.query": "allbuy.tracking.services.events_store"}


def _label(field: models.Field[Any, Any]) -> str:
    return f"{field.model._meta.label}.{field.name}"


def _concrete_fields(model_list: Iterable[type[models.Model]]) -> Iterable[models.Field[Any, Any]]:
    for model in model_list:
        yield from model._meta.concrete_fields


def _record_holding(model: type[models.Model], member: str) -> EncryptedRecordField | None:
    for field in model._meta.concrete_fields:
        if isinstance(field, EncryptedRecordField) and member in field.members:
            return field
    return None


def holds_personal_data(field: models.Field[Any, Any]) -> bool:
    """Presume personal data: every encrypted field, and textual fields with a personal-sounding name."""
    if isinstance(field, EncryptedTextField | EncryptedRecordField):
        return True
    return isinstance(field, TEXTUAL) and bool(PERSONAL_NAME.search(field.name.lower()))


def _check_declaration(decl: PersonalField) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    bad_purposes = [p for p in decl.purposes if p not in set(Purpose)]
    if bad_purposes:
        errors.append(checks.Error(f"{decl.field} declares purposes the policy does not list: {bad_purposes}", id="privacy.E003"))
    bad_recipients = [r for r in decl.recipients if r not in set(Recipient)]
    if bad_recipients:
        errors.append(checks.Error(f"{decl.field} declares unknown recipients: {bad_recipients}", id="privacy.E005"))
    if decl.retention not in RETENTION:
        errors.append(checks.Error(f"{decl.field} declares unknown retention class {decl.retention!r}", id="privacy.E006"))
    try:
        model = apps.get_model(decl.model_label)
    except (LookupError, ValueError):
        errors.append(checks.Error(f"the data map declares {decl.field}, which does not exist", id="privacy.E001"))
        return errors
    if _record_holding(model, decl.name) is not None:
        return errors  # a member of an encrypted record: encrypted by construction
    try:
        field = model._meta.get_field(decl.name)
    except FieldDoesNotExist:
        errors.append(checks.Error(f"the data map declares {decl.field}, which does not exist", id="privacy.E001"))
        return errors
    if decl.encrypted:
        engine = ENCRYPTED_BY_ENGINE.get(decl.field)
        if engine:
            if getattr(settings, engine[0], None) != engine[1]:
                errors.append(
                    checks.Error(f"{decl.field} is declared encrypted but {engine[0]} is not {engine[1]}", id="privacy.E007")
                )
        elif decl.field not in ENCRYPTED_BY_WRITER and not isinstance(field, EncryptedTextField):
            errors.append(
                checks.Error(
                    f"{decl.field} is declared encrypted but is stored in plaintext",
                    hint="Use EncryptedTextField.",
                    id="privacy.E004",
                )
            )
    return errors


def data_map_errors(
    *,
    declarations: Iterable[PersonalField] = DATA_MAP,
    model_list: Iterable[type[models.Model]] | None = None,
    purposes: Iterable[Purpose] = Purpose,
) -> list[checks.CheckMessage]:
    """Return every disagreement between the data map, the policy's purposes and the models."""
    errors: list[checks.CheckMessage] = []
    for purpose in purposes:
        if FORBIDDEN_PURPOSE.search(purpose.value) or FORBIDDEN_PURPOSE.search(purpose.name):
            errors.append(checks.Error(f"purpose {purpose.value!r}: AllBuy does not sell personal data", id="privacy.E010"))
    declared: set[str] = set()
    for decl in declarations:
        if decl.field in declared:
            errors.append(checks.Error(f"{decl.field} is declared twice in the data map", id="privacy.E008"))
        declared.add(decl.field)
        errors.extend(_check_declaration(decl))
    for field in _concrete_fields(apps.get_models(include_auto_created=True) if model_list is None else model_list):
        label = _label(field)
        if isinstance(field, EncryptedRecordField):
            # The record is declared through its members, each of which must be declared.
            undeclared = [m for m in field.members if f"{field.model._meta.label}.{m}" not in declared]
            errors.extend(
                checks.Error(f"{field.model._meta.label}.{m} (in {label}) is not declared in the data map", id="privacy.E002")
                for m in undeclared
            )
            continue
        if label in declared or label in NOT_PERSONAL or not holds_personal_data(field):
            continue
        errors.append(
            checks.Error(
                f"{label} looks like personal data but is not declared in the data map",
                hint="Declare it in allbuy/privacy/datamap.py (DATA_MAP), or excuse it with a reason in NOT_PERSONAL.",
                id="privacy.E002",
            )
        )
    for label in NOT_PERSONAL:
        if label in declared:
            errors.append(checks.Error(f"{label} is both declared personal and excused as not personal", id="privacy.E009"))
    return errors


@checks.register("privacy")
def data_map_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    return data_map_errors()
