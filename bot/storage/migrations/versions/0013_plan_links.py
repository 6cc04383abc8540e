"""Running-plan links: each runner's linked calendar (the secret link, the last good copy,
when to look again), their own rules for reading its events, and the versions of their real
week, which outlive the link (issue 31)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-16 08:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "plan_links",
        sa.Column("runner_id", sa.Integer(), nullable=False),
        sa.Column("link", sa.String(length=2048), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=True),
        sa.Column("etag", sa.String(length=256), nullable=True),
        sa.Column("last_modified", sa.String(length=64), nullable=True),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("next_check_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("failing_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failure_told", sa.Boolean(), nullable=False),
        sa.Column("notice", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["runner_id"],
            ["runners.id"],
            name=op.f("fk_plan_links_runner_id_runners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("runner_id", name=op.f("pk_plan_links")),
    )
    op.create_index(
        op.f("ix_plan_links_next_check_at"), "plan_links", ["next_check_at"], unique=False
    )
    op.create_table(
        "run_kind_rules",
        sa.Column("runner_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(
            ["runner_id"],
            ["runners.id"],
            name=op.f("fk_run_kind_rules_runner_id_runners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("runner_id", "key", name=op.f("pk_run_kind_rules")),
    )
    op.create_table(
        "real_week_versions",
        sa.Column("runner_id", sa.Integer(), nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("days", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["runner_id"],
            ["runners.id"],
            name=op.f("fk_real_week_versions_runner_id_runners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("runner_id", "since", name=op.f("pk_real_week_versions")),
    )


def downgrade() -> None:
    op.drop_table("real_week_versions")
    op.drop_table("run_kind_rules")
    op.drop_index(op.f("ix_plan_links_next_check_at"), table_name="plan_links")
    op.drop_table("plan_links")
