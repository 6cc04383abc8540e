"""Several instances on one database: the instances that beat, the leases they hold, and
whose conversation each inbound update is

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-10 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "instances",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_instances")),
    )
    op.create_table(
        "leases",
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("owner", sa.String(length=32), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("scope", "key", name=op.f("pk_leases")),
    )
    # An update stored before this revision and not handled yet is a conversation of its
    # own; a handled one keeps none (it keeps its id alone).
    op.add_column("inbound_updates", sa.Column("conversation", sa.String(length=64), nullable=True))
    op.execute(
        "UPDATE inbound_updates SET conversation = 'update ' || update_id WHERE handled_at IS NULL"
    )
    unhandled = sa.text("handled_at IS NULL")
    op.create_index(
        "ix_inbound_updates_conversation",
        "inbound_updates",
        ["platform", "conversation", "update_id"],
        sqlite_where=unhandled,
        postgresql_where=unhandled,
    )


def downgrade() -> None:
    op.drop_index("ix_inbound_updates_conversation", table_name="inbound_updates")
    with op.batch_alter_table("inbound_updates") as batch:  # SQLite copies the table to do this
        batch.drop_column("conversation")
    op.drop_table("leases")
    op.drop_table("instances")
