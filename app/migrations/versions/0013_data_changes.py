"""data_changes: the version of cached data (the public catalogue), one row per committed change

Revision ID: 0013dc
Revises: 0012inv
Create Date: 2026-12-03 20:05:00

"""
from alembic import op
import sqlalchemy as sa

import app.core.types  # noqa: F401  (UTCDateTime)


# revision identifiers, used by Alembic.
revision = '0013dc'
down_revision = '0012inv'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'data_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('token', sa.String(length=32), nullable=False),
        sa.Column('created_at', app.core.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_data_changes')),
    )
    op.create_index('ix_data_changes_kind_id', 'data_changes', ['kind', 'id'], unique=False)
    op.create_index(op.f('ix_data_changes_created_at'), 'data_changes', ['created_at'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_data_changes_created_at'), table_name='data_changes')
    op.drop_index('ix_data_changes_kind_id', table_name='data_changes')
    op.drop_table('data_changes')
