"""Personal API tokens (hashed, with expiry, last use and revocation)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import printer_app.models.base


revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('apitoken',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('prefix', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('created_at', printer_app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', printer_app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_used_at', printer_app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', printer_app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_apitoken_user_id'), 'apitoken', ['user_id'], unique=False)
    op.create_index(op.f('ix_apitoken_token_hash'), 'apitoken', ['token_hash'], unique=True)


def downgrade() -> None:
    op.drop_index(op.f('ix_apitoken_token_hash'), table_name='apitoken')
    op.drop_index(op.f('ix_apitoken_user_id'), table_name='apitoken')
    op.drop_table('apitoken')
