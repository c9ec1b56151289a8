"""Item-to-item similarity and popularity from behaviour events, as pure functions over plain tuples.

An event is `(visitor, seconds, kind, product_id)`: the visitor's pseudonym, the time in whole seconds since the
epoch, the `tracking.EventKind` value and the product. Functions that sessionise take events ordered by visitor,
then time (then event id), which is how the rebuild reads them from the database.

Counts are additive: the counts of a stream are the sum of the counts of its sessions, so an incremental rebuild
adds `counts_delta` (the sessions that new events touched, counted with and without them) to the stored counts
and ends where a full rebuild over the whole stream would.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Container, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import NamedTuple

# tracking.EventKind values (a test keeps them equal); this module imports nothing from Django.
PRODUCT_VIEW = 2
ADD_TO_CART = 4
PURCHASE = 7
RELEVANT_KINDS = (PRODUCT_VIEW, ADD_TO_CART, PURCHASE)
BASKET_KINDS = frozenset((ADD_TO_CART, PURCHASE))

# personalisation.SimilarityKind values.
VIEWED = 1
BOUGHT = 2
SIMILARITY_KINDS = (VIEWED, BOUGHT)

SESSION_GAP_SECONDS = 30 * 60  # a gap longer than this starts a new session
MAX_SESSION_PRODUCTS = 50  # distinct products counted per session (the first ones): at most 1,225 pairs
NEIGHBOURS = 20  # neighbours kept per product and kind
SHRINKAGE = 5.0  # added to the cosine's denominator, so a pair seen together once or twice does not rank first

POPULARITY_DAYS = 14
POPULARITY_HALF_LIFE_DAYS = 7.0
POPULARITY_WEIGHTS: Mapping[int, float] = {PRODUCT_VIEW: 1.0, ADD_TO_CART: 3.0, PURCHASE: 5.0}

EventTuple = tuple[str, int, int, int]  # visitor, seconds since the epoch, kind, product id
IdEventTuple = tuple[str, int, int, int, int]  # the same, then the event id
Pair = tuple[int, int]  # (a, b) with a < b


class Session(NamedTuple):
    visitor: str
    viewed: list[int]  # distinct products viewed, in the order first viewed, at most MAX_SESSION_PRODUCTS
    basket: list[int]  # distinct products added to the cart or bought, in order, at most MAX_SESSION_PRODUCTS


@dataclass
class Counts:
    """Co-occurrence counts by similarity kind: pairs of products, and single products, per session (or basket)."""

    pairs: dict[int, Counter[Pair]] = field(default_factory=lambda: {kind: Counter() for kind in SIMILARITY_KINDS})
    items: dict[int, Counter[int]] = field(default_factory=lambda: {kind: Counter() for kind in SIMILARITY_KINDS})
    sessions: int = 0

    def session_add(self, session: Session, *, sign: int = 1) -> None:
        for kind, products in ((VIEWED, session.viewed), (BOUGHT, session.basket)):
            if not products:
                continue
            ordered = sorted(products)
            if sign > 0:
                self.items[kind].update(ordered)
                if len(ordered) > 1:
                    self.pairs[kind].update(combinations(ordered, 2))
            else:
                self.items[kind].subtract(ordered)
                if len(ordered) > 1:
                    self.pairs[kind].subtract(combinations(ordered, 2))
        self.sessions += sign

    def pruned(self) -> Counts:
        """Return these counts without the zero entries a subtraction leaves."""
        return Counts(
            pairs={kind: Counter({k: v for k, v in c.items() if v}) for kind, c in self.pairs.items()},
            items={kind: Counter({k: v for k, v in c.items() if v}) for kind, c in self.items.items()},
            sessions=self.sessions,
        )

    def products(self) -> set[int]:
        """Return every product whose count, or the count of a pair it is in, is not zero."""
        touched: set[int] = set()
        for kind in SIMILARITY_KINDS:
            touched.update(p for p, n in self.items[kind].items() if n)
            for (a, b), n in self.pairs[kind].items():
                if n:
                    touched.add(a)
                    touched.add(b)
        return touched


def sessions_split(
    events: Iterable[EventTuple],
    *,
    gap_seconds: int = SESSION_GAP_SECONDS,
    max_products: int = MAX_SESSION_PRODUCTS,
) -> Iterator[Session]:
    """Yield the sessions of `events` (ordered by visitor, then time): a new one after `gap_seconds` idle.

    Events of other kinds than product view, add to cart and purchase are skipped; a session without any of
    those is not yielded.
    """
    visitor: str | None = None
    last = 0
    viewed: dict[int, None] = {}
    basket: dict[int, None] = {}
    for who, seconds, kind, product in events:
        if who != visitor or seconds - last > gap_seconds:
            if viewed or basket:
                yield Session(visitor or "", list(viewed), list(basket))
                viewed = {}
                basket = {}
            visitor = who
        last = seconds
        if kind == PRODUCT_VIEW:
            if len(viewed) < max_products:
                viewed[product] = None
        elif kind in BASKET_KINDS and len(basket) < max_products:
            basket[product] = None
    if viewed or basket:
        yield Session(visitor or "", list(viewed), list(basket))


def counts_from_events(events: Iterable[EventTuple]) -> Counts:
    """Count, per session, the products viewed and the pairs viewed together; the same for cart adds and purchases."""
    counts = Counts()
    for session in sessions_split(events):
        counts.session_add(session)
    return counts


def counts_delta(*, events: Iterable[IdEventTuple], last_event_id: int) -> Counts:
    """Return what the events with an id above `last_event_id` add to the counts of the ones up to it.

    `events` are a visitor's events from a point in time on (see `sessions_cut_short`), old and new, ordered by
    visitor, time and id. Sessions the new events touch are counted with them and subtracted without them; the
    others cancel out. A new event can join two old sessions, so some counts of the delta may be negative.
    """
    rows = list(events)
    delta = Counts()
    for session in sessions_split((v, s, k, p) for v, s, k, p, _ in rows):
        delta.session_add(session)
    for session in sessions_split((v, s, k, p) for v, s, k, p, i in rows if i <= last_event_id):
        delta.session_add(session, sign=-1)
    return delta.pruned()


def sessions_cut_short(
    events: Iterable[IdEventTuple], *, since: int, last_event_id: int, gap_seconds: int = SESSION_GAP_SECONDS
) -> set[str]:
    """Return the visitors whose first new event's session may have begun before `since`.

    `events` are the events from `since` on, ordered by visitor, time and id; an event is new when its id is above
    `last_event_id`. For those visitors, earlier events must be read too before `counts_delta` is right.
    """
    short: set[str] = set()
    visitor: str | None = None
    first = 0  # time of the visitor's first event read
    start = 0  # time of the first event of the visitor's current session
    last = 0
    done = False
    for who, seconds, _kind, _product, event_id in events:
        if who != visitor:
            visitor, first, start, done = who, seconds, seconds, False
        elif seconds - last > gap_seconds:
            start = seconds
        last = seconds
        if not done and event_id > last_event_id:
            done = True
            # The session began at the first event read and no gap proves that nothing came before it.
            if start == first and first - since < gap_seconds:
                short.add(who)
    return short


def window_read(
    *,
    read: Callable[[Sequence[str], int], list[IdEventTuple]],
    visitors: Sequence[str],
    since: int,
    floor: int,
    last_event_id: int,
    gap_seconds: int = SESSION_GAP_SECONDS,
) -> list[IdEventTuple]:
    """Return the events `counts_delta` needs for `visitors`: from `since` on, further back where sessions began earlier.

    `read(visitors, since)` returns those visitors' events from `since` on, ordered by visitor, time and id. Visitors
    whose session runs over `since` are read again from further back (30 minutes, then 2 hours, 8 hours, ...), never
    before `floor` (the retention window, which a full rebuild does not read past either).
    """
    by_visitor: dict[str, list[IdEventTuple]] = {}
    pending = list(visitors)
    lookback = gap_seconds
    while pending:
        since = max(since, floor)
        rows = read(pending, since)
        for visitor in pending:
            by_visitor[visitor] = []
        for row in rows:
            by_visitor[row[0]].append(row)
        if since <= floor:
            break
        pending = sorted(sessions_cut_short(rows, since=since, last_event_id=last_event_id, gap_seconds=gap_seconds))
        lookback *= 4
        since -= lookback
    return [row for visitor in sorted(by_visitor) for row in by_visitor[visitor]]


def similarity_score(*, together: float, count_a: float, count_b: float, shrinkage: float = SHRINKAGE) -> float:
    """Return the cosine of two products' sessions, shrunk towards 0 when they are rare."""
    return together / (math.sqrt(count_a * count_b) + shrinkage)


