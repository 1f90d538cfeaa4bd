"""webhook deliveries, sync run runners, people deactivated in Nudge

``webhook_deliveries`` remembers verified webhook deliveries so a replay is refused;
``sync_runs.runner`` (host:pid) lets a run whose process died be marked failed;
``people.deactivated_at`` records a deactivation no CRM sync undoes.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 18:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import agent.db.types

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("route", sa.String(length=200), nullable=False),
        sa.Column("delivery_hash", sa.String(length=64), nullable=False),
        sa.Column("received_at", agent.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_deliveries")),
        sa.UniqueConstraint("route", "delivery_hash", name=op.f("uq_webhook_deliveries_route_delivery_hash")),
    )
    op.create_index(
        op.f("ix_webhook_deliveries_received_at"), "webhook_deliveries", ["received_at"], unique=False
    )
    with op.batch_alter_table("sync_runs") as batch:
        batch.add_column(sa.Column("runner", sa.String(length=128), nullable=True))
    with op.batch_alter_table("people") as batch:
        batch.add_column(
            sa.Column("deactivated_at", agent.db.types.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("people") as batch:
        batch.drop_column("deactivated_at")
    with op.batch_alter_table("sync_runs") as batch:
        batch.drop_column("runner")
    op.drop_index(op.f("ix_webhook_deliveries_received_at"), table_name="webhook_deliveries")
    op.drop_table("webhook_deliveries")
