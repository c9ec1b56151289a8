"""Reads for the privacy pages: policy versions and their history, and what AllBuy holds about one customer."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Page, Paginator
from django.db import models
from django.utils.safestring import SafeString

from allbuy.core import clock
from allbuy.core.errors import NotFound
from allbuy.privacy.datamap import DATA_MAP, PersonalField, declaration_for
from allbuy.privacy.models import AccessLogEntry, DataSubject, PolicyVersion
from allbuy.privacy.policy import category_group, policy_current, purpose_text, recipient_text, retention_text
from allbuy.privacy.policy_text import DiffLine, policy_diff, policy_markdown_html
from allbuy.privacy.services import own_data_reveal

ACCESS_LOG_PAGE_SIZE = 20

# ---------------------------------------------------------------------------------------------------------------
# Policy versions


@dataclass(frozen=True)
class PolicyDocument:
    version: PolicyVersion
    body_html: SafeString
    is_current: bool
    superseded_at: datetime | None = None


@dataclass(frozen=True)
class HistoryEntry:
    version: PolicyVersion
    previous: PolicyVersion | None
    diff: tuple[DiffLine, ...]
    is_current: bool

    @property
    def changed(self) -> bool:
        return any(line.kind in ("insert", "delete") for line in self.diff)


def policy_document_current() -> PolicyDocument | None:
    """Return the version in effect, rendered; None before any version is published."""
    current = policy_current()
    version = PolicyVersion.objects.filter(pk=current.id).first() if current else None
    if version is None:
        return None
    return PolicyDocument(version=version, body_html=policy_markdown_html(version.body), is_current=True)


def policy_versions_published() -> list[PolicyVersion]:
    """Return every version that has taken effect, newest first. Scheduled versions stay private until their time."""
    return list(PolicyVersion.objects.filter(published_at__lte=clock.now()).order_by("-published_at", "-id"))


def policy_document_get(*, version: str) -> PolicyDocument:
    """Return a version that has taken effect, with when it was superseded; NotFound for unknown or scheduled ones."""
    versions = policy_versions_published()
    for index, candidate in enumerate(versions):
        if candidate.version == version:
            newer = versions[index - 1] if index else None
            return PolicyDocument(
                version=candidate,
                body_html=policy_markdown_html(candidate.body),
                is_current=index == 0,
                superseded_at=newer.published_at if newer else None,
            )
    raise NotFound("There is no published version of the privacy policy with that number.")


def policy_history() -> list[HistoryEntry]:
    """Return the published versions, newest first, each with its changes from the version before it."""
    versions = policy_versions_published()
    entries: list[HistoryEntry] = []
    for index, version in enumerate(versions):
        previous = versions[index + 1] if index + 1 < len(versions) else None
        diff = tuple(policy_diff(previous.body, version.body)) if previous else ()
        entries.append(HistoryEntry(version=version, previous=previous, diff=diff, is_current=index == 0))
    return entries


# ---------------------------------------------------------------------------------------------------------------
# Which rows of a model hold a subject's data


def _has_field(model: type[models.Model], name: str) -> bool:
    try:
        model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True


def subject_rows(model: type[models.Model], *, subject_id: Any) -> models.QuerySet[Any] | None:
    """Return the rows of `model` that belong to a data subject, or None when its rows cannot be told apart by person.

    A row belongs to a subject through its own `subject`, or through its `user`'s subject.
    """
    manager = model._default_manager
    if _has_field(model, "subject"):
        return manager.filter(subject_id=subject_id).order_by("pk")
    if _has_field(model, "user"):
        return manager.filter(user__subject_id=subject_id).order_by("pk")
    return None


def data_map_models(*, exported_only: bool = False) -> list[tuple[str, tuple[PersonalField, ...]]]:
    """Return each model label of the data map (in declaration order) with its declarations."""
    grouped: dict[str, list[PersonalField]] = {}
    for decl in DATA_MAP:
        if exported_only and not decl.exported:
            continue
        grouped.setdefault(decl.model_label, []).append(decl)
    return [(label, tuple(decls)) for label, decls in grouped.items()]


# ---------------------------------------------------------------------------------------------------------------
# "My privacy": what we hold about the signed-in customer

KIND_HEADINGS: dict[str, str] = {
    "accounts.User": "Your account",
    "accounts.Address": "Your address book",
    "account.EmailAddress": "Sign-in email records",
    "socialaccount.SocialAccount": "Linked sign-in accounts",
    "sessions.Session": "Signed-in sessions",
    "tracking.Event": "Your activity in the shop (with your consent)",
    "tracking.VisitorLink": "Browsers linked to your account",
    "tracking.ConsentRecord": "Your cookie choices",
}
# Kinds the page shows in a section of their own (rules stay here; records are listed there, read once).
SECTION_ELSEWHERE: dict[str, str] = {
    "tracking.Event": "cookies-tracking",
    "tracking.VisitorLink": "cookies-tracking",
    "tracking.ConsentRecord": "cookies-tracking",
}


@dataclass(frozen=True)
class HeldField:
    """One declared piece of personal data: what it is, its value (None when it is not stored readably), and its rules."""

    decl: PersonalField
    value: str | None

    @property
    def group(self) -> str:
        return category_group(self.decl.category)

    @property
    def purposes(self) -> list[str]:
        return [purpose_text(p) for p in self.decl.purposes]

    @property
    def recipients(self) -> list[str]:
        return [recipient_text(r) for r in self.decl.recipients]

    @property
    def retention(self) -> str:
        return retention_text(self.decl.retention)


@dataclass(frozen=True)
class HeldRecord:
    title: str
    fields: tuple[HeldField, ...]

    @property
    def readable(self) -> tuple[HeldField, ...]:
        return tuple(field for field in self.fields if field.value is not None)

    @property
    def groups(self) -> list[tuple[str, list[HeldField]]]:
        """Return the readable fields by data category, in the order the categories first appear."""
        grouped: dict[str, list[HeldField]] = {}
        for field in self.readable:
            grouped.setdefault(field.group, []).append(field)
        return list(grouped.items())


@dataclass(frozen=True)
class HeldRule:
    """Fields that share the same rules, described together: why, who may receive them, how long, how protected."""

    fields: tuple[HeldField, ...]

    @property
    def first(self) -> HeldField:
        return self.fields[0]


@dataclass(frozen=True)
class HeldKind:
    label: str
    heading: str
    rules: tuple[HeldRule, ...]
    records: tuple[HeldRecord, ...] | None  # None: rows of this kind cannot be listed per person
    elsewhere: str = ""  # the anchor of the page's own section for this kind, which lists its records instead

    @property
    def has_values(self) -> bool:
        return any(field.decl.encrypted for rule in self.rules for field in rule.fields)


def _rules(decls: tuple[PersonalField, ...]) -> tuple[HeldRule, ...]:
    grouped: dict[tuple[Any, ...], list[HeldField]] = {}
    for decl in decls:
        key = (decl.purposes, decl.recipients, decl.retention, decl.protection)
        grouped.setdefault(key, []).append(HeldField(decl=decl, value=None))
    return tuple(HeldRule(fields=tuple(fields)) for fields in grouped.values())


@dataclass(frozen=True)
class LinkedAccount:
    provider: str
    linked_at: datetime | None


@dataclass(frozen=True)
class MyPrivacy:
    kinds: tuple[HeldKind, ...]
    linked_accounts: tuple[LinkedAccount, ...]


def _readable(decl: PersonalField) -> bool:
    # Encrypted values are the customer's own to read. Hashes and pseudonyms are never shown: they mean
    # nothing to a person, and the sign-in pseudonym must not leak.
    return decl.encrypted and decl.model_label != "sessions.Session"


def _record_title(label: str, row: Any, number: int) -> str:
    if label == "accounts.Address":
        return f"Address {number}" + (" (default)" if getattr(row, "is_default", False) else "")
    if label == "socialaccount.SocialAccount":
        return f"{str(getattr(row, 'provider', '')).title()} account"
    if label == "account.EmailAddress":
        return "Sign-in email" + (" (verified)" if getattr(row, "verified", False) else "")
    return "Your details" if number == 1 else f"Record {number}"


def _held_records(
    label: str, decls: tuple[PersonalField, ...], rows: Iterable[Any], subject: DataSubject
) -> tuple[HeldRecord, ...]:
    readable = [decl.name for decl in decls if _readable(decl)]
    records = []
    for number, row in enumerate(rows, start=1):
        values = own_data_reveal(instance=row, fields=readable, subject=subject) if readable else {}
        fields = tuple(HeldField(decl=decl, value=values.get(decl.name)) for decl in decls)
        records.append(HeldRecord(title=_record_title(label, row, number), fields=fields))
    return tuple(records)


def _by_category(decls: tuple[PersonalField, ...]) -> tuple[PersonalField, ...]:
    order: dict[str, int] = {}
    for decl in decls:
        order.setdefault(category_group(decl.category), len(order))
    return tuple(sorted(decls, key=lambda decl: order[category_group(decl.category)]))


def my_privacy_overview(*, user: Any) -> MyPrivacy:
    """Return every piece of personal data the data map declares, with this customer's own values decrypted.

    Costs one query per kind of record in the data map, however many records the customer has.
    """
    subject = user.subject
    user_model = get_user_model()
    kinds: list[HeldKind] = []
    linked: list[LinkedAccount] = []
    for label, declared in data_map_models():
        decls = _by_category(declared)
        model = apps.get_model(label)
        rows: list[Any] | None
        if label in SECTION_ELSEWHERE:
            rows = None
        elif model is user_model:
            rows = [user]
        else:
            queryset = subject_rows(model, subject_id=subject.pk)
            rows = list(queryset) if queryset is not None else None
        if label == "socialaccount.SocialAccount" and rows:
            linked = [LinkedAccount(str(row.provider).title(), getattr(row, "date_joined", None)) for row in rows]
        records = _held_records(label, decls, rows, subject) if rows is not None else None
        rules = _rules(decls)
        heading = KIND_HEADINGS.get(label) or str(model._meta.verbose_name_plural).capitalize()
        kinds.append(
            HeldKind(label=label, heading=heading, rules=rules, records=records, elsewhere=SECTION_ELSEWHERE.get(label, ""))
        )
    return MyPrivacy(kinds=tuple(kinds), linked_accounts=tuple(linked))


# ---------------------------------------------------------------------------------------------------------------
# The access log, as the customer sees it


@dataclass(frozen=True)
class AccessLogRow:
    at: datetime
    actor: str
    fields: tuple[str, ...]
    purpose: str
    context: tuple[tuple[str, str], ...]


def _field_text(label: str) -> str:
    decl = declaration_for(label)
    return decl.description if decl else label


def access_log_row(entry: AccessLogEntry) -> AccessLogRow:
    fields = tuple(dict.fromkeys(_field_text(str(label)) for label in (entry.fields or [])))
    context = tuple((str(key).replace("_", " "), str(value)) for key, value in sorted((entry.context or {}).items()))
    return AccessLogRow(at=entry.at, actor=entry.actor_label, fields=fields, purpose=purpose_text(entry.purpose), context=context)


def access_log_page(*, subject_id: Any, page: str | int | None) -> tuple[Page[AccessLogEntry], list[AccessLogRow]]:
    """Return one page of the reads of this subject's data by others, newest first (two queries)."""
    paginator = Paginator(AccessLogEntry.objects.filter(subject_id=subject_id).order_by("-at", "-id"), ACCESS_LOG_PAGE_SIZE)
    current = paginator.get_page(page)
    return current, [access_log_row(entry) for entry in current.object_list]
