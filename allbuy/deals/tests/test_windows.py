from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from allbuy.deals.windows import day_window, local_day, next_boundary, window_contains, windows_overlap

BERLIN = ZoneInfo("Europe/Berlin")


def test_an_ordinary_day_runs_from_local_midnight_to_local_midnight():
    start, end = day_window(date(2025, 6, 10), BERLIN)

    assert start == datetime(2025, 6, 9, 22, 0, tzinfo=UTC)
    assert end == datetime(2025, 6, 10, 22, 0, tzinfo=UTC)


def test_the_spring_dst_day_has_23_hours():
    start, end = day_window(date(2025, 3, 30), BERLIN)

    assert start == datetime(2025, 3, 29, 23, 0, tzinfo=UTC)
    assert end - start == timedelta(hours=23)


def test_the_autumn_dst_day_has_25_hours():
    start, end = day_window(date(2025, 10, 26), BERLIN)

    assert start == datetime(2025, 10, 25, 22, 0, tzinfo=UTC)
    assert end - start == timedelta(hours=25)


def test_a_zone_that_skips_midnight_starts_the_day_at_its_first_instant():
    # Santiago jumped from 00:00 to 01:00 on 2022-09-11.
    santiago = ZoneInfo("America/Santiago")

    start, _ = day_window(date(2022, 9, 11), santiago)

    assert start.astimezone(santiago).hour == 1
    assert local_day(start, santiago) == date(2022, 9, 11)
    assert local_day(start - timedelta(microseconds=1), santiago) == date(2022, 9, 10)


def test_the_default_zone_comes_from_settings(settings):
    settings.ALLBUY_TIMEZONE = "Asia/Shanghai"

    start, _ = day_window(date(2025, 6, 10))

    assert start == datetime(2025, 6, 9, 16, 0, tzinfo=UTC)


@given(
    day=st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)),
    zone=st.sampled_from(["Europe/Berlin", "America/New_York", "Australia/Sydney", "UTC"]),
)
def test_days_tile_time_and_every_instant_belongs_to_its_day(day, zone):
    tz = ZoneInfo(zone)
    start, end = day_window(day, tz)
    next_start, _ = day_window(day + timedelta(days=1), tz)

    assert end == next_start
    assert timedelta(hours=22) <= end - start <= timedelta(hours=26)
    assert local_day(start, tz) == day
    assert local_day(end - timedelta(microseconds=1), tz) == day


def test_local_day_refuses_naive_times():
    with pytest.raises(ValueError, match="timezone-aware"):
        local_day(datetime(2025, 6, 10, 12, 0), BERLIN)


def test_windows_are_half_open():
    start, end = datetime(2025, 6, 10, tzinfo=UTC), datetime(2025, 6, 11, tzinfo=UTC)

    assert window_contains(start, end, start)
    assert not window_contains(start, end, end)
    assert not windows_overlap(start, end, end, end + timedelta(days=1))
    assert windows_overlap(start, end, end - timedelta(seconds=1), end + timedelta(days=1))


def test_next_boundary_is_the_first_edge_after_now():
    now = datetime(2025, 6, 10, 12, tzinfo=UTC)
    windows = [(now - timedelta(hours=2), now + timedelta(hours=3)), (now + timedelta(hours=1), now + timedelta(hours=9))]

    assert next_boundary(now, windows) == now + timedelta(hours=1)
    assert next_boundary(now + timedelta(hours=9), windows) is None