def neighbours_rank(
    *,
    pairs: Mapping[Pair, float],
    items: Mapping[int, float],
    allowed: Container[int],
    products: Collection[int] | None = None,
    k: int = NEIGHBOURS,
    shrinkage: float = SHRINKAGE,
) -> dict[int, list[tuple[int, float]]]:
    """Return the `k` most similar allowed products of each allowed product (of `products`, or of all), best first.

    Ties are broken by the lower product id, so the lists depend only on the counts.
    """
    candidates: defaultdict[int, list[tuple[float, int]]] = defaultdict(list)
    wanted = products if products is not None else None
    for (a, b), together in pairs.items():
        if together <= 0 or a not in allowed or b not in allowed:
            continue
        score = similarity_score(together=together, count_a=items.get(a, 0.0), count_b=items.get(b, 0.0), shrinkage=shrinkage)
        if wanted is None or a in wanted:
            candidates[a].append((score, b))
        if wanted is None or b in wanted:
            candidates[b].append((score, a))
    ranked: dict[int, list[tuple[int, float]]] = {}
    for product, scored in candidates.items():
        best = heapq.nsmallest(k, scored, key=lambda sb: (-sb[0], sb[1]))
        ranked[product] = [(neighbour, score) for score, neighbour in best]
    return ranked


