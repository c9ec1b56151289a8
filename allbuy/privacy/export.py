"""Everything AllBuy holds about one data subject, in plaintext, as one JSON-ready dict ("download my data")."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured

from allbuy.core import clock
from allbuy.privacy.models import AccessLogEntry, DataSubject, PolicyAcknowledgement
from allbuy.privacy.selectors import access_log_row, data_map_models
from allbuy.privacy.services import own_data_reveal

EXPORT_FORMAT = "allbuy.subject-export/1"


def _exported_rows(*, subject: DataSubject) -> tuple[dict[str, list[dict[str, str]]], dict[str, str]]:
    data: dict[str, list[dict[str, str]]] = {}
    descriptions: dict[str, str] = {}
    for label, decls in data_map_models(exported_only=True):
        model = apps.get_model(label)
        if not any(field.name == "subject" for field in model._meta.concrete_fields):
            # Every exported value must be findable by its subject, or the export would silently miss it.
            raise ImproperlyConfigured(f"{label} has exported personal data but no `subject` to find a person's rows by")
        names = [decl.name for decl in decls]
        rows = model._default_manager.filter(subject_id=subject.pk).order_by("pk")
        data[label] = [own_data_reveal(instance=row, fields=names, subject=subject) for row in rows]
        descriptions.update({decl.field: decl.description for decl in decls})
    return data, descriptions


def _access_log(*, subject: DataSubject) -> list[dict[str, Any]]:
    entries = AccessLogEntry.objects.filter(subject_id=subject.pk).order_by("at", "id")
    log = []
    for entry in entries:
        # actor_ref (which staff account or job) stays out: the customer sees who, by role, as on the page.
        row = access_log_row(entry)
        log.append(
            {
                "at": entry.at.isoformat(),
                "actor_kind": entry.actor_kind,
                "actor": entry.actor_label,
                "fields": list(entry.fields or []),
                "field_descriptions": list(row.fields),
                "purpose": entry.purpose,
                "purpose_description": row.purpose,
                "context": entry.context or {},
            }
        )
    return log


def _acknowledgements(*, subject: DataSubject) -> list[dict[str, str]]:
    acknowledgements = (
        PolicyAcknowledgement.objects.filter(user__subject_id=subject.pk).select_related("version").order_by("at", "id")
    )
    return [{"version": ack.version.version, "at": ack.at.isoformat()} for ack in acknowledgements]


def subject_data_export(*, subject: DataSubject) -> dict[str, Any]:
    """Return every exported personal value of `subject` (decrypted), the reads of it by others, and policy records.

    Driven by the data map: each declared model with exported fields contributes the subject's rows, with
    exactly the declared fields. The export is the subject's own data, so reading it is not an access by
    someone else and writes no access-log entry.
    """
    data, descriptions = _exported_rows(subject=subject)
    return {
        "format": EXPORT_FORMAT,
        "subject": str(subject.pk),
        "exported_at": clock.now().isoformat(),
        "data": data,
        "field_descriptions": descriptions,
        "access_log": _access_log(subject=subject),
        "policy_acknowledgements": _acknowledgements(subject=subject),
    }
