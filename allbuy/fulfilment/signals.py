"""Shipments and their grants follow the order: made when it is paid, stopped when it is cancelled."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.dispatch import receiver

from allbuy.orders.models import Order
from allbuy.orders.signals import order_cancelled, order_paid


@receiver(order_paid, dispatch_uid="fulfilment_shipments_on_payment")
def _shipments_on_payment(sender: Any, order: Order, now: datetime, **kwargs: Any) -> None:
    from allbuy.fulfilment.services import shipments_create

    shipments_create(order=order, now=now)


@receiver(order_cancelled, dispatch_uid="fulfilment_stop_on_cancel")
def _shipments_on_cancel(sender: Any, order: Order, now: datetime, **kwargs: Any) -> None:
    from allbuy.fulfilment.services import shipments_cancel

    shipments_cancel(order=order, now=now)
