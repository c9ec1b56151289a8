"""Scheduled work of personalisation: the recommendations rebuild (Celery beat; eager without a broker)."""

from __future__ import annotations

import logging

from celery import shared_task

from allbuy.personalisation.services import RebuildConflict, recommendations_rebuild

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def recommendations_rebuild_task(*, full: bool = False) -> str:
    """Rebuild the recommendations: incrementally every few minutes, in full once a day (CELERY_BEAT_SCHEDULE)."""
    try:
        report = recommendations_rebuild(full=full)
    except RebuildConflict as error:
        # Another rebuild advanced meanwhile; the next scheduled run starts from where it ended.
        logger.warning("recommendations rebuild skipped: %s", error.message)
        return error.message
    logger.info("recommendations %s", report.line())
    return report.line()
