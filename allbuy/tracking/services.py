"""Writes of the tracking app: consent decisions, behaviour events, anonymous page-view counters, retention."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.http import HttpRequest
from django.urls import Resolver404, get_urlconf, resolve

from allbuy.catalog.models import Variant
from allbuy.catalog.selectors import product_ids_existing
from allbuy.core import clock
from allbuy.privacy.crypto import encrypt_value
from allbuy.tracking.consent import Choice, request_visitor
from allbuy.tracking.devices import device_class
from allbuy.tracking.ingest import EventRow, path_clean
from allbuy.tracking.models import ConsentRecord, Event, PageViewCount, VisitorLink
from allbuy.tracking.partitions import event_partition_ensure, event_partitions_drop_before, partitioned, partitions_forget

QUERY_FIELD = "tracking.Event.query"
QUERY_SCOPE = "system.tracking"
COLUMNS = (
    "day", "occurred_at", "visitor", "kind", "product_id", "path", "query", "step",
    "device", "screen", "ttfb_ms", "dom_ready_ms", "load_ms",
)  # fmt: skip


# ---------------------------------------------------------------------------------------------------------------
# Consent


def consent_record(*, user: Any, choice: Choice, source: str) -> ConsentRecord:
    """Keep a signed-in customer's decision in their consent history."""
    return ConsentRecord.objects.create(
        user=user,
        analytics=choice.analytics,
        personalisation=choice.personalisation,
        marketing=choice.marketing,
        gpc=choice.gpc,
        policy_version=choice.policy_version,
        source=source,
        decided_at=choice.decided_at,
    )


def consent_latest(*, user: Any) -> Choice | None:
    """Return the decision in effect for an account, or None when it never decided."""
    row = ConsentRecord.objects.filter(user=user).order_by("-decided_at", "-id").first()
    if row is None:
        return None
    return Choice(row.analytics, row.personalisation, row.marketing, row.gpc, row.policy_version, row.decided_at)


@transaction.atomic
def visitor_link(*, visitor: str, user: Any) -> None:
    """Link a consenting visitor's pseudonym to the account that signed in with it (once; a later account takes it)."""
    VisitorLink.objects.update_or_create(visitor=visitor, defaults={"user": user, "linked_at": clock.now()})


@transaction.atomic
def visitor_forget(*, visitor: str | None, user: Any | None) -> int:
    """Consent withdrawn: delete the link(s) and every event of the visitor (and of the account's other browsers).

    Return how many events were deleted.
    """
    visitors = {visitor} if visitor else set()
    if user is not None and getattr(user, "pk", None):
        links = VisitorLink.objects.filter(user=user)
        visitors.update(links.values_list("visitor", flat=True))
        links.delete()
    if not visitors:
        return 0
    VisitorLink.objects.filter(visitor__in=visitors).delete()
    deleted, _ = Event.objects.filter(visitor__in=visitors).delete()
    return deleted


# ---------------------------------------------------------------------------------------------------------------
# Events


def _encrypted_query(text: str) -> str:
    return encrypt_value(text, subject_id=None, scope=QUERY_SCOPE, field=QUERY_FIELD) if text else ""


def _row_values(row: EventRow, *, visitor: str, device: int) -> tuple[Any, ...]:
    return (
        row.day, row.occurred_at, visitor, row.kind, row.product_id, row.path, _encrypted_query(row.query), row.step,
        device, row.screen, row.ttfb_ms, row.dom_ready_ms, row.load_ms,
    )  # fmt: skip


def _copy(values: Sequence[tuple[Any, ...]]) -> None:
    # COPY is several times faster than INSERT for a batch (shared/perf-notes.md): one round trip, no SQL parsing.
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        with raw.copy(f"COPY tracking_event ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for value in values:
                copy.write_row(value)


def _insert_many(values: Sequence[tuple[Any, ...]]) -> None:
    placeholders = ", ".join(["%s"] * len(COLUMNS))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO tracking_event ({', '.join(COLUMNS)}) VALUES ({placeholders})",  # noqa: S608 - fixed column names
            values,
        )


