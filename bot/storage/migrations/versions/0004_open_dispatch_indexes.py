"""Partial indexes on the open dispatch rows; runners by local reminder time

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
    op.create_index(
        "ix_dispatches_pending",
        "dispatches",
        ["due_at"],
        sqlite_where=sa.text(PENDING),
        postgresql_where=sa.text(PENDING),
    )
    op.create_index(
        "ix_dispatches_in_flight",
        "dispatches",
        ["claimed_at"],
        sqlite_where=sa.text(IN_FLIGHT),
        postgresql_where=sa.text(IN_FLIGHT),
    )
    op.create_index(
        op.f("ix_runners_timezone"),
        "runners",
        ["timezone", "reminder_time", "status", "week_preview", "started_on"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_runners_timezone"), table_name="runners")
    op.drop_index("ix_dispatches_in_flight", table_name="dispatches")
    op.drop_index("ix_dispatches_pending", table_name="dispatches")
    op.create_index("ix_dispatches_status", "dispatches", ["status", "due_at"], unique=False)
