"""Plan checkpoints (a replan resumes from a recent plan week); dispatch rows by due time

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 02:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "plan_checkpoints",
        sa.Column("runner_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["runner_id"],
            ["runners.id"],
            name=op.f("fk_plan_checkpoints_runner_id_runners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("runner_id", name=op.f("pk_plan_checkpoints")),
    )
    op.create_index("ix_dispatches_due_at", "dispatches", ["due_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_dispatches_due_at", table_name="dispatches")
    op.drop_table("plan_checkpoints")
