"""Without a broker, stored events rebuild the recommendations in the web worker, at most once per interval."""

import json
from datetime import timedelta

import pytest
from django.test import Client

from allbuy.core import clock
from allbuy.personalisation.models import Neighbour, RebuildState
from allbuy.personalisation.signals import rebuild_due_forget
from allbuy.personalisation.tests.wearables import Shop
from allbuy.tracking.consent import CONSENT_COOKIE, VISITOR_COOKIE, Choice

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_interval():
    rebuild_due_forget()
    yield
    rebuild_due_forget()


def _views(client: Client, *products) -> None:
    start = clock.now() - timedelta(minutes=5)
    events = [
        {"type": "product_view", "ts": int((start + timedelta(seconds=i)).timestamp() * 1000), "path": "/", "product": p.pk}
        for i, p in enumerate(products)
    ]
    response = client.post("/events/batch", json.dumps({"events": events}), content_type="text/plain")
    assert response.json()["accepted"] == len(products)


def _consenting(client: Client) -> Client:
    client.cookies[CONSENT_COOKIE] = Choice(False, True, False, False, "", clock.now()).cookie_value()
    client.cookies[VISITOR_COOKIE] = "Zz0Yy1Xx2Ww3Vv4Uu5Tt6S"
    return client


def test_events_rebuild_the_lists_once_per_interval(client: Client, shop: Shop, settings):
    settings.ALLBUY_RECOMMENDATIONS_EMBEDDED_REBUILD_SECONDS = 600
    a, b, c = shop.watched
    _views(_consenting(client), a, b)
    assert set(Neighbour.objects.filter(product=a).values_list("neighbour_id", flat=True)) == {b.pk}
    rebuilt_at = RebuildState.objects.get().last_incremental_at

    _views(client, a, c)  # within the interval: stored, not rebuilt yet

    assert RebuildState.objects.get().last_incremental_at == rebuilt_at
    assert not Neighbour.objects.filter(product=a, neighbour=c).exists()


def test_nothing_is_rebuilt_when_turned_off_or_with_a_broker(client: Client, shop: Shop, settings):
    a, b = shop.watched[:2]
    settings.ALLBUY_RECOMMENDATIONS_EMBEDDED_REBUILD_SECONDS = 0
    _views(_consenting(client), a, b)
    settings.ALLBUY_RECOMMENDATIONS_EMBEDDED_REBUILD_SECONDS = 600
    settings.CELERY_TASK_ALWAYS_EAGER = False  # a broker: beat schedules the rebuilds
    _views(client, a, b)
    assert not Neighbour.objects.exists()
    assert not RebuildState.objects.exists()
