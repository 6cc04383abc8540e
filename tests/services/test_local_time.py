"""Reminder times across daylight-saving changes, in both directions."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.services.plans.local_time import due_at


@pytest.mark.parametrize(
    ("zone", "day", "local", "expected_utc"),
    [
        # spring forward: 02:30 does not exist and moves forward by the hour gap, to 03:30
        ("Europe/Berlin", date(2026, 3, 29), time(2, 30), datetime(2026, 3, 29, 1, 30)),
        ("America/New_York", date(2026, 3, 8), time(2, 30), datetime(2026, 3, 8, 7, 30)),
        # fall back: the repeated time is its first occurrence (summer time)
        ("Europe/Berlin", date(2026, 10, 25), time(2, 30), datetime(2026, 10, 25, 0, 30)),
        ("America/New_York", date(2026, 11, 1), time(1, 30), datetime(2026, 11, 1, 5, 30)),
        # ordinary times either side of the changes
        ("Europe/Berlin", date(2026, 3, 29), time(7, 0), datetime(2026, 3, 29, 5, 0)),
        ("Europe/Berlin", date(2026, 10, 25), time(7, 0), datetime(2026, 10, 25, 6, 0)),
        ("America/New_York", date(2026, 3, 8), time(7, 0), datetime(2026, 3, 8, 11, 0)),
        ("America/New_York", date(2026, 11, 1), time(7, 0), datetime(2026, 11, 1, 12, 0)),
    ],
)
def test_due_at_across_daylight_saving(
    zone: str, day: date, local: time, expected_utc: datetime
) -> None:
    assert due_at(day, local, zone) == expected_utc.replace(tzinfo=UTC)


ZONES = st.sampled_from(
    ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "UTC"]
)


@given(
    zone=ZONES,
    day=st.dates(date(2024, 1, 1), date(2030, 12, 31)),
    local=st.times().map(lambda t: t.replace(microsecond=0)),
)
def test_due_at_keeps_existing_times_and_moves_gap_times_forward_by_the_gap(
    zone: str, day: date, local: time
) -> None:
    tz = ZoneInfo(zone)
    due = due_at(day, local, zone)
    wall = datetime.combine(day, local)
    seen = due.astimezone(tz).replace(tzinfo=None)
    if seen != wall:  # a time in a spring-forward gap
        before = datetime.combine(day, local.replace(fold=0), tzinfo=tz).utcoffset()
        after = (due + timedelta(seconds=1)).astimezone(tz).utcoffset()
        assert before is not None and after is not None
        assert seen - wall == after - before > timedelta(0)
    else:
        earlier = due - timedelta(hours=3)
        # the first occurrence: no earlier instant shows the same wall time
        assert all(
            (earlier + timedelta(minutes=m)).astimezone(tz).replace(tzinfo=None) != wall
            for m in range(180)
        )
