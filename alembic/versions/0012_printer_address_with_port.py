"""One active network printer per address and SNMP port (was: per address), for print servers with several
devices behind one IP

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 21:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTIVE_NETWORK = "is_active AND connection_type = 'NETWORK'"


def upgrade() -> None:
    op.drop_index(
        "uq_printer_active_network_ip",
        table_name="printer",
        sqlite_where=sa.text(ACTIVE_NETWORK),
        postgresql_where=sa.text(ACTIVE_NETWORK),
    )
    op.create_index(
        "uq_printer_active_network_address",
        "printer",
        ["ip_address", "snmp_port"],
        unique=True,
        sqlite_where=sa.text(ACTIVE_NETWORK),
        postgresql_where=sa.text(ACTIVE_NETWORK),
    )


def downgrade() -> None:
    """Refused while two active network printers share an IP (the old index cannot hold them)."""
    op.drop_index(
        "uq_printer_active_network_address",
        table_name="printer",
        sqlite_where=sa.text(ACTIVE_NETWORK),
        postgresql_where=sa.text(ACTIVE_NETWORK),
    )
    op.create_index(
        "uq_printer_active_network_ip",
        "printer",
        ["ip_address"],
        unique=True,
        sqlite_where=sa.text(ACTIVE_NETWORK),
        postgresql_where=sa.text(ACTIVE_NETWORK),
    )
