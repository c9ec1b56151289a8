"""Without a Celery broker there is no beat: the embedded default rebuilds recommendations when events come in.

At most once per `ALLBUY_RECOMMENDATIONS_EMBEDDED_REBUILD_SECONDS` per web worker, after a batch of events is
stored, an incremental rebuild runs in that request (the page script's beacon, which nobody waits for). With a
broker, Celery beat schedules the rebuilds (CELERY_BEAT_SCHEDULE) and this does nothing.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from django.conf import settings
from django.dispatch import receiver

from allbuy.tracking.signals import events_stored

_lock = threading.Lock()
_last_started: list[float] = []


def rebuild_due(*, now: float) -> bool:
    """Tell whether this worker should rebuild now, and if so remember that it did."""
    interval = settings.ALLBUY_RECOMMENDATIONS_EMBEDDED_REBUILD_SECONDS
    if not settings.CELERY_TASK_ALWAYS_EAGER or interval <= 0:
        return False
    with _lock:
        if _last_started and now - _last_started[0] < interval:
            return False
        _last_started[:] = [now]
    return True


def rebuild_due_forget() -> None:
    with _lock:
        _last_started.clear()


@receiver(events_stored, dispatch_uid="personalisation_rebuild_when_due")
def _rebuild_when_due(sender: Any, **kwargs: Any) -> None:
    if rebuild_due(now=time.monotonic()):
        from allbuy.personalisation.tasks import recommendations_rebuild_task

        recommendations_rebuild_task.delay(full=False)
