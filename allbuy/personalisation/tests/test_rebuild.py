"""The recommendations rebuild against the database: full, incremental, retention, inactive products, cache bumps."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db.models import F

from allbuy.catalog.models import Product
from allbuy.catalog.selectors import catalog_revision
from allbuy.catalog.tests.factories import BrandFactory, CategoryFactory, ProductFactory
from allbuy.personalisation import services
from allbuy.personalisation.models import ItemCount, Neighbour, PairCount, Popularity, RebuildState, SimilarityKind
from allbuy.personalisation.services import RebuildConflict, recommendations_rebuild
from allbuy.personalisation.similarity import ADD_TO_CART, PRODUCT_VIEW, PURCHASE
from allbuy.personalisation.synthetic import events_generate
from allbuy.tracking.models import Event, EventKind
from allbuy.tracking.partitions import event_partition_ensure, partitions_forget

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 10, 12, 0, tzinfo=UTC)
V = "a" * 32
W = "b" * 32


@pytest.fixture(autouse=True)
def _partitions_forgotten():
    # Partitions made in a rolled-back test are gone: the next test must create them again.
    partitions_forget()


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run the rebuild as a worker would: on-commit callbacks (the catalog revision bump) run."""

    def run(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return recommendations_rebuild(**kwargs)

    return run


def catalog(*, products=24, brands=3, categories=4):
    brand_rows = [BrandFactory() for _ in range(brands)]
    category_rows = [CategoryFactory() for _ in range(categories)]
    rows: list[Product] = [
        ProductFactory.create(brand=brand_rows[i % brands], category=category_rows[(i // 2) % categories])
        for i in range(products)
    ]
    return [(p.pk, p.brand_id, p.category_id) for p in rows]


def insert(events, *, received=None):
    """Store `(visitor, seconds, kind, product)` events in this order (ids follow it); `received` sets their day."""
    rows = []
    for visitor, seconds, kind, product in events:
        at = datetime.fromtimestamp(seconds, tz=UTC)
        day = (received or at).date()
        event_partition_ensure(day)
        rows.append(Event(day=day, occurred_at=at, visitor=visitor, kind=kind, product_id=product))
    Event.objects.bulk_create(rows)


def at(moment, visitor, kind, product):
    return (visitor, int(moment.timestamp()), kind, product)


def snapshot():
    return {
        "neighbours": sorted(Neighbour.objects.values_list("product_id", "kind", "rank", "neighbour_id", "score")),
        "pairs": sorted(PairCount.objects.values_list("kind", "a", "b", "count")),
        "items": sorted(ItemCount.objects.values_list("kind", "product_id", "count")),
        "popularity": sorted(Popularity.objects.values_list("product_id", "category_id", "score")),
    }


def neighbours(product, kind=SimilarityKind.VIEWED):
    return list(Neighbour.objects.filter(product=product, kind=kind).order_by("rank").values_list("neighbour_id", flat=True))


def test_incremental_rebuilds_after_a_full_one_end_with_the_rows_of_one_full_rebuild(commit):
    # given a shop and three days of synthetic events, stored as they arrive
    items = catalog()
    start = NOW - timedelta(days=3)
    stream = events_generate(catalog=items, events=4_000, start=int(start.timestamp()), days=3, seed=11)
    cuts = [int((NOW - timedelta(hours=h)).timestamp()) for h in (40, 20, 6)]
    parts = [
        [e for e in stream if e[1] < cuts[0]],
        [e for e in stream if cuts[0] <= e[1] < cuts[1]],
        [e for e in stream if cuts[1] <= e[1] < cuts[2]],
        [e for e in stream if cuts[2] <= e[1]],
    ]
    # some events of each later part arrive late: they happened before the previous rebuild, in its sessions
    for index in (1, 2, 3):
        late = [(v, s - 25 * 60, k, p) for v, s, k, p in parts[index][::15]]
        parts[index] = [e for i, e in enumerate(parts[index]) if i % 15] + late
    insert(parts[0])
    full = commit(full=True, now=datetime.fromtimestamp(cuts[0], tz=UTC))
    assert full.events_read == len(parts[0])
    # when the rest arrives in three batches, each followed by an incremental rebuild
    for index, cut in ((1, cuts[1]), (2, cuts[2]), (3, int(NOW.timestamp()))):
        received = datetime.fromtimestamp(cut, tz=UTC)
        insert(parts[index], received=received)
        report = commit(full=False, now=received)
        assert report.events_read >= len(parts[index])
        assert report.pairs > 0
    incremental = snapshot()
    # then a full rebuild over everything finds every row as it is
    again = commit(full=True, now=NOW)
    assert snapshot() == incremental
    assert again.changed is False
    assert again.events_read == len(stream)
    assert len(incremental["neighbours"]) > 200
    assert {kind for _, kind, *_ in incremental["neighbours"]} == {SimilarityKind.VIEWED, SimilarityKind.BOUGHT}
    assert any(count < 0 for _, _, _, count in incremental["pairs"]) is False


def test_a_rebuild_without_new_events_changes_nothing_and_keeps_cached_pages(commit):
    items = catalog(products=8)
    insert(events_generate(catalog=items, events=600, start=int((NOW - timedelta(days=2)).timestamp()), days=2, seed=3))
    revision = catalog_revision()
    first = commit(full=True, now=NOW)
    assert first.changed is True
    assert catalog_revision() == revision + 1  # product pages cached before show the new lists
    before = snapshot()
    assert before["neighbours"]
    assert before["popularity"]

    incremental = commit(full=False, now=NOW)
    full = commit(full=True, now=NOW)

    assert (incremental.changed, full.changed) == (False, False)
    assert incremental.events_read == 0
    assert snapshot() == before
    assert catalog_revision() == revision + 1


def test_new_events_move_the_lists_and_bump_the_catalog_revision_once(commit):
    a, b, c = (p for p, _, _ in catalog(products=3))
    insert(
        [
            at(NOW - timedelta(hours=2), V, PRODUCT_VIEW, a),
            at(NOW - timedelta(hours=2) + timedelta(minutes=1), V, PRODUCT_VIEW, b),
        ]
    )
    commit(full=True, now=NOW - timedelta(hours=1))
    assert neighbours(a) == [b]
    revision = catalog_revision()

    insert([at(NOW - timedelta(minutes=20), W, PRODUCT_VIEW, a), at(NOW - timedelta(minutes=19), W, PRODUCT_VIEW, c)])
    report = commit(full=False, now=NOW)

    assert report.changed is True
    assert neighbours(a) == [b, c]
    assert neighbours(c) == [a]
    assert catalog_revision() == revision + 1


def test_a_session_that_spans_the_previous_rebuild_pairs_its_old_and_new_products(commit):
    a, b, c = (p for p, _, _ in catalog(products=3))
    insert([at(NOW - timedelta(minutes=50), V, PRODUCT_VIEW, a), at(NOW - timedelta(minutes=30), V, PRODUCT_VIEW, b)])
    commit(full=True, now=NOW - timedelta(minutes=25))
    insert([at(NOW - timedelta(minutes=10), V, PRODUCT_VIEW, c)])

    commit(full=False, now=NOW)

    assert sorted(PairCount.objects.values_list("a", "b", "count")) == sorted([(a, b, 1.0), (a, c, 1.0), (b, c, 1.0)])
    assert sorted(ItemCount.objects.filter(kind=SimilarityKind.VIEWED).values_list("product_id", "count")) == [
        (a, 1.0),
        (b, 1.0),
        (c, 1.0),
    ]


def test_events_older_than_retention_are_not_counted(commit, settings):
    settings.ALLBUY_EVENT_RETENTION_DAYS = 30
    a, b, c = (p for p, _, _ in catalog(products=3))
    old, recent = NOW - timedelta(days=31), NOW - timedelta(days=29)
    insert([at(old, V, PRODUCT_VIEW, a), at(old + timedelta(minutes=1), V, PRODUCT_VIEW, b)])
    insert([at(recent, W, PRODUCT_VIEW, a), at(recent + timedelta(minutes=1), W, PRODUCT_VIEW, c)])

    report = commit(full=True, now=NOW)

    assert report.events_read == 2
    assert neighbours(a) == [c]
    assert not PairCount.objects.filter(b=b).exists()
    assert not ItemCount.objects.filter(product_id=b).exists()


def test_inactive_products_are_never_neighbours_and_leave_the_lists_at_the_next_rebuild(commit):
    a, b, c = (p for p, _, _ in catalog(products=3))
    moment = NOW - timedelta(hours=1)
    insert([at(moment + timedelta(minutes=i), V, PRODUCT_VIEW, p) for i, p in enumerate((a, b, c))])
    commit(full=True, now=NOW)
    assert neighbours(a) == [b, c]

    # when b is taken off sale, an incremental rebuild without any new event drops it
    Product.objects.filter(pk=b).update(is_active=False)
    report = commit(full=False, now=NOW)

    assert report.changed is True
    assert neighbours(a) == [c]
    assert neighbours(c) == [a]
    assert neighbours(b) == []
    assert not Popularity.objects.filter(product_id=b).exists()
    # and a full rebuild agrees
    before = snapshot()
    assert commit(full=True, now=NOW).changed is False
    assert snapshot() == before


def test_only_product_views_cart_adds_and_purchases_with_a_product_count(commit):
    a, b, c, d = (p for p, _, _ in catalog(products=4))
    t = NOW - timedelta(hours=1)
    insert(
        [
            at(t, V, PRODUCT_VIEW, a),
            at(t + timedelta(seconds=10), V, ADD_TO_CART, a),
            at(t + timedelta(seconds=20), V, EventKind.PAGE_VIEW, b),
            at(t + timedelta(seconds=30), V, EventKind.REMOVE_FROM_CART, c),
            at(t + timedelta(seconds=40), V, PRODUCT_VIEW, d),
            at(t + timedelta(seconds=50), V, PURCHASE, d),
        ]
    )
    Event.objects.create(day=t.date(), occurred_at=t, visitor=V, kind=EventKind.SEARCH, product_id=None)

    report = commit(full=True, now=NOW)

    assert report.events_read == 4
    assert neighbours(a) == [d]
    assert neighbours(a, SimilarityKind.BOUGHT) == [d]
    assert dict(Popularity.objects.values_list("product_id", "score")) == {a: 1.0 + 3.0, d: 1.0 + 5.0}
    assert set(Popularity.objects.values_list("category_id", flat=True)) == set(
        Product.objects.filter(pk__in=[a, d]).values_list("category_id", flat=True)
    )


def test_an_incremental_rebuild_that_raced_another_one_changes_nothing(commit, monkeypatch):
    a, b, _ = (p for p, _, _ in catalog(products=3))
    commit(full=True, now=NOW - timedelta(hours=1))
    insert([at(NOW - timedelta(minutes=5), V, PRODUCT_VIEW, a), at(NOW - timedelta(minutes=4), V, PRODUCT_VIEW, b)])
    products = services._products

    def another_rebuild_meanwhile():
        RebuildState.objects.update(last_event_id=F("last_event_id") + 1)
        return products()

    monkeypatch.setattr(services, "_products", another_rebuild_meanwhile)
    with pytest.raises(RebuildConflict):
        commit(full=False, now=NOW)
    assert not PairCount.objects.exists()
    assert not Neighbour.objects.exists()
