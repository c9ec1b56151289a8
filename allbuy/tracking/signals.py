"""At sign-in, the browser and the account agree on the newer consent decision, and a consenting visitor is linked."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import Signal, receiver
from django.http import HttpRequest

from allbuy.tracking.cookies import consent_at_sign_in

# Sent with `count` after a batch of behaviour events is stored (personalisation keeps its lists fresh with it).
events_stored = Signal()


@receiver(user_logged_in, dispatch_uid="tracking_consent_at_sign_in")
def _consent_at_sign_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is None or not hasattr(request, "COOKIES"):
        return
    consent_at_sign_in(request, user)
