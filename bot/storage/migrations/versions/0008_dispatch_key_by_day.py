"""A runner's dispatch key starts with the local date; a runner index beside it

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 07:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RUNNER_ROWS = sa.text("runner_id IS NOT NULL")


def upgrade() -> None:
    op.create_index("ix_dispatches_runner_id", "dispatches", ["runner_id"], unique=False)
    _unique_runner_key("uq_dispatches_local_date_kind_runner_id", "local_date", "kind", "runner_id")
    op.drop_index("uq_dispatches_runner_id_local_date_kind", table_name="dispatches")


def downgrade() -> None:
    _unique_runner_key("uq_dispatches_runner_id_local_date_kind", "runner_id", "local_date", "kind")
    op.drop_index("uq_dispatches_local_date_kind_runner_id", table_name="dispatches")
    op.drop_index("ix_dispatches_runner_id", table_name="dispatches")


def _unique_runner_key(name: str, *columns: str) -> None:
    """The unique index on a runner's (local date, kind), its columns in the given order."""
    op.create_index(
        name,
        "dispatches",
        list(columns),
        unique=True,
        sqlite_where=RUNNER_ROWS,
        postgresql_where=RUNNER_ROWS,
    )