@contextmanager
def events_transaction() -> Iterator[None]:
    """A transaction writing events and page-view counters only; on PostgreSQL its commit does not wait for the disk.

    A sync web worker waits for the WAL flush of every batch it commits: 0.2 ms on the bench machine's quiet disk,
    3 ms while other work wrote to it. Not waiting took the events bench from 20,100 to 22,800 events/s at 8
    connections (bench/README.md). The trade: if PostgreSQL itself crashes, the batches of its last fraction of a
    second can be lost (never corrupted; and never once a later synchronous commit, such as the delete of a consent
    withdrawal, has flushed the log up to it). Inside an outer transaction (a checkout recording its purchase
    events) the outer transaction's commit stays synchronous.
    """
    asynchronous = connection.vendor == "postgresql" and not connection.in_atomic_block
    with transaction.atomic():
        if asynchronous:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        yield


def events_store(
    rows: Sequence[EventRow],
    *,
    visitor: str | None,
    device: int,
    page_paths: Iterable[str] = (),
    now: datetime | None = None,
) -> int:
    """Write valid events of one visitor (none when `visitor` is None) and count `page_paths`, in one transaction.

    Return how many events were written. One commit per batch, not one per table: the events endpoint is the
    busiest writer of the shop, and a commit is the costliest statement of a batch.
    """
    values = [_row_values(row, visitor=visitor, device=device) for row in rows] if visitor else []
    counts = Counter(page_paths)
    if not values and not counts:
        return 0
    days = {row.day for row in rows} if values and partitioned() else set()
    for day in days:
        event_partition_ensure(day)

    def write() -> None:
        with events_transaction():
            if values and partitioned():
                _copy(values)
            elif values:
                _insert_many(values)
            if counts:  # last: the shared counter rows stay locked only until the commit just after
                _page_views_add(counts, day=(now or clock.now()).date())

    try:
        write()
    except IntegrityError:
        if not days:
            raise
        # "no partition of relation found for row": dropped behind this process's back (a restore, a manual purge).
        partitions_forget()
        for day in days:
            event_partition_ensure(day)
        write()
    return len(values)


def event_record(*, visitor: str | None, kind: int, product_ids: Iterable[int | None], path: str, device: int) -> int:
    """Record events the server itself sees (cart changes, purchases) for a consenting visitor; None: nothing."""
    if visitor is None:
        return 0
    now = clock.now()
    rows = [
        EventRow(now.date(), now, kind, product_id, path_clean(path) or "/", "", "", 0, None, None, None)
        for product_id in product_ids
    ]
    try:
        return events_store(rows, visitor=visitor, device=device)
    except DatabaseError:
        # Analytics must never break a purchase or a cart change.
        return 0


# ---------------------------------------------------------------------------------------------------------------
# Anonymous counters


def path_countable(path: str) -> bool:
    """Only paths of the site's own pages are counted, so a flood of made-up paths cannot grow the table."""
    return _path_countable(path, get_urlconf() or settings.ROOT_URLCONF)


@lru_cache(maxsize=4096)  # a dozen page views per batch: resolving them cost a batch as much CPU as its COPY
def _path_countable(path: str, urlconf: str) -> bool:
    try:
        match = resolve(path, urlconf)
    except Resolver404:
        return False
    return not (match.route or "").startswith(("admin/", "api/", "events/"))


def _page_views_add(counts: Counter[str], *, day: date) -> None:
    # One statement for every path, in path order: concurrent batches lock the counter rows in the same order.
    table = PageViewCount._meta.db_table
    ordered = sorted(counts.items())
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (day, path, views) VALUES {', '.join(['(%s, %s, %s)'] * len(ordered))} "  # noqa: S608
            f"ON CONFLICT (day, path) DO UPDATE SET views = {table}.views + excluded.views",
            [value for path, count in ordered for value in (day, path, count)],
        )


# ---------------------------------------------------------------------------------------------------------------
# Products named by events

_products_seen: set[int] = set()
_PRODUCTS_SEEN_MAX = 100_000


