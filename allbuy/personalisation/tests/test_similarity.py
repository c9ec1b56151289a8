"""The pure similarity functions: sessions, co-occurrence counts, scores, neighbours, popularity, incremental deltas."""

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from allbuy.personalisation import similarity
from allbuy.personalisation.models import SimilarityKind
from allbuy.personalisation.similarity import (
    ADD_TO_CART,
    BOUGHT,
    MAX_SESSION_PRODUCTS,
    PRODUCT_VIEW,
    PURCHASE,
    SESSION_GAP_SECONDS,
    VIEWED,
    Counts,
    counts_delta,
    counts_from_events,
    neighbours_rank,
    popularity_counts,
    popularity_scores,
    recommendations_from_history,
    sessions_split,
    similarity_score,
    window_read,
)
from allbuy.personalisation.synthetic import catalog_generate, event_rows, events_generate
from allbuy.tracking.models import EventKind

GAP = SESSION_GAP_SECONDS
V = "a" * 32
W = "b" * 32


def view(seconds, product, visitor=V):
    return (visitor, seconds, PRODUCT_VIEW, product)


def test_kind_values_are_those_of_the_models():
    assert (PRODUCT_VIEW, ADD_TO_CART, PURCHASE) == (EventKind.PRODUCT_VIEW, EventKind.ADD_TO_CART, EventKind.PURCHASE)
    assert (VIEWED, BOUGHT) == (SimilarityKind.VIEWED, SimilarityKind.BOUGHT)


def test_thirty_minutes_idle_starts_a_new_session_and_so_does_another_visitor():
    events = [view(0, 1), view(GAP, 2), view(2 * GAP + 1, 3), view(2 * GAP + 2, 4, visitor=W)]
    sessions = list(sessions_split(events))
    assert [(s.visitor, s.viewed) for s in sessions] == [(V, [1, 2]), (V, [3]), (W, [4])]


def test_a_pair_counts_once_per_session_however_often_it_is_viewed():
    events = [view(0, 1), view(10, 2), view(20, 1), view(30, 2), view(40, 1)]
    counts = counts_from_events(events)
    assert counts.pairs[VIEWED] == Counter({(1, 2): 1})
    assert counts.items[VIEWED] == Counter({1: 1, 2: 1})
    assert counts.sessions == 1


def test_a_long_session_counts_its_first_products_only():
    events = [view(i, 1000 + i) for i in range(MAX_SESSION_PRODUCTS + 30)]
    counts = counts_from_events(events)
    assert len(counts.items[VIEWED]) == MAX_SESSION_PRODUCTS
    assert len(counts.pairs[VIEWED]) == MAX_SESSION_PRODUCTS * (MAX_SESSION_PRODUCTS - 1) // 2
    assert 1000 + MAX_SESSION_PRODUCTS not in counts.items[VIEWED]


def test_cart_adds_and_purchases_of_a_session_are_bought_together_views_are_not():
    events = [view(0, 1), view(5, 2), (V, 10, ADD_TO_CART, 1), view(20, 3), (V, 30, ADD_TO_CART, 3), (V, 90, PURCHASE, 1)]
    events += [(V, 95, EventKind.PAGE_VIEW, 9), (V, 96, EventKind.REMOVE_FROM_CART, 9)]
    counts = counts_from_events(events)
    assert counts.pairs[BOUGHT] == Counter({(1, 3): 1})
    assert counts.items[BOUGHT] == Counter({1: 1, 3: 1})
    assert counts.pairs[VIEWED] == Counter({(1, 2): 1, (1, 3): 1, (2, 3): 1})
    assert 9 not in counts.items[VIEWED]
    assert 9 not in counts.items[BOUGHT]


def test_shrinkage_keeps_a_pair_seen_once_below_a_pair_seen_often():
    rare = similarity_score(together=1, count_a=1, count_b=1)
    frequent = similarity_score(together=40, count_a=100, count_b=100)
    assert rare < frequent
    assert similarity_score(together=1, count_a=1, count_b=1, shrinkage=0) == 1.0


