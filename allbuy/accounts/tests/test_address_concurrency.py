"""Two requests changing the default address at once still leave exactly one default (PostgreSQL row locks)."""

import threading

import pytest
from django.db import connection, connections

from allbuy.accounts.models import Address
from allbuy.accounts.services import address_set_default
from allbuy.accounts.tests.factories import address_add, customer_create

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections (PostgreSQL)"),
]


def test_concurrent_set_default_leaves_exactly_one_default():
    user = customer_create("race@example.org")
    address_add(user)
    others = [address_add(user, line1=f"Street {n}") for n in range(2)]
    start = threading.Barrier(len(others))
    errors: list[BaseException] = []

    def choose(address_id: int) -> None:
        try:
            start.wait()
            address_set_default(user=user, address_id=address_id)
        except BaseException as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=choose, args=(address.pk,)) for address in others]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Address.objects.filter(user=user, is_default=True).count() == 1
