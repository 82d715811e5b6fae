"""granted roles: Covenant roles are claims until an admin grants them; memberships are invitations

Existing accounts keep their rights (granted), except those that registered themselves (a
`user.register` audit event) with a Covenant role: their role becomes a claim waiting for an
administrator. Existing memberships are accepted.

Revision ID: 0009d
Revises: 0010e
Create Date: 2026-12-03 06:40:00

"""
from alembic import op
import sqlalchemy as sa

import app.core.types  # noqa: F401  (UTCDateTime)


# revision identifiers, used by Alembic.
revision = '0009d'
down_revision = '0010e'
branch_labels = None
depends_on = None


def upgrade():
    sqlite = op.get_bind().dialect.name == "sqlite"
    # users: no batch (table copy) on SQLite. Dropping the old users table there would fire the
    # foreign keys of every table pointing at it (ON DELETE CASCADE / SET NULL): tokens, enrolments,
    # audit actors… So the columns are added in place; a new account's default is a claim.
    op.add_column('users', sa.Column('com_role_status', sa.String(length=10), nullable=False,
                                     server_default='claimed'))
    op.add_column('users', sa.Column('com_role_decided_at', app.core.types.UTCDateTime(timezone=True),
                                     nullable=True))
    op.create_index(op.f('ix_users_com_role_status'), 'users', ['com_role_status'], unique=False)
    op.execute("UPDATE users SET com_role_status = 'granted' WHERE com_role = 'other' OR NOT EXISTS "
               "(SELECT 1 FROM audit_events WHERE audit_events.action = 'user.register' "
               "AND audit_events.actor_id = users.id)")
    if not sqlite:  # SQLite cannot add a constraint in place; the models' CHECK applies to new databases
        op.create_check_constraint(op.f('ck_users_com_role_status'), 'users',
                                   "com_role_status IN ('claimed', 'granted', 'denied')")
        op.alter_column('users', 'com_role_status', server_default=None)

    # Nothing points at municipality_members: a batch copy on SQLite is safe.
    with op.batch_alter_table('municipality_members', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=10), nullable=False, server_default='accepted'))
        batch_op.add_column(sa.Column('invited_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('responded_at', app.core.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_municipality_members_invited_by_id_users'), 'users',
                                    ['invited_by_id'], ['id'], ondelete='SET NULL')
        batch_op.create_check_constraint(op.f('ck_municipality_members_status'),
                                         "status IN ('invited', 'accepted', 'declined')")
    with op.batch_alter_table('municipality_members', schema=None) as batch_op:
        batch_op.alter_column('status', server_default=None)


def downgrade():
    sqlite = op.get_bind().dialect.name == "sqlite"
    # Without a status every row gives rights: invitations not accepted go.
    op.execute("DELETE FROM municipality_members WHERE status <> 'accepted'")
    with op.batch_alter_table('municipality_members', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_municipality_members_status'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_municipality_members_invited_by_id_users'), type_='foreignkey')
        batch_op.drop_column('responded_at')
        batch_op.drop_column('invited_by_id')
        batch_op.drop_column('status')

    op.drop_index(op.f('ix_users_com_role_status'), table_name='users')
    if sqlite:  # in place (SQLite 3.35+), for the same reason as above
        op.execute("ALTER TABLE users DROP COLUMN com_role_decided_at")
        op.execute("ALTER TABLE users DROP COLUMN com_role_status")
    else:
        op.drop_constraint(op.f('ck_users_com_role_status'), 'users', type_='check')
        op.drop_column('users', 'com_role_decided_at')
        op.drop_column('users', 'com_role_status')
