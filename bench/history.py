"""Tenure for the reminder benchmarks: a year of reports, months of sent reminders.

Rows are generated in the database, one ``INSERT ... SELECT`` over the runners per day (and
kind), so millions of them take seconds. Runner ``n`` trains on the weekdays ``n % 7`` and
``(n + 3) % 7`` (``bench.reminders.two_a_week``) and reports every session: a log, and the
next day a check-in, except for the check-in about the day before ``today`` (the one the
tick is about to ask for).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, insert, literal, select

from bot.storage.database import Database
from bot.storage.models import CheckIn, Dispatch, DispatchKind, DispatchStatus, Runner, SessionLog

DAY = timedelta(days=1)
_runners = cast(Table, Runner.__table__)


def _training_on(day: date) -> ColumnElement[bool]:
    """The runners whose two weekly sessions include ``day``'s weekday."""
    weekday = day.weekday()
    return (_runners.c.id % 7).in_((weekday, (weekday - 3) % 7))


async def _insert(
    database: Database, model: type[Any], values: dict[str, Any], *where: Any
) -> None:
    table = cast(Table, model.__table__)
    columns = [literal(value, table.c[name].type).label(name) for name, value in values.items()]
    query = select(_runners.c.id.label("runner_id"), *columns).where(*where)
    async with database.unit_of_work() as uow:
        await uow.session.execute(insert(table).from_select(["runner_id", *values], query))


async def reports(database: Database, today: date, days: int) -> None:
    """A log of every session in the ``days`` before ``today``, and a check-in on each."""
    for back in range(1, days + 1):
        day = today - back * DAY
        at = datetime.combine(day, time(18), UTC)
        log = {
            "session_date": day,
            "completed": "full",
            "rpe": 5,
            "pain": [],
            "hips_level": True,
            "logged_at": at,
        }
        await _insert(database, SessionLog, log, _training_on(day))
        if back > 1:
            check_in = {
                "session_date": day,
                "legs": "fresh",
                "soreness_where": [],
                "pain": [],
                "ran_normally": True,
                "descending_stiff": False,
                "hamstring_sensitive": False,
                "answered_at": at + DAY,
            }
            await _insert(database, CheckIn, check_in, _training_on(day))


async def sent(database: Database, today: date, days: int) -> None:
    """The reminders of the ``days`` before ``today``, all sent: sessions, check-ins, and
    week previews on the weekday runner ``n``'s plan week starts (``n % 7``, Monday 0, as
    ``bench.reminders.seed`` sets it)."""
    for back in range(1, days + 1):
        day = today - back * DAY
        due = datetime.combine(day, time(6), UTC)
        for kind, where in (
            (DispatchKind.SESSION, _training_on(day)),
            (DispatchKind.CHECK_IN, _training_on(day - DAY)),
            (DispatchKind.WEEK_PREVIEW, _runners.c.id % 7 == day.weekday()),
        ):
            row = {
                "kind": kind,
                "local_date": day,
                "due_at": due,
                "status": DispatchStatus.SENT,
                "sent_at": due,
                "message_id": "1",
            }
            await _insert(database, Dispatch, row, where)
