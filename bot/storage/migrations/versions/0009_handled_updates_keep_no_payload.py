"""A handled inbound update keeps no payload: its id and times alone

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("inbound_updates") as batch:  # SQLite copies the table to do this
        batch.alter_column("payload", existing_type=sa.JSON(), nullable=True)
    op.execute("UPDATE inbound_updates SET payload = NULL WHERE handled_at IS NOT NULL")


def downgrade() -> None:
    op.execute("UPDATE inbound_updates SET payload = '{}' WHERE payload IS NULL")
    with op.batch_alter_table("inbound_updates") as batch:
        batch.alter_column("payload", existing_type=sa.JSON(), nullable=False)
