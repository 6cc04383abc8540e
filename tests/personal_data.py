"""Where a runner's personal data lives: every table that keeps something about them, the
part of /export that holds its rows, and a search of every column for their names and words;
for the export and deletion tests of every platform."""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any

from sqlalchemy import Connection, MetaData, Table, func, or_, select

from bot.storage.database import Database
from bot.storage.models import Base

# Every table that keeps something about a runner, by runner id or platform user id, and the
# part of /export that holds its rows (planned exercises go nested in their sessions).
EXPORTED = {
    "runners": "runner",
    "running_days": "running_week",
    "planned_sessions": "planned_sessions",
    "session_logs": "session_logs",
    "check_ins": "check_ins",
    "plan_changes": "plan_changes",
    "resumptions": "resumptions",
    "plan_checkpoints": "plan_checkpoint",
    "profile_versions": "profile_versions",
    "club_memberships": "club_memberships",
    "club_marks": "club_marks",
    "dispatches": "reminders",
    "dialog_states": "open_question",
    "calendar_events": "calendar_events",
    "plan_links": "running_plan_link",
    "run_kind_rules": "running_plan_rules",
    "real_week_versions": "real_week_versions",
}
PERSONAL_COLUMNS = ("runner_id", "user_id", "platform_user_id")


async def rows_about(database: Database, *, runner_id: int, user_id: str) -> dict[str, int]:
    """How many rows of each table are about the runner, by runner id or platform user id."""
    found = {}
    async with database.unit_of_work() as uow:
        for table in Base.metadata.sorted_tables:
            columns = [table.c[name] for name in PERSONAL_COLUMNS if name in table.c]
            keys = [c == (runner_id if c.name == "runner_id" else user_id) for c in columns]
            if table.name == "runners":
                keys.append(table.c.id == runner_id)
            if keys:
                query = select(func.count()).select_from(table).where(or_(*keys))
                found[table.name] = int(await uow.session.scalar(query) or 0)
    return found


async def traces_of(database: Database, needles: Collection[str]) -> list[str]:
    """Every ``table.column`` of the database (as it is, not as the models say) holding one of
    ``needles`` in some row: as given, or escaped as JSON keeps it."""
    forms = {form for needle in needles for form in (needle, json.dumps(needle)[1:-1])}
    found = set()
    async with database.engine.connect() as connection:
        for table in await connection.run_sync(_tables):
            for row in await connection.execute(select(table)):
                for column, value in zip(table.columns, row, strict=True):
                    if any(form in _as_text(value) for form in forms):
                        found.add(f"{table.name}.{column.name}")
    return sorted(found)


def _tables(connection: Connection) -> list[Table]:
    metadata = MetaData()
    metadata.reflect(connection)
    return list(metadata.sorted_tables)


def _as_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
