"""Inbound updates, stored before they are acknowledged, until they are handled

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 01:33:14.368413
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNHANDLED = "handled_at IS NULL"


def upgrade() -> None:
    op.create_table(
        "inbound_updates",
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("platform", "update_id", name=op.f("pk_inbound_updates")),
    )
    op.create_index(
        "ix_inbound_updates_unhandled",
        "inbound_updates",
        ["platform", "update_id"],
        unique=False,
        sqlite_where=sa.text(UNHANDLED),
        postgresql_where=sa.text(UNHANDLED),
    )


def downgrade() -> None:
    op.drop_index("ix_inbound_updates_unhandled", table_name="inbound_updates")
    op.drop_table("inbound_updates")
