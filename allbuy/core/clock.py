"""The one source of the current time, so tests can move it (time_machine or monkeypatch `now`)."""

from datetime import datetime

from django.utils import timezone


def now() -> datetime:
    """Return the current timezone-aware time (UTC)."""
    return timezone.now()
