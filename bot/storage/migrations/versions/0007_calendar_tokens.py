"""A runner's private calendar subscription token (served in webhook mode, revocable)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("runners", sa.Column("calendar_token", sa.String(length=64), nullable=True))
    op.create_index(op.f("ix_runners_calendar_token"), "runners", ["calendar_token"], unique=True)


def downgrade() -> None:
    op.drop_index(op.f("ix_runners_calendar_token"), table_name="runners")
    op.drop_column("runners", "calendar_token")