def products_existing(ids: set[int]) -> frozenset[int]:
    """Return which of `ids` are products of the catalog, asking the database only about ids not yet seen to exist.

    Batches name the same few hundred products all day, and the query cost a batch half the CPU of writing it. Only
    a yes is remembered, in this process: an event may name a product that existed (events keep its id, not a
    foreign key, and outlive it), so a product deleted since costs nothing but that.
    """
    unseen = ids - _products_seen
    if not unseen:
        return frozenset(ids)
    found = product_ids_existing(ids=unseen)
    if len(_products_seen) + len(found) > _PRODUCTS_SEEN_MAX:
        _products_seen.clear()
    _products_seen.update(found)
    return frozenset(ids - unseen) | found


def products_existing_forget() -> None:
    """Forget which products were seen to exist (each test's database starts from the same ids again)."""
    _products_seen.clear()


# ---------------------------------------------------------------------------------------------------------------
# Flood control


@dataclass
class _Window:
    minute: int
    used: int


_windows: dict[str, _Window] = {}
_windows_lock = threading.Lock()
_WINDOWS_MAX = 100_000


def events_allowance(*, visitor: str, wanted: int, now: datetime) -> int:
    """Return how many of `wanted` events this visitor may still send this minute, and count them as used.

    Counted in this web worker's memory: a flood is cut at the limit per worker, with no query and no cache round
    trip on the ingestion path (written by hand: it is twenty lines, and a shared counter would cost more than
    the insert it guards).
    """
    limit = settings.ALLBUY_EVENTS_PER_VISITOR_PER_MINUTE
    minute = int(now.timestamp()) // 60
    with _windows_lock:
        window = _windows.get(visitor)
        if window is None or window.minute != minute:
            if len(_windows) >= _WINDOWS_MAX:
                _windows.clear()
            window = _windows[visitor] = _Window(minute, 0)
        granted = max(0, min(wanted, limit - window.used))
        window.used += granted
    return granted


def events_allowance_reset() -> None:
    with _windows_lock:
        _windows.clear()


# ---------------------------------------------------------------------------------------------------------------
# Retention


@dataclass(frozen=True)
class PurgeReport:
    cutoff: str
    partitions_dropped: int
    events_deleted: int
    links_deleted: int


def events_purge(*, now: datetime | None = None, days: int | None = None) -> PurgeReport:
    """Delete raw events older than the retention period (PostgreSQL: drop their day partitions), and stale links."""
    now = now or clock.now()
    keep_days = settings.ALLBUY_EVENT_RETENTION_DAYS if days is None else days
    cutoff = (now - timedelta(days=keep_days)).date()
    dropped = deleted = 0
    if partitioned():
        dropped = event_partitions_drop_before(cutoff)
        # Anything older left in a partition of a younger day cannot exist: the day is the receipt day.
    else:
        deleted, _ = Event.objects.filter(day__lt=cutoff).delete()
    # A link older than the visitor cookie's lifetime links an id no browser holds any more.
    links_deleted, _ = VisitorLink.objects.filter(linked_at__lt=now - timedelta(days=settings.ALLBUY_VISITOR_ID_DAYS)).delete()
    for ahead in (0, 1, 2):
        event_partition_ensure(now.date() + timedelta(days=ahead))
    return PurgeReport(cutoff.isoformat(), dropped, deleted, links_deleted)


def request_events_record(request: HttpRequest, *, kind: int, variant_ids: Callable[[], Iterable[int]]) -> int:
    """Record cart changes and purchases the server sees, for a visitor whose consent allows it (else no query).

    `variant_ids` is called only then; the products are looked up in one query.
    """
    visitor = request_visitor(request)
    if visitor is None:
        return 0
    product_ids = Variant.objects.filter(pk__in=list(variant_ids())).values_list("product_id", flat=True)
    return event_record(
        visitor=visitor,
        kind=kind,
        product_ids=sorted(set(product_ids)),
        path=request.path,
        device=device_class(request.headers.get("User-Agent", "")),
    )
