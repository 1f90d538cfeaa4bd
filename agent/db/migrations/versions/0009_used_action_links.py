"""used action links (e-mail links work once)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 17:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import agent.db.types

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "used_action_links",
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("used_at", agent.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", agent.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["alert_id"], ["alerts.id"], name=op.f("fk_used_action_links_alert_id_alerts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("nonce", name=op.f("pk_used_action_links")),
    )
    with op.batch_alter_table("used_action_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_used_action_links_alert_id"), ["alert_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_used_action_links_expires_at"), ["expires_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("used_action_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_used_action_links_expires_at"))
        batch_op.drop_index(batch_op.f("ix_used_action_links_alert_id"))
    op.drop_table("used_action_links")
