"""Deal windows as pure functions over datetimes: half-open [start, end) intervals in the shop's local day.

Nothing here touches the database or the clock; the time zone is passed in (or read from settings by
`shop_timezone`, the one impure helper, kept apart so the rest stays testable with any zone).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from django.conf import settings


def shop_timezone() -> ZoneInfo:
    """Return the zone whose local midnight rolls daily deals over (settings.ALLBUY_TIMEZONE)."""
    return ZoneInfo(settings.ALLBUY_TIMEZONE)


def local_midnight(day: date, tz: tzinfo) -> datetime:
    """Return the first instant of `day` in `tz`, in UTC.

    Where a DST jump skips midnight itself (clocks go 00:00 → 01:00), zoneinfo resolves the missing
    wall time with the offset in force before the jump, which lands on the first instant that exists.
    """
    return datetime.combine(day, time.min, tzinfo=tz).astimezone(UTC)


def day_window(day: date, tz: tzinfo | None = None) -> tuple[datetime, datetime]:
    """Return [local midnight of `day`, local midnight of the next day) in UTC: 23, 24 or 25 hours long."""
    zone = tz if tz is not None else shop_timezone()
    return local_midnight(day, zone), local_midnight(day + timedelta(days=1), zone)


def local_day(moment: datetime, tz: tzinfo | None = None) -> date:
    """Return the shop-local calendar date that contains the aware `moment`."""
    if moment.tzinfo is None:
        raise ValueError("local_day needs a timezone-aware datetime")
    return moment.astimezone(tz if tz is not None else shop_timezone()).date()


def window_contains(start: datetime, end: datetime, moment: datetime) -> bool:
    """Return whether `moment` lies in the half-open window [start, end)."""
    return start <= moment < end


def windows_overlap(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    """Return whether two half-open windows share an instant (touching windows do not overlap)."""
    return a_start < b_end and b_start < a_end


def next_boundary(moment: datetime, windows: Iterable[tuple[datetime, datetime]]) -> datetime | None:
    """Return the earliest window start or end strictly after `moment`, or None when nothing changes any more."""
    later = [edge for window in windows for edge in window if edge > moment]
    return min(later) if later else None
