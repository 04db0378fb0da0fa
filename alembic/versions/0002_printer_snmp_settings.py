"""Printer SNMP settings: version, port and SNMPv3 credentials (existing printers get v2c on port 161)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 21:20:22.991852
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import printer_app.models.base


revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('printer', sa.Column('snmp_version', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False, server_default='2c'))
    op.add_column('printer', sa.Column('snmp_port', sa.Integer(), nullable=False, server_default='161'))
    op.add_column('printer', sa.Column('snmp_v3_user', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
    op.add_column('printer', sa.Column('snmp_v3_auth_protocol', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True))
    op.add_column('printer', sa.Column('snmp_v3_auth_key', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True))
    op.add_column('printer', sa.Column('snmp_v3_priv_protocol', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True))
    op.add_column('printer', sa.Column('snmp_v3_priv_key', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True))
    op.add_column('printer', sa.Column('snmp_v3_context', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))


def downgrade() -> None:
    op.drop_column('printer', 'snmp_v3_context')
    op.drop_column('printer', 'snmp_v3_priv_key')
    op.drop_column('printer', 'snmp_v3_priv_protocol')
    op.drop_column('printer', 'snmp_v3_auth_key')
    op.drop_column('printer', 'snmp_v3_auth_protocol')
    op.drop_column('printer', 'snmp_v3_user')
    op.drop_column('printer', 'snmp_port')
    op.drop_column('printer', 'snmp_version')
