"""At sign-in, the cart the visitor filled while anonymous joins the account's cart."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

from allbuy.accounts.models import User
from allbuy.cart.models import Cart
from allbuy.cart.services import SESSION_KEY, _session_cart_id, cart_for_user, cart_merge


@receiver(user_logged_in, dispatch_uid="cart_merge_at_login")
def _cart_merge_at_login(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    if request is None or not hasattr(request, "session"):
        return
    cart_id = _session_cart_id(request)
    request.session.pop(SESSION_KEY, None)
    source = Cart.objects.filter(pk=cart_id, user__isnull=True).first() if cart_id else None
    if source is None:
        return
    cart_merge(source=source, target=cart_for_user(user=user))
