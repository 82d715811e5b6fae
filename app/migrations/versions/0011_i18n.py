"""i18n: notifications keep their phrase (shown in the reader's language), normalised search columns for
modules and good practices, and the English summary of a good practice

Revision ID: 0011i
Revises: 0007a
Create Date: 2026-12-03 12:00:00

"""
from collections import defaultdict

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0011i'
down_revision = '0007a'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('notifications', sa.Column('phrase', sa.JSON(), nullable=True))
    op.add_column('course_modules', sa.Column('search_text', sa.Text(), nullable=False, server_default=''))
    op.add_column('good_practices', sa.Column('search_text', sa.Text(), nullable=False, server_default=''))
    op.add_column('good_practices', sa.Column('summary_en', sa.Text(), nullable=False, server_default=''))
    _fill_search_texts()


def _fill_search_texts():
    """The search texts of what exists, as the models write them (app.core.search)."""
    import json

    from app.core.search import country_names, normalise

    bind = op.get_bind()
    trainers, places = defaultdict(list), defaultdict(list)
    for module_id, name in bind.execute(sa.text(
            "SELECT t.module_id, u.name FROM course_module_trainers t JOIN users u ON u.id = t.user_id")):
        trainers[module_id].append(name)
    for module_id, location, country in bind.execute(sa.text(
            "SELECT module_id, location, country FROM course_sessions WHERE status != 'cancelled'")):
        places[module_id] += [location, country_names(country)]
    modules = bind.execute(sa.text("SELECT id, title, summary FROM course_modules")).all()
    for module_id, title, summary in modules:
        bind.execute(sa.text("UPDATE course_modules SET search_text = :text WHERE id = :id"),
                     {"id": module_id, "text": normalise(title, summary, *trainers[module_id], *places[module_id])})
    for row in bind.execute(sa.text("SELECT id, title, summary, results, countries FROM good_practices")).all():
        countries = row.countries if isinstance(row.countries, list) else json.loads(row.countries or "[]")
        bind.execute(sa.text("UPDATE good_practices SET search_text = :text WHERE id = :id"),
                     {"id": row.id, "text": normalise(row.title, row.summary, row.results,
                                                      *map(country_names, countries))})


def downgrade():
    op.drop_column('good_practices', 'summary_en')
    op.drop_column('good_practices', 'search_text')
    op.drop_column('course_modules', 'search_text')
    op.drop_column('notifications', 'phrase')
