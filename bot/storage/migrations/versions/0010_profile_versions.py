"""Profile versions: the runner's week, kit, race... from one day on, so progress survives changes

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 08:00:00.000000
"""

import datetime
import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def upgrade() -> None:
    versions = op.create_table(
        "profile_versions",
        sa.Column("runner_id", sa.Integer(), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("profile", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["runner_id"],
            ["runners.id"],
            name=op.f("fk_profile_versions_runner_id_runners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("runner_id", "effective_on", name=op.f("pk_profile_versions")),
    )
    op.bulk_insert(versions, _current_profiles())


def _current_profiles() -> list[dict[str, Any]]:
    """Each runner's profile as it stands, from the day their coaching started."""
    bind = op.get_bind()
    days: dict[int, dict[str, str]] = {}
    for runner_id, weekday, kind in bind.execute(
        sa.text("SELECT runner_id, weekday, kind FROM running_days")
    ):
        days.setdefault(runner_id, {})[WEEKDAYS[weekday]] = kind
    rows = bind.execute(
        sa.text(
            "SELECT id, started_on, experience, equipment, sessions_per_week, race_date,"
            " race_name, trail_runs_per_week FROM runners"
        )
    ).mappings()
    return [
        {
            "runner_id": row["id"],
            "effective_on": _date(row["started_on"]),
            "profile": {
                "experience": row["experience"],
                "week": days.get(row["id"], dict.fromkeys(WEEKDAYS, "rest")),
                "equipment": sorted(_json(row["equipment"])),
                "sessions_per_week": row["sessions_per_week"],
                "race_date": _iso(row["race_date"]),
                "race_name": row["race_name"],
                "trail_runs_per_week": row["trail_runs_per_week"],
            },
        }
        for row in rows
    ]


def _json(value: Any) -> Any:
    """A JSON column as read by a plain statement: text on SQLite, decoded on PostgreSQL."""
    return json.loads(value) if isinstance(value, str) else value


def _date(value: Any) -> Any:
    """A date column as read by a plain statement: text on SQLite."""
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value


def _iso(value: Any) -> str | None:
    return None if value is None else str(_date(value).isoformat())


def downgrade() -> None:
    op.drop_table("profile_versions")
