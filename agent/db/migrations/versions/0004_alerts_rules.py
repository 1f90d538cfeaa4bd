"""alerts lifecycle: rule set versions, silences, alert columns

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 19:56:02.554146
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import agent.db.types

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rule_set_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("texts", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=320), nullable=False),
        sa.Column("created_at", agent.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("diff", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rule_set_versions")),
        sa.UniqueConstraint("version", name=op.f("uq_rule_set_versions_version")),
    )
    with op.batch_alter_table("rule_set_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rule_set_versions_active"), ["active"], unique=False)

    op.create_table(
        "silences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("matchers", sa.JSON(), nullable=False),
        sa.Column("creator", sa.String(length=320), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("starts_at", agent.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", agent.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_at", agent.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", agent.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_silences")),
    )
    with op.batch_alter_table("silences", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_silences_ends_at"), ["ends_at"], unique=False)

    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("snooze_reason", sa.String(length=200), nullable=True))
        batch_op.add_column(
            sa.Column("condition_active", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch_op.add_column(
            sa.Column(
                "updated_at",
                agent.db.types.UTCDateTime(timezone=True),
                nullable=False,
                server_default=sa.func.now(),
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_column("updated_at")
        batch_op.drop_column("condition_active")
        batch_op.drop_column("snooze_reason")

    with op.batch_alter_table("silences", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_silences_ends_at"))

    op.drop_table("silences")
    with op.batch_alter_table("rule_set_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rule_set_versions_active"))

    op.drop_table("rule_set_versions")
