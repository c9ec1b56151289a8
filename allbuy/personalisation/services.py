"""Rebuild "customers also viewed", "bought together" and popularity from behaviour events.

A full rebuild reads every event within retention and replaces the counts; an incremental one reads the events
added since the last rebuild, with the earlier events of the sessions they continue, and adds what they change
(`allbuy.personalisation.similarity.counts_delta`), so both end with the same rows. Everything is computed before
the write transaction opens, so the write lock is held only for the writes.

Event ids are the order of insertion. On PostgreSQL an event whose transaction commits after a later id was read
would be missed by the incremental rebuild; tracking inserts in short transactions, and the daily full rebuild
counts it anyway. Likewise a product put back on sale regains its own list, and its place in the others', at the
next full rebuild (a product taken off sale leaves every list at the next rebuild of either kind).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Q

from allbuy.catalog.models import Product
from allbuy.catalog.services import catalog_revision_bump
from allbuy.core import clock
from allbuy.core.errors import ApplicationError
from allbuy.personalisation import similarity
from allbuy.personalisation.models import ItemCount, Neighbour, PairCount, Popularity, RebuildState
from allbuy.personalisation.similarity import Counts, IdEventTuple, Pair
from allbuy.tracking.models import Event

CHUNK = 20_000  # rows fetched at a time from the events cursor
BATCH = 2_000  # rows per bulk insert
IN_BATCH = 500  # values per IN (...) list
INCREMENTAL_DAY_MARGIN = 1  # an event inserted after the last rebuild was received at most a day before it
CLOCK_SKEW = timedelta(days=1)  # occurred_at is the browser's clock: bound `day` loosely
RELEVANT_KINDS = ", ".join(str(kind) for kind in similarity.RELEVANT_KINDS)

K = TypeVar("K", int, Pair)
NeighbourLists = dict[int, dict[int, list[tuple[int, float]]]]  # kind -> product -> [(neighbour, score), ...]


class RebuildConflict(ApplicationError):
    code = "recommendations_rebuild_conflict"
    status = 409


@dataclass(frozen=True)
class RebuildReport:
    full: bool
    events_read: int
    sessions: int  # sessions counted (incremental: the sessions the new events are in, with their earlier events)
    pairs: int  # pairs stored (incremental: pairs whose count changed)
    products_with_neighbours: int
    seconds: float
    changed: bool  # a neighbour list changed (cached product pages were invalidated)

    def line(self) -> str:
        return (
            f"{'full' if self.full else 'incremental'} rebuild: {self.events_read} events read, {self.sessions} sessions, "
            f"{self.pairs} pairs, {self.products_with_neighbours} products with neighbours, {self.seconds:.2f} s, "
            f"{'neighbours changed' if self.changed else 'no neighbour changed'}"
        )


def recommendations_rebuild(*, full: bool, now: datetime | None = None) -> RebuildReport:
    """Rebuild similarity and popularity from the events (all of them within retention, or only the new ones)."""
    started = time.perf_counter()
    moment = now or clock.now()
    state, _ = RebuildState.objects.get_or_create(pk=1)
    cutoff = moment - timedelta(days=settings.ALLBUY_EVENT_RETENTION_DAYS)
    rebuild = _full if full else _incremental
    events_read, sessions, pairs, changed = rebuild(state=state, moment=moment, cutoff=cutoff)
    with_neighbours = Neighbour.objects.values("product_id").distinct().count()
    return RebuildReport(
        full=full,
        events_read=events_read,
        sessions=sessions,
        pairs=pairs,
        products_with_neighbours=with_neighbours,
        seconds=round(time.perf_counter() - started, 3),
        changed=changed,
    )


# ---------------------------------------------------------------------------------------------
# Full and incremental
# ---------------------------------------------------------------------------------------------


def _full(*, state: RebuildState, moment: datetime, cutoff: datetime) -> tuple[int, int, int, bool]:
    max_id = _max_event_id(since_day=_received_since(cutoff)) or 0
    reader = _Tally(events_stream(cutoff=cutoff, max_id=max_id))
    counts = similarity.counts_from_events(reader)
    products = _products()
    active = {pid for pid, (_, is_active) in products.items() if is_active}
    lists = {
        kind: similarity.neighbours_rank(pairs=counts.pairs[kind], items=counts.items[kind], allowed=active)
        for kind in similarity.SIMILARITY_KINDS
    }
    popularity = _popularity(moment=moment, cutoff=cutoff, max_id=max_id, products=products)
    with transaction.atomic():
        # A full rebuild replaces everything with counts up to max_id, whatever ran meanwhile: no conflict to detect.
        RebuildState.objects.filter(pk=state.pk).update(last_event_id=max_id, last_full_at=moment)
        PairCount.objects.all().delete()
        ItemCount.objects.all().delete()
        PairCount.objects.bulk_create(
            (
                PairCount(kind=kind, a=a, b=b, count=n)
                for kind in similarity.SIMILARITY_KINDS
                for (a, b), n in counts.pairs[kind].items()
            ),
            batch_size=BATCH,
        )
        ItemCount.objects.bulk_create(
            (
                ItemCount(kind=kind, product_id=p, count=n)
                for kind in similarity.SIMILARITY_KINDS
                for p, n in counts.items[kind].items()
            ),
            batch_size=BATCH,
        )
        changed = _neighbours_write(lists=lists, scope=None)
        _popularity_write(popularity)
        if changed:
            transaction.on_commit(catalog_revision_bump)
    pairs = sum(len(counts.pairs[kind]) for kind in similarity.SIMILARITY_KINDS)
    return reader.count, counts.sessions, pairs, changed


def _incremental(*, state: RebuildState, moment: datetime, cutoff: datetime) -> tuple[int, int, int, bool]:
    last_id = state.last_event_id
    previous = max((at for at in (state.last_full_at, state.last_incremental_at) if at), default=cutoff)
    since_day = max(previous.astimezone(UTC).date() - timedelta(days=INCREMENTAL_DAY_MARGIN), _received_since(cutoff))
    max_id = max(_max_event_id(since_day=since_day) or 0, last_id)
    delta, events_read, sessions = _delta(last_id=last_id, max_id=max_id, since_day=since_day, cutoff=cutoff)
    products = _products()
    active = {pid for pid, (_, is_active) in products.items() if is_active}
    stale = _products_with_inactive_lists()
    stored_pairs: dict[int, dict[Pair, tuple[int, float]]] = {}
    stored_items: dict[int, dict[int, tuple[int, float]]] = {}
    lists: NeighbourLists = {}
    scope: dict[int, set[int]] = {}
    for kind in similarity.SIMILARITY_KINDS:
        touched = {p for pair in delta.pairs[kind] for p in pair} | set(delta.items[kind])
        first = _pairs_stored(kind=kind, products=touched | stale)
        partners = {p for pair in [*first, *delta.pairs[kind]] if set(pair) & touched for p in pair}
        scope[kind] = touched | partners | stale
        pairs = {**first, **_pairs_stored(kind=kind, products=scope[kind] - touched - stale)}
        items = _items_stored(kind=kind, products={p for pair in [*pairs, *delta.pairs[kind]] for p in pair} | touched)
        stored_pairs[kind], stored_items[kind] = pairs, items
        merged_pairs = {pair: n for pair, (_, n) in pairs.items()}
        merged_pairs.update({pair: merged_pairs.get(pair, 0.0) + n for pair, n in delta.pairs[kind].items()})
        merged_items = {p: n for p, (_, n) in items.items()}
        merged_items.update({p: merged_items.get(p, 0.0) + n for p, n in delta.items[kind].items()})
        lists[kind] = similarity.neighbours_rank(pairs=merged_pairs, items=merged_items, allowed=active, products=scope[kind])
    popularity = _popularity(moment=moment, cutoff=cutoff, max_id=max_id, products=products)
    with transaction.atomic():
        advanced = RebuildState.objects.filter(
            pk=state.pk,
            last_event_id=state.last_event_id,
            last_full_at=state.last_full_at,
            last_incremental_at=state.last_incremental_at,
        ).update(last_event_id=max_id, last_incremental_at=moment)
        if not advanced:
            raise RebuildConflict("Another rebuild of the recommendations ran meanwhile; the next one will catch up.")
        for kind in similarity.SIMILARITY_KINDS:
            _pair_counts_add(kind=kind, stored=stored_pairs[kind], delta=delta.pairs[kind])
            _item_counts_add(kind=kind, stored=stored_items[kind], delta=delta.items[kind])
        changed = _neighbours_write(lists=lists, scope=scope)
        _popularity_write(popularity)
        if changed:
            transaction.on_commit(catalog_revision_bump)
    pairs_changed = sum(len(delta.pairs[kind]) for kind in similarity.SIMILARITY_KINDS)
    return events_read, sessions, pairs_changed, changed


def _delta(*, last_id: int, max_id: int, since_day: date, cutoff: datetime) -> tuple[Counts, int, int]:
    """Return what the events in (last_id, max_id] change, the events read and the sessions they are in."""
    delta = Counts()
    events_read = sessions = 0
    if max_id <= last_id:
        return delta, events_read, sessions
    first_new = _visitors_with_new_events(last_id=last_id, max_id=max_id, since_day=since_day, cutoff=cutoff)
    ordered = sorted(first_new, key=lambda visitor: first_new[visitor])
    floor = _seconds(cutoff)
    for start in range(0, len(ordered), IN_BATCH):
        batch = ordered[start : start + IN_BATCH]
        rows = similarity.window_read(
            read=lambda visitors, since: list(_events_of(visitors, since=since, max_id=max_id)),
            visitors=batch,
            since=first_new[batch[0]] - similarity.SESSION_GAP_SECONDS,
            floor=floor,
            last_event_id=last_id,
        )
        events_read += len(rows)
        sessions += sum(1 for _ in similarity.sessions_split((v, s, k, p) for v, s, k, p, _ in rows))
        part = similarity.counts_delta(events=rows, last_event_id=last_id)
        for kind in similarity.SIMILARITY_KINDS:
            delta.pairs[kind].update(part.pairs[kind])
            delta.items[kind].update(part.items[kind])
    delta = delta.pruned()
    delta.sessions = sessions
    return delta, events_read, sessions


# ---------------------------------------------------------------------------------------------
# Reading events (raw SQL: the epoch seconds are computed by the database, and nothing else is built per row)
# ---------------------------------------------------------------------------------------------


def _epoch() -> str:
    if connection.vendor == "sqlite":
        return "CAST(strftime('%%s', occurred_at) AS INTEGER)"
    if connection.vendor == "postgresql":
        return "CAST(FLOOR(EXTRACT(EPOCH FROM occurred_at)) AS BIGINT)"
    raise ApplicationError(
        f"Recommendations are rebuilt on SQLite or PostgreSQL, not {connection.vendor}.", code="recommendations_database"
    )


def _table() -> str:
    return connection.ops.quote_name(Event._meta.db_table)


def _day(value: date) -> Any:
    return connection.ops.adapt_datefield_value(value)


def _received_since(moment: datetime) -> date:
    """Return the first day (of receipt) an event that occurred at `moment` or later can have been stored on.

    `occurred_at` is the browser's clock, which may run a few minutes ahead of the server's (see tracking.ingest).
    """
    return (moment.astimezone(UTC) - CLOCK_SKEW).date()


def _moment(value: datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def _seconds(value: datetime) -> int:
    return int(value.timestamp())


def _rows(sql: str, params: Sequence[Any]) -> Iterator[tuple[object, ...]]:
    # A server-side cursor on PostgreSQL, so a million rows are never held at once.
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(CHUNK):
            yield from rows


def events_query(*, cutoff: datetime, max_id: int) -> tuple[str, list[Any]]:
    """Return the SQL and parameters that read the relevant events within retention, by visitor and time."""
    sql = (
        f"SELECT visitor, {_epoch()}, kind, product_id FROM {_table()} "  # noqa: S608 - names and kinds come from code
        f"WHERE day >= %s AND occurred_at >= %s AND id <= %s AND kind IN ({RELEVANT_KINDS}) AND product_id IS NOT NULL "
        "ORDER BY visitor, occurred_at, id"
    )
    return sql, [_day(_received_since(cutoff)), _moment(cutoff), max_id]


def events_stream(*, cutoff: datetime, max_id: int) -> Iterator[similarity.EventTuple]:
    """Yield `(visitor, seconds, kind, product_id)` of the relevant events within retention, by visitor and time."""
    sql, params = events_query(cutoff=cutoff, max_id=max_id)
    return _rows(sql, params)  # type: ignore[return-value]


def _max_event_id(*, since_day: date) -> int | None:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(id) FROM {_table()} WHERE day >= %s", [_day(since_day)])  # noqa: S608
        row = cursor.fetchone()
    return int(row[0]) if row and row[0] is not None else None


def _visitors_with_new_events(*, last_id: int, max_id: int, since_day: date, cutoff: datetime) -> dict[str, int]:
    """Return `{visitor: seconds of their first new relevant event}`."""
    sql = (
        f"SELECT visitor, MIN({_epoch()}) FROM {_table()} "  # noqa: S608
        f"WHERE day >= %s AND id > %s AND id <= %s AND occurred_at >= %s AND kind IN ({RELEVANT_KINDS}) "
        "AND product_id IS NOT NULL GROUP BY visitor"
    )
    return {str(v): int(s) for v, s in _rows(sql, [_day(since_day), last_id, max_id, _moment(cutoff)])}  # type: ignore[call-overload]


def _events_of(visitors: Sequence[str], *, since: int, max_id: int) -> Iterator[IdEventTuple]:
    start = datetime.fromtimestamp(since, tz=UTC)
    marks = ", ".join(["%s"] * len(visitors))
    sql = (
        f"SELECT visitor, {_epoch()}, kind, product_id, id FROM {_table()} "  # noqa: S608
        f"WHERE visitor IN ({marks}) AND day >= %s AND occurred_at >= %s AND id <= %s "
        f"AND kind IN ({RELEVANT_KINDS}) AND product_id IS NOT NULL ORDER BY visitor, occurred_at, id"
    )
    return _rows(sql, [*visitors, _day(_received_since(start)), _moment(start), max_id])  # type: ignore[return-value]


class _Tally:
    """Count the rows of an iterable as they pass."""

    def __init__(self, rows: Iterable[similarity.EventTuple]) -> None:
        self.rows = rows
        self.count = 0

    def __iter__(self) -> Iterator[similarity.EventTuple]:
        for row in self.rows:
            self.count += 1
            yield row


# ---------------------------------------------------------------------------------------------
# Products, stored counts, neighbours and popularity
# ---------------------------------------------------------------------------------------------


def _products() -> dict[int, tuple[int, bool]]:
    return {
        pid: (category_id, is_active)
        for pid, category_id, is_active in Product.objects.values_list("id", "category_id", "is_active")
    }


def _batches(values: Iterable[int]) -> Iterator[list[int]]:
    ordered = sorted(values)
    for start in range(0, len(ordered), IN_BATCH):
        yield ordered[start : start + IN_BATCH]


def _products_with_inactive_lists() -> set[int]:
    """Return the products whose stored lists must change: they, or one of their neighbours, are no longer active."""
    rows = Neighbour.objects.filter(Q(product__is_active=False) | Q(neighbour__is_active=False)).values_list(
        "product_id", flat=True
    )
    return set(rows)


def _pairs_stored(*, kind: int, products: set[int]) -> dict[Pair, tuple[int, float]]:
    stored: dict[Pair, tuple[int, float]] = {}
    for batch in _batches(products):
        rows = PairCount.objects.filter(Q(a__in=batch) | Q(b__in=batch), kind=kind).values_list("id", "a", "b", "count")
        stored.update({(a, b): (pk, n) for pk, a, b, n in rows})
    return stored


def _items_stored(*, kind: int, products: set[int]) -> dict[int, tuple[int, float]]:
    stored: dict[int, tuple[int, float]] = {}
    for batch in _batches(products):
        rows = ItemCount.objects.filter(kind=kind, product_id__in=batch).values_list("id", "product_id", "count")
        stored.update({p: (pk, n) for pk, p, n in rows})
    return stored


def _counts_added(stored: Mapping[K, tuple[int, float]], delta: Counter[K]) -> tuple[dict[K, float], list[int]]:
    """Return the counts `delta` changes, added to the stored ones, and the ids of stored rows that fall to zero."""
    kept: dict[K, float] = {}
    gone: list[int] = []
    for key, n in delta.items():
        pk, before = stored.get(key, (0, 0.0))
        if before + n > 0:
            kept[key] = before + n
        elif pk:
            gone.append(pk)
    return kept, gone


def _pair_counts_add(*, kind: int, stored: Mapping[Pair, tuple[int, float]], delta: Counter[Pair]) -> None:
    kept, gone = _counts_added(stored, delta)
    for batch in _batches(gone):
        PairCount.objects.filter(pk__in=batch).delete()
    PairCount.objects.bulk_create(
        [PairCount(kind=kind, a=a, b=b, count=n) for (a, b), n in kept.items()],
        batch_size=BATCH,
        update_conflicts=True,
        unique_fields=["kind", "a", "b"],
        update_fields=["count"],
    )


def _item_counts_add(*, kind: int, stored: Mapping[int, tuple[int, float]], delta: Counter[int]) -> None:
    kept, gone = _counts_added(stored, delta)
    for batch in _batches(gone):
        ItemCount.objects.filter(pk__in=batch).delete()
    ItemCount.objects.bulk_create(
        [ItemCount(kind=kind, product_id=p, count=n) for p, n in kept.items()],
        batch_size=BATCH,
        update_conflicts=True,
        unique_fields=["kind", "product_id"],
        update_fields=["count"],
    )


def _neighbours_write(*, lists: NeighbourLists, scope: dict[int, set[int]] | None) -> bool:
    """Store the new lists of the products in `scope` (every product when None); return whether any list changed.

    Only lists that differ are rewritten; "changed" means other neighbours or another order, not new scores.
    """
    stored: dict[tuple[int, int], list[tuple[int, float]]] = {}
    queries = (
        [Neighbour.objects.all()]
        if scope is None
        else [
            Neighbour.objects.filter(kind=kind, product_id__in=batch)
            for kind, products in scope.items()
            for batch in _batches(products)
        ]
    )
    for query in queries:
        for product, kind, neighbour, score in query.order_by("product_id", "kind", "rank").values_list(
            "product_id", "kind", "neighbour_id", "score"
        ):
            stored.setdefault((product, kind), []).append((neighbour, score))
    fresh = {(product, kind): ranked for kind, by_product in lists.items() for product, ranked in by_product.items() if ranked}
    if scope is not None:
        fresh = {key: ranked for key, ranked in fresh.items() if key[0] in scope.get(key[1], ())}
    rewrite = [key for key in stored.keys() | fresh.keys() if not _same_scores(stored.get(key, []), fresh.get(key, []))]
    changed = any([n for n, _ in stored.get(key, [])] != [n for n, _ in fresh.get(key, [])] for key in rewrite)
    for kind in similarity.SIMILARITY_KINDS:
        for batch in _batches(product for product, k in rewrite if k == kind):
            Neighbour.objects.filter(kind=kind, product_id__in=batch).delete()
    Neighbour.objects.bulk_create(
        (
            Neighbour(product_id=product, kind=kind, rank=rank, neighbour_id=neighbour, score=score)
            for product, kind in sorted(rewrite)
            for rank, (neighbour, score) in enumerate(fresh.get((product, kind), []), start=1)
        ),
        batch_size=BATCH,
    )
    return changed


def _same_scores(before: list[tuple[int, float]], after: list[tuple[int, float]]) -> bool:
    return len(before) == len(after) and all(
        a == c and abs(b - d) <= 1e-12 * max(1.0, abs(d)) for (a, b), (c, d) in zip(before, after, strict=True)
    )


def _popularity(
    *, moment: datetime, cutoff: datetime, max_id: int, products: dict[int, tuple[int, bool]]
) -> dict[int, tuple[int, float]]:
    since = max(moment - timedelta(days=similarity.POPULARITY_DAYS), cutoff)
    rows = (
        Event.objects.filter(
            day__gte=_received_since(since),
            occurred_at__gte=since,
            id__lte=max_id,
            kind__in=similarity.RELEVANT_KINDS,
            product_id__isnull=False,
        )
        .order_by()
        .values_list("product_id", "kind", "day")
        .annotate(events=Count("id"))
    )
    today = moment.astimezone(UTC).date()
    counts = [(int(product), kind, (today - day).days, events) for product, kind, day, events in rows]
    categories = {pid: category for pid, (category, is_active) in products.items() if is_active}
    return similarity.popularity_scores(counts=counts, categories=categories)


def _popularity_write(popularity: dict[int, tuple[int, float]]) -> bool:
    stored = {
        product: (category, score)
        for product, category, score in Popularity.objects.values_list("product_id", "category_id", "score")
    }
    stale = [
        product
        for product in stored.keys() | popularity.keys()
        if product not in stored
        or product not in popularity
        or stored[product][0] != popularity[product][0]
        or abs(stored[product][1] - popularity[product][1]) > 1e-12 * max(1.0, popularity[product][1])
    ]
    for batch in _batches(stale):
        Popularity.objects.filter(product_id__in=batch).delete()
    Popularity.objects.bulk_create(
        (
            Popularity(product_id=p, category_id=popularity[p][0], score=popularity[p][1])
            for p in sorted(stale)
            if p in popularity
        ),
        batch_size=BATCH,
    )
    return bool(stale)
