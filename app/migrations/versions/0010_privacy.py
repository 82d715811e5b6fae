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


# In place, never a batch table copy: on SQLite, dropping the old table would fire the foreign keys of
# every table pointing at it (ON DELETE CASCADE). The server default stays (autogenerate ignores it).
def upgrade():
    op.add_column('users', sa.Column('erased_at', app.core.types.UTCDateTime(timezone=True), nullable=True))
    op.add_column('good_practices', sa.Column('former_credits', app.core.types.JSONList(), nullable=False,
                                              server_default='[]'))


def downgrade():
    if op.get_bind().dialect.name == "sqlite":  # ALTER TABLE … DROP COLUMN in place (SQLite 3.35+)
        op.execute("ALTER TABLE good_practices DROP COLUMN former_credits")
        op.execute("ALTER TABLE users DROP COLUMN erased_at")
    else:
        op.drop_column('good_practices', 'former_credits')
        op.drop_column('users', 'erased_at')
