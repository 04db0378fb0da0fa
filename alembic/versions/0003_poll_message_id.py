"""Poll message id: a broker message redelivered after a crash finds its poll and records nothing twice

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 21:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("inventorytask", sa.Column("message_id", sa.String(length=64), nullable=True))
    op.create_index("uq_inventorytask_message_id", "inventorytask", ["message_id"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_inventorytask_message_id", table_name="inventorytask")
    op.drop_column("inventorytask", "message_id")
