"""Supply forecasts and cartridge lifetimes (derived from the polls, refreshed after each poll)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 21:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import printer_app.models.base


revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('supplyforecast',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('printer_id', sa.Integer(), nullable=False),
    sa.Column('supply_key', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('color', sa.String(length=16), nullable=True),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('level_percent', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('last_seen_at', printer_app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('lifetime_started_at', printer_app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('pages_since_replacement', sa.BigInteger(), nullable=True),
    sa.Column('forecast_status', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('days_to_empty', sa.Float(), nullable=True),
    sa.Column('days_low', sa.Float(), nullable=True),
    sa.Column('days_high', sa.Float(), nullable=True),
    sa.Column('pages_to_empty', sa.BigInteger(), nullable=True),
    sa.Column('pages_low', sa.BigInteger(), nullable=True),
    sa.Column('pages_high', sa.BigInteger(), nullable=True),
    sa.Column('replacements', sa.Integer(), nullable=False),
    sa.Column('last_pages_per_cartridge', sa.BigInteger(), nullable=True),
    sa.Column('avg_pages_per_cartridge', sa.BigInteger(), nullable=True),
    sa.Column('updated_at', printer_app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['printer_id'], ['printer.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('printer_id', 'supply_key', name='uq_supplyforecast_printer_supply')
    )
    op.create_index('ix_supplyforecast_days', 'supplyforecast', ['days_to_empty'], unique=False)
    op.create_index(op.f('ix_supplyforecast_kind'), 'supplyforecast', ['kind'], unique=False)
    op.create_index(op.f('ix_supplyforecast_printer_id'), 'supplyforecast', ['printer_id'], unique=False)
    op.create_table('supplylifetime',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('printer_id', sa.Integer(), nullable=False),
    sa.Column('supply_key', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('started_at', printer_app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', printer_app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('start_percent', sa.Integer(), nullable=True),
    sa.Column('end_percent', sa.Integer(), nullable=True),
    sa.Column('start_pages', sa.BigInteger(), nullable=True),
    sa.Column('end_pages', sa.BigInteger(), nullable=True),
    sa.Column('pages', sa.BigInteger(), nullable=True),
    sa.Column('rated_yield', sa.BigInteger(), nullable=True),
    sa.Column('started_by_replacement', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['printer_id'], ['printer.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_supplylifetime_printer_supply', 'supplylifetime', ['printer_id', 'supply_key', 'started_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_supplylifetime_printer_supply', table_name='supplylifetime')
    op.drop_table('supplylifetime')
    op.drop_index(op.f('ix_supplyforecast_printer_id'), table_name='supplyforecast')
    op.drop_index(op.f('ix_supplyforecast_kind'), table_name='supplyforecast')
    op.drop_index('ix_supplyforecast_days', table_name='supplyforecast')
    op.drop_table('supplyforecast')
