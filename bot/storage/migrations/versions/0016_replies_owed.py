"""An inbound update keeps the reply it owes, and the instance owing it, from the commit of
its effects until the reply is sent, so a process that dies in between leaves it for the next
to send

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 22:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("inbound_updates", sa.Column("reply", sa.Text(), nullable=True))
    op.add_column("inbound_updates", sa.Column("replier", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("inbound_updates") as batch:  # SQLite copies the table to do this
        batch.drop_column("replier")
        batch.drop_column("reply")
