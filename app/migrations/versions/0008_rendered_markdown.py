"""rendered markdown: course module descriptions and objectives keep their sanitised HTML

Revision ID: 0008b
Revises: 0006
Create Date: 2026-12-03 06:40:00

Markdown was rendered and sanitised on every page view (a 2 MB description took minutes); now the
HTML is rendered once when the text is saved. Existing rows are rendered here, with the same function.
"""
from alembic import op
import sqlalchemy as sa

import app.core.types  # noqa: F401  (SafeHTML)


# revision identifiers, used by Alembic.
revision = '0008b'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('course_modules', schema=None) as batch_op:
        batch_op.add_column(sa.Column('description_html', app.core.types.SafeHTML(), server_default='',
                                      nullable=False))
        batch_op.add_column(sa.Column('objectives_html', app.core.types.SafeHTML(), server_default='',
                                      nullable=False))

    from app.core.markdown import render_markdown

    modules = sa.table('course_modules', sa.column('id', sa.Integer), sa.column('description', sa.Text),
                       sa.column('objectives', sa.Text), sa.column('description_html', sa.Text),
                       sa.column('objectives_html', sa.Text))
    connection = op.get_bind()
    rows = connection.execute(sa.select(modules.c.id, modules.c.description, modules.c.objectives)).all()
    for module_id, description, objectives in rows:
        connection.execute(modules.update().where(modules.c.id == module_id).values(
            description_html=str(render_markdown(description)), objectives_html=str(render_markdown(objectives))))


def downgrade():
    with op.batch_alter_table('course_modules', schema=None) as batch_op:
        batch_op.drop_column('objectives_html')
        batch_op.drop_column('description_html')
