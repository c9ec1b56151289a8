from datetime import UTC, datetime, timedelta

import pytest

from allbuy.tracking.models import Event, EventKind
from allbuy.tracking.partitions import event_partition_ensure, partitions_forget
from allbuy.tracking.selectors import visitor_recent_products

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 10, 12, 0, tzinfo=UTC)
VISITOR = "a" * 32


@pytest.fixture(autouse=True)
def _partitions_forgotten():
    # Partitions made in a rolled-back test are gone: the next test must create them again.
    partitions_forget()


def event(kind: int, product_id: int | None, *, at: datetime, visitor: str = VISITOR) -> Event:
    event_partition_ensure(at.date())
    return Event.objects.create(day=at.date(), occurred_at=at, visitor=visitor, kind=kind, product_id=product_id)


def test_recent_products_are_newest_first_and_each_once(django_assert_num_queries):
    event(EventKind.PRODUCT_VIEW, 1, at=NOW - timedelta(hours=5))
    event(EventKind.PRODUCT_VIEW, 2, at=NOW - timedelta(hours=4))
    event(EventKind.ADD_TO_CART, 3, at=NOW - timedelta(hours=3))
    event(EventKind.PRODUCT_VIEW, 1, at=NOW - timedelta(hours=2))
    event(EventKind.PURCHASE, 4, at=NOW - timedelta(hours=1))

    with django_assert_num_queries(1):
        recent = visitor_recent_products(visitor=VISITOR, since=NOW - timedelta(days=1))

    assert recent == [4, 1, 3, 2]


def test_only_this_visitors_interest_since_the_given_moment_counts():
    event(EventKind.PRODUCT_VIEW, 1, at=NOW - timedelta(days=3))  # too old
    event(EventKind.PRODUCT_VIEW, 2, at=NOW - timedelta(hours=1), visitor="b" * 32)  # someone else
    event(EventKind.REMOVE_FROM_CART, 3, at=NOW - timedelta(hours=1))  # not interest
    event(EventKind.PAGE_VIEW, None, at=NOW - timedelta(hours=1))
    event(EventKind.SEARCH, None, at=NOW - timedelta(hours=1))
    event(EventKind.PRODUCT_VIEW, 5, at=NOW - timedelta(hours=1))

    assert visitor_recent_products(visitor=VISITOR, since=NOW - timedelta(days=2)) == [5]


def test_an_event_received_the_day_after_it_happened_still_counts():
    at = NOW - timedelta(hours=1)
    event_partition_ensure(NOW.date() + timedelta(days=1))
    Event.objects.create(
        day=NOW.date() + timedelta(days=1), occurred_at=at, visitor=VISITOR, kind=EventKind.PRODUCT_VIEW, product_id=7
    )

    assert visitor_recent_products(visitor=VISITOR, since=at) == [7]


def test_at_most_limit_products():
    for i in range(5):
        event(EventKind.PRODUCT_VIEW, i, at=NOW - timedelta(minutes=10 - i))

    assert visitor_recent_products(visitor=VISITOR, since=NOW - timedelta(days=1), limit=3) == [4, 3, 2]
