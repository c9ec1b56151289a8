"""The living privacy policy: which version is in effect, who has seen it, and the tables the data map generates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from django.conf import settings
from django.core.cache import cache as django_cache
from django.db import transaction

from allbuy.core import clock
from allbuy.privacy.checks import FORBIDDEN_PURPOSE
from allbuy.privacy.datamap import (
    DATA_MAP,
    EGRESS,
    GRANT_RECIPIENTS,
    PURPOSE_TEXT,
    RECIPIENT_TEXT,
    RETENTION,
    Egress,
    LegalBasis,
    PersonalField,
    Purpose,
    Recipient,
)
from allbuy.privacy.models import PolicyAcknowledgement, PolicyVersion

# ---------------------------------------------------------------------------------------------------------------
# Which version is in effect

CURRENT_CACHE_KEY = "privacy:policy-current:v1"
CURRENT_CACHE_SECONDS = 60


@dataclass(frozen=True)
class CurrentPolicy:
    """The version in effect, small enough to cache."""

    id: int
    version: str
    published_at: datetime


def _current_load(now: datetime) -> tuple[CurrentPolicy | None, datetime | None]:
    current = (
        PolicyVersion.objects.filter(published_at__lte=now)
        .order_by("-published_at", "-id")
        .values_list("pk", "version", "published_at")
        .first()
    )
    upcoming = PolicyVersion.objects.filter(published_at__gt=now).order_by("published_at").values_list("published_at", flat=True)
    next_at = upcoming.first()
    if current is None:
        return None, next_at
    pk, version, published_at = current
    return CurrentPolicy(id=pk, version=version, published_at=published_at), next_at


def policy_current() -> CurrentPolicy | None:
    """Return the version in effect now (published_at ≤ now), from the cache when it is still valid.

    The cached entry is refreshed at once when a scheduled version's time comes, and cleared whenever a
    version is saved or deleted; so the common case costs no query.
    """
    now = clock.now()
    entry: dict[str, Any] | None = django_cache.get(CURRENT_CACHE_KEY)
    if entry is not None:
        current: CurrentPolicy | None = entry["current"]
        next_at: datetime | None = entry["next_at"]
        still_valid = (next_at is None or now < next_at) and (current is None or current.published_at <= now)
        if still_valid:
            return current
    current, next_at = _current_load(now)
    django_cache.set(CURRENT_CACHE_KEY, {"current": current, "next_at": next_at}, CURRENT_CACHE_SECONDS)
    return current


def policy_cache_clear(**_: Any) -> None:
    """Forget the cached current version (connected to PolicyVersion's post_save and post_delete).

    Again after commit: a request running meanwhile may have cached what the database held before it.
    """
    django_cache.delete(CURRENT_CACHE_KEY)
    transaction.on_commit(lambda: django_cache.delete(CURRENT_CACHE_KEY))


def policy_version_in_effect(version: PolicyVersion, *, now: datetime | None = None) -> bool:
    return version.published_at <= (now or clock.now())


# ---------------------------------------------------------------------------------------------------------------
# Acknowledgements and the "policy changed" banner


@dataclass(frozen=True)
class PolicyBanner:
    version: str
    version_id: int
    published_at: datetime


def policy_banner_for(user: Any) -> PolicyBanner | None:
    """Return the banner a signed-in customer should see, or None: at most one query once the cache is warm.

    A customer sees it when the version in effect was published after they joined and they have not
    dismissed it. Accounts opened after the version was published were opened under it: nothing changed for them.
    """
    if not getattr(user, "is_authenticated", False):
        return None
    current = policy_current()
    if current is None or user.date_joined >= current.published_at:
        return None
    if PolicyAcknowledgement.objects.filter(user_id=user.pk, version_id=current.id).exists():
        return None
    return PolicyBanner(version=current.version, version_id=current.id, published_at=current.published_at)


@transaction.atomic
def policy_acknowledge(*, user: Any, version_id: int | None = None) -> PolicyAcknowledgement | None:
    """Record that `user` has seen a version in effect (the current one unless `version_id` names another).

    Return None when there is nothing in effect to acknowledge. Acknowledging twice keeps the first record.
    """
    now = clock.now()
    versions = PolicyVersion.objects.filter(published_at__lte=now)
    if version_id is not None:
        version = versions.filter(pk=version_id).first()
    else:
        current = policy_current()
        version = versions.filter(pk=current.id).first() if current else None
    if version is None:
        return None
    acknowledgement, _created = PolicyAcknowledgement.objects.get_or_create(user=user, version=version, defaults={"at": now})
    return acknowledgement


# ---------------------------------------------------------------------------------------------------------------
# The tables of the public policy, generated from the data map

# Headings for fideslang-shaped categories, most specific prefix first. A category without one still
# appears, under its own code, so a new kind of data can never be left off the page.
CATEGORY_GROUPS: tuple[tuple[str, str], ...] = (
    ("user.contact.address", "Postal addresses"),
    ("user.contact", "Contact details"),
    ("user.name", "Names"),
    ("user.authorization", "Sign-in credentials"),
    ("user.unique_id", "Identifiers"),
    ("user.device", "Sessions and devices"),
    ("user.behavior", "Activity on the shop"),
    ("user.financial", "Payment details"),
)

LEGAL_BASIS_TEXT: dict[LegalBasis, str] = {
    LegalBasis.CONTRACT: "we need it to provide what you asked for: your account, your orders and their delivery",
    LegalBasis.LEGAL_OBLIGATION: "the law requires us to keep it, for example tax records of orders",
    LegalBasis.LEGITIMATE_INTEREST: "a legitimate interest that does not override your rights, such as preventing fraud",
    LegalBasis.CONSENT: "you agreed to it, and you can withdraw your agreement at any time",
}


def category_group(category: str) -> str:
    for prefix, heading in CATEGORY_GROUPS:
        if category == prefix or category.startswith(prefix + "."):
            return heading
    return category


def purpose_text(purpose: str) -> str:
    try:
        return PURPOSE_TEXT[Purpose(purpose)]
    except (ValueError, KeyError):
        return purpose


def recipient_text(recipient: str) -> str:
    try:
        return RECIPIENT_TEXT[Recipient(recipient)]
    except (ValueError, KeyError):
        return recipient


def retention_text(name: str) -> str:
    retention = RETENTION.get(name)
    return retention.description if retention else name


@dataclass(frozen=True)
class CollectedGroup:
    heading: str
    fields: tuple[PersonalField, ...]


@dataclass(frozen=True)
class UseRow:
    """One row of a "why / who / how long / how / on what basis" table: a label, its explanation, the data."""

    key: str
    label: str
    text: str
    fields: tuple[PersonalField, ...]
    note: str = ""


@dataclass(frozen=True)
class PolicyTables:
    collected: tuple[CollectedGroup, ...]
    purposes: tuple[UseRow, ...]
    recipients: tuple[UseRow, ...]
    retention: tuple[UseRow, ...]
    protection: tuple[UseRow, ...]
    legal_bases: tuple[UseRow, ...]
    sale_purposes: tuple[str, ...]
    egress: tuple[EgressRow, ...] = ()

    @property
    def sells_nothing(self) -> bool:
        return not self.sale_purposes

    @property
    def egress_recipients(self) -> frozenset[str]:
        return frozenset(row.recipient for row in self.egress)


@dataclass(frozen=True)
class EgressRow:
    """One row of "what we send to processors": what leaves AllBuy, to whom, why, and whether AllBuy keeps it."""

    recipient: str
    recipient_text: str
    purpose_text: str
    description: str
    stored_by_allbuy: bool
    category: str


def egress_rows_build(egress: tuple[Egress, ...]) -> tuple[EgressRow, ...]:
    return tuple(
        EgressRow(
            str(e.recipient), recipient_text(e.recipient), purpose_text(e.purpose), e.description, e.stored_by_allbuy, e.category
        )
        for e in egress
    )


def _grouped(keys: list[str], key_of: Any, data_map: tuple[PersonalField, ...]) -> dict[str, tuple[PersonalField, ...]]:
    grouped: dict[str, list[PersonalField]] = {key: [] for key in keys}
    for decl in data_map:
        for key in key_of(decl):
            grouped.setdefault(key, []).append(decl)
    return {key: tuple(fields) for key, fields in grouped.items()}


def policy_tables_build(data_map: tuple[PersonalField, ...], egress: tuple[Egress, ...] = EGRESS) -> PolicyTables:
    """Return the policy's tables for `data_map`: every declaration appears in each of them."""
    groups = _grouped([], lambda d: [category_group(d.category)], data_map)
    by_purpose = _grouped([str(p) for p in Purpose], lambda d: [str(p) for p in d.purposes], data_map)
    by_recipient = _grouped([str(r) for r in Recipient], lambda d: [str(r) for r in d.recipients], data_map)
    by_retention = _grouped(list(RETENTION), lambda d: [d.retention], data_map)
    by_protection = _grouped([], lambda d: [d.protection], data_map)
    by_basis = _grouped([str(b) for b in LegalBasis], lambda d: [str(d.legal_basis)], data_map)
    days = settings.ALLBUY_SHIPPING_GRANT_DAYS_AFTER_DELIVERY
    grant_note = (
        f"only through a shipping grant: for one shipment, from your payment until {days} days after its delivery, "
        "ended at once if you cancel; every read is shown on your My privacy page"
    )
    return PolicyTables(
        collected=tuple(CollectedGroup(heading, fields) for heading, fields in groups.items()),
        purposes=tuple(UseRow(key, key, purpose_text(key), fields) for key, fields in by_purpose.items()),
        recipients=tuple(
            UseRow(key, key, recipient_text(key), fields, note=grant_note if key in GRANT_RECIPIENTS else "")
            for key, fields in by_recipient.items()
        ),
        retention=tuple(UseRow(key, key, retention_text(key), fields) for key, fields in by_retention.items() if fields),
        protection=tuple(UseRow(key, key, key, fields) for key, fields in by_protection.items()),
        legal_bases=tuple(
            UseRow(key, key, LEGAL_BASIS_TEXT.get(LegalBasis(key), key), fields) for key, fields in by_basis.items() if fields
        ),
        sale_purposes=tuple(str(p) for p in Purpose if FORBIDDEN_PURPOSE.search(p.value) or FORBIDDEN_PURPOSE.search(p.name)),
        egress=egress_rows_build(egress),
    )


@cache
def policy_tables() -> PolicyTables:
    """Return the tables of the data map this code was built with (computed once per process)."""
    return policy_tables_build(DATA_MAP)
