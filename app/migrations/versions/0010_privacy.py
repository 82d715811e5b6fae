"""privacy: erased accounts are marked, good practices keep the credits of erased people

Revision ID: 0010e
Revises: 0008b
Create Date: 2026-12-03 06:50:00

"""
from alembic import op
import sqlalchemy as sa

import app.core.types  # noqa: F401  (UTCDateTime, JSONList)


# revision identifiers, used by Alembic.
revision = '0010e'
down_revision = '0008b'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('erased_at', app.core.types.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table('good_practices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('former_credits', app.core.types.JSONList(), nullable=False,
                                      server_default='[]'))
    with op.batch_alter_table('good_practices', schema=None) as batch_op:
        batch_op.alter_column('former_credits', server_default=None)


def downgrade():
    with op.batch_alter_table('good_practices', schema=None) as batch_op:
        batch_op.drop_column('former_credits')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('erased_at')
