"""municipalities.sort_name: the name folded (no case, no accents) for a collated list order

Revision ID: 0014lists
Revises: 0013dc
Create Date: 2026-12-04 06:50:00

"""
from alembic import op
import sqlalchemy as sa

from app.core.search import sort_key


# revision identifiers, used by Alembic.
revision = '0014lists'
down_revision = '0013dc'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('municipalities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sort_name', sa.String(length=200), server_default='', nullable=False))
        batch_op.create_index(batch_op.f('ix_municipalities_sort_name'), ['sort_name'], unique=False)
    conn = op.get_bind()
    table = sa.table('municipalities', sa.column('id', sa.Integer), sa.column('name', sa.String),
                     sa.column('sort_name', sa.String))
    rows = conn.execute(sa.select(table.c.id, table.c.name)).all()
    for row_id, name in rows:
        conn.execute(table.update().where(table.c.id == row_id).values(sort_name=sort_key(name)))


def downgrade():
    with op.batch_alter_table('municipalities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_municipalities_sort_name'))
        batch_op.drop_column('sort_name')
