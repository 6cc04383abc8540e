"""The tick's work on SQLite: its statements off the event loop."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from bot.storage import sqlite_driver
from tests.schedules.conftest import BERLIN_7, Reminders, add_runner

MONDAY = date(2026, 11, 23)
SEVEN_BERLIN = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)


@pytest.fixture
def on_sqlite(reminders: Reminders) -> Reminders:
    if reminders.database.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's driver and WAL")
    return reminders


async def test_the_ticks_statements_run_off_the_event_loop(
    on_sqlite: Reminders, monkeypatch: pytest.MonkeyPatch
) -> None:
    reminders = on_sqlite
    reminders.clock.now = SEVEN_BERLIN - timedelta(hours=12)
    await add_runner(reminders, sessions=(MONDAY,), **BERLIN_7)
    ran_on: list[int] = []
    execute = sqlite_driver._execute

    def recorded(connection: sqlite3.Connection, sql: str, parameters: Any) -> Any:
        ran_on.append(threading.get_ident())
        return execute(connection, sql, parameters)

    monkeypatch.setattr(sqlite_driver, "_execute", recorded)
    reminders.clock.now = SEVEN_BERLIN
    assert (await reminders.run())["sent"] == 1

    assert ran_on  # planning, claiming, the journal, pruning...
    assert threading.get_ident() not in ran_on  # ...each on its connection's thread
