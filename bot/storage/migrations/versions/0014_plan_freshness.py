"""The stored plan's freshness key: what a runner's last replan was made from

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-09 18:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Empty for every runner: their next /today replans once and stores it.
    op.add_column("runners", sa.Column("plan_key", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("runners") as runners:
        runners.drop_column("plan_key")