def popularity_scores(
    *,
    counts: Iterable[tuple[int, int, int, int]],
    categories: Mapping[int, int],
    weights: Mapping[int, float] = POPULARITY_WEIGHTS,
    half_life_days: float = POPULARITY_HALF_LIFE_DAYS,
) -> dict[int, tuple[int, float]]:
    """Return `{product: (category, score)}` from `(product, kind, age in days, events)` rows.

    Each event weighs its kind's weight, halved every `half_life_days`; products missing from `categories`
    (deleted or inactive) are left out.
    """
    scores: defaultdict[int, float] = defaultdict(float)
    for product, kind, age, events in sorted(counts):  # sorted: float sums independent of the rows' order
        weight = weights.get(kind)
        if weight and product in categories:
            scores[product] += weight * events * 0.5 ** (max(age, 0) / half_life_days)
    return {product: (categories[product], score) for product, score in scores.items() if score > 0}


def popularity_counts(events: Iterable[EventTuple], *, today: int) -> list[tuple[int, int, int, int]]:
    """Aggregate events into the `(product, kind, age in days, events)` rows `popularity_scores` reads.

    `today` is the day number (seconds // 86400) ages are counted from; what the database does with GROUP BY.
    """
    counter: Counter[tuple[int, int, int]] = Counter()
    for _visitor, seconds, kind, product in events:
        if kind in POPULARITY_WEIGHTS:
            counter[(product, kind, today - seconds // 86400)] += 1
    return [(product, kind, age, n) for (product, kind, age), n in counter.items()]


def recommendations_from_history(
    *,
    recent: Sequence[int],
    neighbours: Mapping[int, Sequence[tuple[int, float]]],
    fallback: Iterable[int] = (),
    limit: int = 10,
    depth: int = 5,
    decay: float = 0.6,
) -> list[int]:
    """Return up to `limit` products for someone who just looked at `recent` (oldest first), best first.

    The neighbours of the last `depth` distinct products are summed, each older product weighing `decay` times
    the next; products in `recent` are left out; `fallback` (e.g. popular products) fills what remains.
    """
    seen = set(recent)
    scores: defaultdict[int, float] = defaultdict(float)
    weight = 1.0
    used: set[int] = set()
    for product in reversed(recent):
        if product in used:
            continue
        used.add(product)
        for neighbour, score in neighbours.get(product, ()):
            if neighbour not in seen:
                scores[neighbour] += weight * score
        weight *= decay
        if len(used) >= depth:
            break
    chosen = [p for p, _ in sorted(scores.items(), key=lambda ps: (-ps[1], ps[0]))[:limit]]
    if len(chosen) < limit:
        taken = seen | set(chosen)
        for product in fallback:
            if product not in taken:
                chosen.append(product)
                taken.add(product)
                if len(chosen) >= limit:
                    break
    return chosen
