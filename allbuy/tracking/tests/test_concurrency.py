"""Races on PostgreSQL: web workers writing the first events of a new day at the same instant, and counting pages."""

from datetime import timedelta
from functools import partial

import pytest

from allbuy.core import clock
from allbuy.core.tests.parallel import ON_POSTGRES_ONLY, run_together
from allbuy.tracking.ingest import EventRow
from allbuy.tracking.models import Event, PageViewCount
from allbuy.tracking.partitions import event_partitions, partition_name, partitions_forget
from allbuy.tracking.services import events_store

pytestmark = ON_POSTGRES_ONLY
WORKERS = 8


@pytest.fixture(autouse=True)
def _nothing_remembered():
    partitions_forget()
    yield
    partitions_forget()


def test_the_first_events_of_a_new_day_from_many_workers_all_land():
    # given a day whose partition does not exist yet
    moment = clock.now() + timedelta(days=3)
    day = moment.date()
    assert partition_name(day) not in event_partitions()
    row = EventRow(day, moment, 1, None, "/", "", "", 0, None, None, None)

    # when eight workers write their first batch of that day at once, and count the same page
    def batch(worker: int):
        return events_store([row] * 5, visitor=f"{worker:032x}", device=0, page_paths=["/", "/"], now=moment)

    outcomes = run_together([partial(batch, worker) for worker in range(WORKERS)], what="a batch")

    # then every batch was written once, into the one partition made for it, and no page view was lost
    assert outcomes == [5] * WORKERS
    assert Event.objects.filter(day=day).count() == 5 * WORKERS
    assert partition_name(day) in event_partitions()
    assert PageViewCount.objects.get(day=day, path="/").views == 2 * WORKERS
