"""Low-supply alert rules, the alerts they raise and who has read them

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 21:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import printer_app.models.base


revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('supplyalertrule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('kinds', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('below_percent', sa.Integer(), nullable=True),
    sa.Column('empty_within_days', sa.Integer(), nullable=True),
    sa.Column('emails', sa.Text(), nullable=False),
    sa.Column('email_mode', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('webhook_url', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('webhook_secret', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('in_app', sa.Boolean(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', printer_app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', printer_app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_supplyalertrule_organization_id'), 'supplyalertrule', ['organization_id'], unique=False)
    op.create_table('supplyalert',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rule_id', sa.Integer(), nullable=False),
    sa.Column('printer_id', sa.Integer(), nullable=False),
    sa.Column('supply_key', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('lifetime_started_at', printer_app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('level_percent', sa.Integer(), nullable=True),
    sa.Column('days_to_empty', sa.Float(), nullable=True),
    sa.Column('created_at', printer_app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('cleared_at', printer_app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('emailed_at', printer_app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('webhook_at', printer_app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('delivery_error', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['printer_id'], ['printer.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['rule_id'], ['supplyalertrule.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('rule_id', 'printer_id', 'supply_key', 'lifetime_started_at', name='uq_supplyalert_once')
    )
    op.create_index(op.f('ix_supplyalert_created_at'), 'supplyalert', ['created_at'], unique=False)
    op.create_index(op.f('ix_supplyalert_printer_id'), 'supplyalert', ['printer_id'], unique=False)
    op.create_index(op.f('ix_supplyalert_rule_id'), 'supplyalert', ['rule_id'], unique=False)
    op.create_table('supplyalertread',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('alert_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('read_at', printer_app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['alert_id'], ['supplyalert.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('alert_id', 'user_id', name='uq_supplyalertread')
    )
    op.create_index(op.f('ix_supplyalertread_alert_id'), 'supplyalertread', ['alert_id'], unique=False)
    op.create_index(op.f('ix_supplyalertread_user_id'), 'supplyalertread', ['user_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_supplyalertread_user_id'), table_name='supplyalertread')
    op.drop_index(op.f('ix_supplyalertread_alert_id'), table_name='supplyalertread')
    op.drop_table('supplyalertread')
    op.drop_index(op.f('ix_supplyalert_rule_id'), table_name='supplyalert')
    op.drop_index(op.f('ix_supplyalert_printer_id'), table_name='supplyalert')
    op.drop_index(op.f('ix_supplyalert_created_at'), table_name='supplyalert')
    op.drop_table('supplyalert')
    op.drop_index(op.f('ix_supplyalertrule_organization_id'), table_name='supplyalertrule')
    op.drop_table('supplyalertrule')
