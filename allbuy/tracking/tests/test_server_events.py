"""Cart changes are recorded by the server itself, only for a visitor whose consent allows it."""

import pytest
from django.test import Client

from allbuy.tracking.models import Event, EventKind
from allbuy.tracking.tests.conftest import consenting, pseudonym

pytestmark = pytest.mark.django_db


def _add(client: Client, product) -> None:
    variant = product.variants.first()
    response = client.post("/cart/add/", {"variant": variant.pk, "quantity": "1", "next": f"/products/{product.slug}/"})
    assert response.status_code == 303


def test_add_and_remove_are_recorded_with_consent(client: Client, watches):
    consenting(client)
    _add(client, watches[2])
    added = Event.objects.get()
    assert (added.kind, added.product_id, added.visitor) == (EventKind.ADD_TO_CART, watches[2].pk, pseudonym())
    from allbuy.cart.models import CartLine

    line = CartLine.objects.get()
    assert client.post(f"/cart/lines/{line.pk}/remove/").status_code in (200, 303)
    assert list(Event.objects.order_by("id").values_list("kind", "product_id")) == [
        (EventKind.ADD_TO_CART, watches[2].pk),
        (EventKind.REMOVE_FROM_CART, watches[2].pk),
    ]


def test_nothing_is_recorded_without_consent(client: Client, watches, django_assert_max_num_queries):
    _add(client, watches[2])
    assert Event.objects.count() == 0


def test_nothing_is_recorded_under_gpc_even_after_an_earlier_accept(client: Client, watches):
    consenting(client)
    variant = watches[2].variants.first()
    client.post("/cart/add/", {"variant": variant.pk, "quantity": "1"}, HTTP_SEC_GPC="1")
    assert Event.objects.count() == 0