def test_neighbours_are_the_best_k_allowed_ones_ties_to_the_lower_id():
    pairs = {(1, 2): 10, (1, 3): 10, (1, 4): 30, (1, 5): 50, (2, 3): 1}
    items = {1: 100, 2: 20, 3: 20, 4: 40, 5: 60}
    ranked = neighbours_rank(pairs=pairs, items=items, allowed={1, 2, 3, 4}, k=3)
    assert [n for n, _ in ranked[1]] == [4, 2, 3]  # 5 is not allowed; 2 and 3 tie
    assert ranked[1][0][1] == similarity_score(together=30, count_a=100, count_b=40)
    assert [n for n, _ in ranked[2]] == [1, 3]
    assert 5 not in ranked
    only = neighbours_rank(pairs=pairs, items=items, allowed={1, 2, 3, 4}, products={3})
    assert set(only) == {3}
    assert only[3] == ranked[3]


def test_popularity_weighs_kinds_halves_with_age_and_leaves_out_unknown_products():
    rows = [(1, PRODUCT_VIEW, 0, 10), (1, PURCHASE, 7, 2), (2, ADD_TO_CART, 0, 1), (3, PRODUCT_VIEW, 0, 99), (2, 1, 0, 50)]
    scores = popularity_scores(counts=rows, categories={1: 10, 2: 20}, half_life_days=7)
    assert scores == {1: (10, 10 + 5 * 2 * 0.5), 2: (20, 3.0)}


def test_popularity_counts_group_events_by_product_kind_and_age():
    day = 86400
    events = [view(10 * day + 5, 1), view(10 * day + 6, 1), view(9 * day, 1), (V, 10 * day, PURCHASE, 2), (V, 10, 1, 3)]
    assert sorted(popularity_counts(events, today=10)) == [(1, PRODUCT_VIEW, 0, 2), (1, PRODUCT_VIEW, 1, 1), (2, PURCHASE, 0, 1)]


def test_recommendations_from_history_favour_the_latest_product_and_skip_what_was_seen():
    neighbours = {1: [(3, 0.9), (2, 0.5)], 2: [(4, 0.8), (1, 0.7), (3, 0.1)]}
    assert recommendations_from_history(recent=[1, 2], neighbours=neighbours, limit=2) == [4, 3]
    assert recommendations_from_history(recent=[1, 2], neighbours=neighbours, fallback=[2, 9, 4, 8], limit=4) == [4, 3, 9, 8]
    assert recommendations_from_history(recent=[], neighbours=neighbours, fallback=[5], limit=3) == [5]


# ---------------------------------------------------------------------------------------------
# Additivity: an incremental rebuild ends where a full one does
# ---------------------------------------------------------------------------------------------


def _plain(counts: Counts) -> tuple:
    pruned = counts.pruned()
    return tuple((dict(pruned.pairs[k]), dict(pruned.items[k])) for k in similarity.SIMILARITY_KINDS)


def _sorted(events):
    return sorted(events, key=lambda e: (e[0], e[1], e[4]))


def _sum(a: Counts, b: Counts) -> Counts:
    total = Counts()
    for k in similarity.SIMILARITY_KINDS:
        total.pairs[k].update(a.pairs[k])
        total.pairs[k].update(b.pairs[k])
        total.items[k].update(a.items[k])
        total.items[k].update(b.items[k])
    return total


def _reader(events):
    def read(visitors, since):
        wanted = set(visitors)
        return _sorted(e for e in events if e[0] in wanted and e[1] >= since)

    return read


def _incremental(events, last_event_id, floor=-(10**9)):
    """Mirror of the incremental rebuild over in-memory events (id is the fifth value)."""
    new = [e for e in events if e[4] > last_event_id and e[1] >= floor]
    first_new: dict[str, int] = {}
    for visitor, seconds, *_ in new:
        first_new[visitor] = min(seconds, first_new.get(visitor, seconds))
    if not first_new:
        return Counts()
    rows = window_read(
        read=_reader(events),
        visitors=sorted(first_new),
        since=min(first_new.values()) - GAP,
        floor=floor,
        last_event_id=last_event_id,
    )
    return counts_delta(events=rows, last_event_id=last_event_id)


event_lists = st.lists(
    st.tuples(
        st.sampled_from(["a" * 32, "b" * 32]),
        st.integers(min_value=0, max_value=4 * 60 * 60),  # four hours: sessions of every length and gap
        st.sampled_from([PRODUCT_VIEW, PRODUCT_VIEW, PRODUCT_VIEW, ADD_TO_CART, PURCHASE]),
        st.integers(min_value=1, max_value=7),
    ),
    max_size=60,
)


