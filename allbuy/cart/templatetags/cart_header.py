"""The header's cart link: how many items the visitor's cart holds."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Sum
from django.http import HttpRequest

from allbuy.cart.models import CartLine
from allbuy.cart.services import _session_cart_id

register = template.Library()


def cart_item_count(request: HttpRequest) -> int:
    """Return the number of items in the visitor's cart: one query, none for an anonymous visitor without a cart."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        lines = CartLine.objects.filter(cart__user=user)
    else:
        cart_id = _session_cart_id(request) if hasattr(request, "session") else None
        if cart_id is None:
            return 0
        lines = CartLine.objects.filter(cart_id=cart_id, cart__user__isnull=True)
    return int(lines.aggregate(items=Sum("quantity"))["items"] or 0)


@register.simple_tag(takes_context=True)
def header_cart_count(context: Any) -> int:
    request = context.get("request")
    return cart_item_count(request) if request is not None else 0
