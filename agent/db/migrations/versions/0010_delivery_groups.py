"""delivery groups: one editable message per account on per-account channels

``deliveries.group_key`` (``account:<id>``) and ``seen_event_id`` (the newest alert event
the sent content reflects), so a later change edits the group's message instead of posting.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 18:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("group_key", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("seen_event_id", sa.Integer(), nullable=True))
        batch_op.create_index("ix_deliveries_group", ["channel", "recipient", "group_key"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_deliveries_group")
        batch_op.drop_column("seen_event_id")
        batch_op.drop_column("group_key")