@settings(max_examples=300, deadline=None)
@given(events=event_lists, order=st.randoms(use_true_random=False), split=st.floats(min_value=0, max_value=1))
def test_counts_of_old_events_plus_the_delta_of_new_ones_are_the_counts_of_all(events, order, split):
    # given events whose ids (insertion order) follow time only roughly: late arrivals join or bridge sessions
    ids = list(range(1, len(events) + 1))
    order.shuffle(ids)
    stream = [(*event, event_id) for event, event_id in zip(events, ids, strict=True)]
    last = int(split * len(events))
    # when the old events are counted, then what the new ones add
    old = counts_from_events((v, s, k, p) for v, s, k, p, i in _sorted(stream) if i <= last)
    delta = _incremental(stream, last)
    # then the sum is what counting everything at once gives
    everything = counts_from_events((v, s, k, p) for v, s, k, p, _ in _sorted(stream))
    assert _plain(_sum(old, delta)) == _plain(everything)


def test_a_session_running_for_hours_before_the_new_event_is_read_back_to_its_start():
    # given one visitor viewing a product every 20 minutes for ten hours, products 1..30 in turn
    stream = [(V, i * 20 * 60, PRODUCT_VIEW, i + 1, i + 1) for i in range(30)]
    stream.append((V, 30 * 20 * 60, PRODUCT_VIEW, 99, 31))
    # when only the last view is new
    delta = _incremental(stream, last_event_id=30)
    # then it pairs with every product of the session, not only those of the last 30 minutes
    assert delta.pairs[VIEWED] == Counter({(p, 99): 1 for p in range(1, 31)})
    assert delta.items[VIEWED] == Counter({99: 1})


def test_an_event_bridging_two_sessions_merges_their_counts():
    stream = [(V, 0, PRODUCT_VIEW, 1, 1), (V, 60 * 60, PRODUCT_VIEW, 2, 2), (V, 30 * 60, PRODUCT_VIEW, 3, 3)]
    delta = _incremental(stream, last_event_id=2)
    # two sessions of one product each become one session of three
    assert delta.items[VIEWED] == Counter({3: 1})
    assert delta.pairs[VIEWED] == Counter({(1, 2): 1, (1, 3): 1, (2, 3): 1})
    assert delta.sessions == -1


# ---------------------------------------------------------------------------------------------
# The synthetic stream
# ---------------------------------------------------------------------------------------------


def test_the_synthetic_stream_is_seeded_ordered_and_mostly_browses_within_a_category_or_brand():
    catalog = catalog_generate(products=60, brands=5, categories=6, seed=3)
    events = events_generate(catalog=catalog, events=20_000, start=1_800_000_000, days=7, seed=5)
    assert events == events_generate(catalog=catalog, events=20_000, start=1_800_000_000, days=7, seed=5)
    assert events != events_generate(catalog=catalog, events=20_000, start=1_800_000_000, days=7, seed=6)
    assert len(events) == 20_000
    assert [e[1] for e in events] == sorted(e[1] for e in events)
    assert all(1_800_000_000 <= e[1] < 1_800_000_000 + 8 * 86400 for e in events)
    assert all(len(e[0]) == 32 and int(e[0], 16) >= 0 for e in events)
    kinds = Counter(e[2] for e in events)
    assert kinds[PRODUCT_VIEW] > 0.85 * len(events)
    assert kinds[ADD_TO_CART] > 0
    assert kinds[PURCHASE] > 0
    # popularity has a head and a long tail
    views = Counter(e[3] for e in events if e[2] == PRODUCT_VIEW)
    ranked = [n for _, n in views.most_common()]
    assert sum(ranked[:6]) > 0.3 * sum(ranked)
    assert len(ranked) > 50
    # consecutive views of a session stay within the category or the brand far more often than chance
    category = {p: c for p, _, c in catalog}
    brand = {p: b for p, b, _ in catalog}
    steps = within = 0
    for session in sessions_split(sorted(events)):
        for a, b in zip(session.viewed, session.viewed[1:], strict=False):
            steps += 1
            within += category[a] == category[b] or brand[a] == brand[b]
    assert within / steps > 0.7


def test_event_rows_are_ready_for_a_bulk_insert():
    row = next(event_rows([(V, 1_800_000_000, PRODUCT_VIEW, 42)]))
    assert row == ("2027-01-15", "2027-01-15 08:00:00", V, PRODUCT_VIEW, 42, "/products/42/")
