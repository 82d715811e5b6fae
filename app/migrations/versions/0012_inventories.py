"""emission inventories: BEI and MEI by sector and carrier, local production, emission factors

Revision ID: 0012inv
Revises: 0011i
Create Date: 2026-12-03 15:00:56.519726

"""
from alembic import op
import sqlalchemy as sa

import app.core.types  # noqa: F401  (UTCDateTime, JSONList)


# revision identifiers, used by Alembic.
revision = '0012inv'
down_revision = '0011i'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('municipalities', sa.Column('target_per_capita', sa.Boolean(), server_default=sa.text('false'),
                                              nullable=False))
    op.create_table('emission_factors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('carrier', sa.String(length=40), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=True),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('approach', sa.String(length=8), nullable=False),
    sa.Column('factor', sa.Float(), nullable=False),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.Column('demo', sa.Boolean(), nullable=False),
    sa.Column('updated_at', app.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("approach IN ('ipcc', 'lca')", name=op.f('ck_emission_factors_approach')),
    sa.CheckConstraint('factor >= 0', name=op.f('ck_emission_factors_factor')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_emission_factors')),
    sa.UniqueConstraint('carrier', 'country', 'year', 'approach', name='uq_emission_factors_key')
    )
    with op.batch_alter_table('emission_factors', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_emission_factors_country'), ['country'], unique=False)

    op.create_table('inventories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('approach', sa.String(length=8), nullable=False),
    sa.Column('unit', sa.String(length=10), nullable=False),
    sa.Column('population', sa.Integer(), nullable=True),
    sa.Column('green_electricity_mwh', sa.Float(), nullable=False),
    sa.Column('heat_factor', sa.Float(), nullable=True),
    sa.Column('other_fossil_factor', sa.Float(), nullable=True),
    sa.Column('created_at', app.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("approach IN ('ipcc', 'lca')", name=op.f('ck_inventories_approach')),
    sa.CheckConstraint("kind IN ('baseline', 'monitoring')", name=op.f('ck_inventories_kind')),
    sa.CheckConstraint("unit IN ('t-co2', 't-co2-eq')", name=op.f('ck_inventories_unit')),
    sa.CheckConstraint('green_electricity_mwh >= 0', name=op.f('ck_inventories_green')),
    sa.CheckConstraint('heat_factor IS NULL OR heat_factor >= 0', name=op.f('ck_inventories_heat_factor')),
    sa.CheckConstraint('other_fossil_factor IS NULL OR other_fossil_factor >= 0', name=op.f('ck_inventories_other_fossil_factor')),
    sa.CheckConstraint('population IS NULL OR population >= 0', name=op.f('ck_inventories_population')),
    sa.CheckConstraint('year >= 1990 AND year <= 2100', name=op.f('ck_inventories_year')),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipalities.id'], name=op.f('fk_inventories_municipality_id_municipalities'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inventories')),
    sa.UniqueConstraint('municipality_id', 'kind', 'year', name='uq_inventories_municipality_kind_year')
    )
    with op.batch_alter_table('inventories', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inventories_municipality_id'), ['municipality_id'], unique=False)
        batch_op.create_index('uq_inventories_one_baseline', ['municipality_id'], unique=True, sqlite_where=sa.text("kind = 'baseline'"), postgresql_where=sa.text("kind = 'baseline'"))

    op.create_table('inventory_cells',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('inventory_id', sa.Integer(), nullable=False),
    sa.Column('sector', sa.String(length=40), nullable=False),
    sa.Column('carrier', sa.String(length=40), nullable=False),
    sa.Column('mwh', sa.Float(), nullable=False),
    sa.CheckConstraint('mwh >= 0', name=op.f('ck_inventory_cells_mwh')),
    sa.ForeignKeyConstraint(['inventory_id'], ['inventories.id'], name=op.f('fk_inventory_cells_inventory_id_inventories'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inventory_cells')),
    sa.UniqueConstraint('inventory_id', 'sector', 'carrier', name='uq_inventory_cells_inventory_sector_carrier')
    )
    op.create_table('inventory_plants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('inventory_id', sa.Integer(), nullable=False),
    sa.Column('product', sa.String(length=12), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('mwh', sa.Float(), nullable=False),
    sa.CheckConstraint("product IN ('electricity', 'heat')", name=op.f('ck_inventory_plants_product')),
    sa.CheckConstraint('mwh >= 0', name=op.f('ck_inventory_plants_mwh')),
    sa.ForeignKeyConstraint(['inventory_id'], ['inventories.id'], name=op.f('fk_inventory_plants_inventory_id_inventories'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inventory_plants'))
    )
    with op.batch_alter_table('inventory_plants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inventory_plants_inventory_id'), ['inventory_id'], unique=False)

    op.create_table('inventory_plant_inputs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plant_id', sa.Integer(), nullable=False),
    sa.Column('carrier', sa.String(length=40), nullable=False),
    sa.Column('mwh', sa.Float(), nullable=False),
    sa.CheckConstraint('mwh >= 0', name=op.f('ck_inventory_plant_inputs_mwh')),
    sa.ForeignKeyConstraint(['plant_id'], ['inventory_plants.id'], name=op.f('fk_inventory_plant_inputs_plant_id_inventory_plants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inventory_plant_inputs'))
    )
    with op.batch_alter_table('inventory_plant_inputs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inventory_plant_inputs_plant_id'), ['plant_id'], unique=False)



def downgrade():
    op.drop_column('municipalities', 'target_per_capita')
    with op.batch_alter_table('inventory_plant_inputs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inventory_plant_inputs_plant_id'))

    op.drop_table('inventory_plant_inputs')
    with op.batch_alter_table('inventory_plants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inventory_plants_inventory_id'))

    op.drop_table('inventory_plants')
    op.drop_table('inventory_cells')
    with op.batch_alter_table('inventories', schema=None) as batch_op:
        batch_op.drop_index('uq_inventories_one_baseline', sqlite_where=sa.text("kind = 'baseline'"), postgresql_where=sa.text("kind = 'baseline'"))
        batch_op.drop_index(batch_op.f('ix_inventories_municipality_id'))

    op.drop_table('inventories')
    with op.batch_alter_table('emission_factors', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_emission_factors_country'))

    op.drop_table('emission_factors')
