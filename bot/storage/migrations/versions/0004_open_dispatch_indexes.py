"""Partial indexes on the dispatch rows; runners by local reminder time

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21 02:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PENDING = "status = 'pending'"
IN_FLIGHT = "status IN ('claimed', 'sending')"


def upgrade() -> None:
    op.drop_index("ix_dispatches_status", table_name="dispatches")
    with op.batch_alter_table("dispatches") as batch:  # SQLite copies the table to do this
        batch.drop_constraint("uq_dispatches_runner_id_local_date_kind", type_="unique")
        batch.drop_constraint("uq_dispatches_club_id_local_date_kind", type_="unique")
    for recipient in ("runner_id", "club_id"):
        _partial_index(
            f"uq_dispatches_{recipient}_local_date_kind",
            [recipient, "local_date", "kind"],
            where=f"{recipient} IS NOT NULL",
            unique=True,
        )
    _partial_index("ix_dispatches_pending", ["due_at"], where=PENDING)
    _partial_index("ix_dispatches_in_flight", ["claimed_at"], where=IN_FLIGHT)
    op.create_index(
        op.f("ix_runners_timezone"),
        "runners",
        ["timezone", "reminder_time", "status", "week_preview", "started_on"],
        unique=False,
    )


def _partial_index(name: str, columns: list[str], *, where: str, unique: bool = False) -> None:
    """An index on the dispatch rows matching ``where``, on SQLite and PostgreSQL."""
    condition = sa.text(where)
    op.create_index(
        name,
        "dispatches",
        columns,
        unique=unique,
        sqlite_where=condition,
        postgresql_where=condition,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_runners_timezone"), table_name="runners")
    op.drop_index("ix_dispatches_in_flight", table_name="dispatches")
    op.drop_index("ix_dispatches_pending", table_name="dispatches")
    for recipient in ("runner_id", "club_id"):
        op.drop_index(f"uq_dispatches_{recipient}_local_date_kind", table_name="dispatches")
    with op.batch_alter_table("dispatches") as batch:
        for recipient in ("runner_id", "club_id"):
            batch.create_unique_constraint(
                f"uq_dispatches_{recipient}_local_date_kind", [recipient, "local_date", "kind"]
            )
    op.create_index("ix_dispatches_status", "dispatches", ["status", "due_at"], unique=False)
