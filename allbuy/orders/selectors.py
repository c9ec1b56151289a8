"""Reads of orders for their customer: history, one order, its shipping address (the customer's own data)."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, QuerySet

from allbuy.accounts.models import User
from allbuy.orders.exceptions import OrderNotFound
from allbuy.orders.models import SHIP_TO_MEMBERS, Order, OrderEvent, OrderLine, Payment
from allbuy.privacy.datamap import Purpose
from allbuy.privacy.models import DataSubject
from allbuy.privacy.services import Actor, own_data_reveal, personal_data_read

HISTORY_PAGE_SIZE = 20


def _own(user: User) -> QuerySet[Order]:
    return Order.objects.filter(user=user)


def orders_page(*, user: User, page: int = 1) -> Page:
    """The customer's orders, newest first, with their lines: two queries per page plus the count."""
    lines = Prefetch("lines", queryset=OrderLine.objects.order_by("id"))
    qs = _own(user).prefetch_related(lines).order_by("-placed_at", "-id")
    return Paginator(qs, HISTORY_PAGE_SIZE).get_page(page)


def order_for_user(*, user: User, number: str) -> Order:
    """Return the customer's own order with its lines, events and payments; anyone else's is "not found"."""
    order = (
        _own(user)
        .filter(number=str(number)[:16])
        .prefetch_related(
            Prefetch("lines", queryset=OrderLine.objects.order_by("id")),
            Prefetch("events", queryset=OrderEvent.objects.order_by("at", "id")),
            Prefetch("payments", queryset=Payment.objects.order_by("created_at", "id")),
        )
        .first()
    )
    if order is None:
        raise OrderNotFound("There is no such order in your account.")
    return order


def order_ship_to(*, order: Order, user: User) -> dict[str, str]:
    """The address the order goes to, for its own customer's eyes."""
    return own_data_reveal(instance=order, fields=SHIP_TO_MEMBERS, subject=user.subject)


CARRIER_ASSIGNMENT = Actor.system("carrier assignment")


def order_country(*, order: Order) -> str:
    """The destination country, read by AllBuy's carrier assignment for shipping (a logged read, like any other)."""
    return personal_data_read(
        actor=CARRIER_ASSIGNMENT,
        subject=DataSubject(pk=order.subject_id),
        instance=order,
        fields=["country"],
        purpose=Purpose.SHIPPING,
        context={"order": order.number},
    )["country"]
