"""The scheduled jobs are registered with beat and do their work when run."""

from datetime import timedelta

import pytest
from django.conf import settings

from allbuy.cart.models import Cart
from allbuy.cart.services import cart_create
from allbuy.cart.tasks import carts_purge_task
from allbuy.orders.models import Order, OrderStatus
from allbuy.orders.tasks import orders_unpaid_expire_task
from allbuy.orders.tests.factories import CARD_TIMEOUT, NOW, card, shopper_ready
from allbuy.payments.exceptions import GatewayTimeout

pytestmark = pytest.mark.django_db


def test_every_scheduled_task_exists():
    from config.celery import app

    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks, entry["task"]


def test_the_expiry_task_cancels_an_abandoned_payment(monkeypatch):
    from allbuy.orders.services import order_place

    shopper = shopper_ready()
    with pytest.raises(GatewayTimeout):
        order_place(
            user=shopper.user, cart=shopper.cart, address_id=shopper.address.pk, shipping_code="standard",
            idempotency_key="abandoned-1", card=card(CARD_TIMEOUT), now=NOW,
        )  # fmt: skip
    monkeypatch.setattr("allbuy.core.clock.now", lambda: NOW + timedelta(hours=1))

    assert orders_unpaid_expire_task.delay().get() == 1
    assert Order.objects.get().status == OrderStatus.CANCELLED


def test_the_purge_task_deletes_old_anonymous_carts(monkeypatch):
    cart_create(now=NOW - timedelta(days=30))
    monkeypatch.setattr("allbuy.core.clock.now", lambda: NOW)
    assert carts_purge_task.delay().get() == 1
    assert not Cart.objects.exists()
