"""risk scores: per-invoice model scores with the model version (latest flag per scoring run)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 20:05:36.839056
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import agent.db.types

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "risk_scores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("model_version", sa.String(length=64), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("scored_at", agent.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("p_late", sa.Float(), nullable=False),
        sa.Column("expected_days_late", sa.Float(), nullable=False),
        sa.Column("expected_pay_date", sa.Date(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("latest", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["invoices.id"],
            name=op.f("fk_risk_scores_invoice_id_invoices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_scores")),
        sa.UniqueConstraint("invoice_id", "as_of", name=op.f("uq_risk_scores_invoice_id_as_of")),
    )
    with op.batch_alter_table("risk_scores", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_risk_scores_as_of"), ["as_of"], unique=False)
        batch_op.create_index("ix_risk_scores_latest_invoice_id", ["latest", "invoice_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("risk_scores", schema=None) as batch_op:
        batch_op.drop_index("ix_risk_scores_latest_invoice_id")
        batch_op.drop_index(batch_op.f("ix_risk_scores_as_of"))

    op.drop_table("risk_scores")
