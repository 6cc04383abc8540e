"""Local reminder times as UTC instants, across daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def due_at(local_date: date, local_time: time, timezone: str | ZoneInfo) -> datetime:
    """The UTC instant of ``local_time`` on ``local_date`` in ``timezone``.

    A time skipped by a spring-forward change moves forward by the length of the gap
    (02:30 becomes 03:30); a time repeated by an autumn change is its first occurrence.
    Both follow from ``fold=0``, which reads the wall clock with the offset in force
    before the change.
    """
    zone = timezone if isinstance(timezone, ZoneInfo) else ZoneInfo(timezone)
    return datetime.combine(local_date, local_time.replace(fold=0), tzinfo=zone).astimezone(UTC)


def first_day(now: datetime, timezone: str, reminder: time) -> date:
    """Today in ``timezone``, or tomorrow once today's reminder time has passed: a session
    placed after its own reminder would never be sent."""
    local = now.astimezone(ZoneInfo(timezone))
    return local.date() + timedelta(days=int(local.time() >= reminder))
