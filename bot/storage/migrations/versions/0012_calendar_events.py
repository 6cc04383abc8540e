"""Calendar events: each runner's event versions (SEQUENCE by content), the day they were
last kept up, and a key for UIDs

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-09 08:00:00.000000
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "calendar_events",
        sa.Column("runner_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("revised_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["runner_id"],
            ["runners.id"],
            name=op.f("fk_calendar_events_runner_id_runners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("runner_id", "day", name=op.f("pk_calendar_events")),
    )
    # Added in place with a default (SQLite would copy the runners table for a NOT NULL
    # column without one, and dropping the old copy would cascade to every runner's rows);
    # each runner then gets a key of their own.
    op.add_column(
        "runners",
        sa.Column("calendar_key", sa.String(length=32), nullable=False, server_default=""),
    )
    op.add_column("runners", sa.Column("calendar_as_of", sa.Date(), nullable=True))
    bind = op.get_bind()
    for (runner_id,) in bind.execute(sa.text("SELECT id FROM runners")).all():
        bind.execute(
            sa.text("UPDATE runners SET calendar_key = :key WHERE id = :id"),
            {"key": secrets.token_hex(16), "id": runner_id},
        )


def downgrade() -> None:
    with op.batch_alter_table("runners") as runners:
        runners.drop_column("calendar_key")
        runners.drop_column("calendar_as_of")
    op.drop_table("calendar_events")
