"""Scheduled work of tracking."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from allbuy.core import clock
from allbuy.tracking.access_log import access_logs_purge


@shared_task(ignore_result=True)
def access_logs_purge_task(*, days: int | None = None) -> int:
    """Scheduled by Celery beat (daily): delete access-log files older than `ALLBUY_ACCESS_LOG_DAYS` days."""
    return access_logs_purge(now=clock.now(), days=days if days is not None else settings.ALLBUY_ACCESS_LOG_DAYS)


@shared_task(ignore_result=True)
def events_purge_task() -> str:
    """Scheduled by Celery beat (daily): raw events past `ALLBUY_EVENT_RETENTION_DAYS` go (PostgreSQL: day partitions)."""
    from allbuy.tracking.services import events_purge

    return repr(events_purge())
