"""Background work of orders: their emails are sent by a Celery task (eagerly in the embedded default)."""

from __future__ import annotations

from smtplib import SMTPException

from celery import shared_task

from allbuy.orders import emails


@shared_task(autoretry_for=(SMTPException, OSError), retry_backoff=30, max_retries=6, ignore_result=True)
def order_email(*, order_id: int, kind: str) -> None:
    emails.order_email_send(order_id=order_id, kind=kind)


@shared_task(ignore_result=True)
def orders_unpaid_expire_task(*, older_than_minutes: int = 30) -> int:
    """Scheduled by Celery beat (settings CELERY_BEAT_SCHEDULE): give back what abandoned payments held."""
    from allbuy.orders.services import orders_unpaid_expire

    return orders_unpaid_expire(older_than_minutes=older_than_minutes)
