"""Scheduled work of carts."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task

from allbuy.cart.services import carts_anonymous_purge
from allbuy.core import clock


@shared_task(ignore_result=True)
def carts_purge_task(*, days: int = 14) -> int:
    """Scheduled by Celery beat: anonymous carts live as long as the session that found them."""
    return carts_anonymous_purge(older_than=clock.now() - timedelta(days=days))
