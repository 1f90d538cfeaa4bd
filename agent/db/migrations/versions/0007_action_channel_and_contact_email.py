"""alert event channel and contact email lookup

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 17:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("alert_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("channel", sa.String(length=16), nullable=True))
    # The account-context lookup finds a contact by email without regard to case.
    op.create_index("ix_contacts_email_lower", "contacts", [sa.text("lower(email)")], unique=False)


def downgrade() -> None:
    op.drop_index("ix_contacts_email_lower", table_name="contacts")
    with op.batch_alter_table("alert_events", schema=None) as batch_op:
        batch_op.drop_column("channel")
