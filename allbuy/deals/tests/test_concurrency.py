"""The deal cap holds under real parallel connections (PostgreSQL; SQLite serialises writers, so proves nothing)."""

import threading

import pytest
from django.db import connection, connections

from allbuy.deals.models import Deal
from allbuy.deals.services import deal_units_take
from allbuy.deals.tests.factories import NOW, DealFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL: SQLite runs one writer at a time, so no race to prove"
    ),
]


def test_twelve_parallel_takes_on_a_cap_of_three_give_exactly_three():
    # given
    deal = DealFactory.create(quantity_cap=3)
    buyers = 12
    barrier = threading.Barrier(buyers)
    results: list[bool] = []
    lock = threading.Lock()

    def buy() -> None:
        try:
            barrier.wait(timeout=10)
            taken = deal_units_take(deal_id=deal.pk, quantity=1, now=NOW)
            with lock:
                results.append(taken)
        finally:
            connections.close_all()

    # when
    threads = [threading.Thread(target=buy) for _ in range(buyers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    # then
    assert len(results) == buyers
    assert results.count(True) == 3
    assert Deal.objects.get(pk=deal.pk).units_sold == 3
